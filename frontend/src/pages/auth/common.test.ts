// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { oauthStartUrl, oauthTakeState, safeNext } from "./common";

describe("where sign-in returns to", () => {
  it.each([
    ["/checkout/abc", "/checkout/abc"],
    ["/orders?x=1", "/orders?x=1"],
    [null, "/"],
    ["", "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/path", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/%09/evil.example", "/"],
    ["/%2F%2Fevil.example", "/"],
    ["/%E0%A4%A", "/"],
  ])("%s goes to %s", (given, expected) => {
    expect(safeNext(given)).toBe(expected);
  });
});

describe("Google and Facebook sign-in", () => {
  beforeEach(() => sessionStorage.clear());

  it("sends the customer to Google with our client, our return page and a fresh state", () => {
    const url = new URL(oauthStartUrl("google", "123.apps.googleusercontent.com", "/checkout/h1"));
    expect(url.origin + url.pathname).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(url.searchParams.get("client_id")).toBe("123.apps.googleusercontent.com");
    expect(url.searchParams.get("redirect_uri")).toBe(`${window.location.origin}/signin/google`);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("state")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sends the customer to Facebook's dialog the same way", () => {
    const url = new URL(oauthStartUrl("facebook", "9876", "/"));
    expect(url.hostname).toBe("www.facebook.com");
    expect(url.searchParams.get("redirect_uri")).toBe(`${window.location.origin}/signin/facebook`);
  });

  it("accepts the answer only with the state it sent, once, for the same provider", () => {
    const state = new URL(oauthStartUrl("google", "id", "/orders")).searchParams.get("state");
    expect(oauthTakeState("google", "forged")).toBeNull();
    const again = new URL(oauthStartUrl("google", "id", "/orders")).searchParams.get("state");
    expect(again).not.toBe(state);
    expect(oauthTakeState("facebook", again)).toBeNull();
    const third = new URL(oauthStartUrl("google", "id", "/orders")).searchParams.get("state");
    expect(oauthTakeState("google", third)).toEqual({ next: "/orders" });
    expect(oauthTakeState("google", third)).toBeNull(); // used up
  });

  it("keeps Google's state when Facebook's sign-in is started too", () => {
    const google = new URL(oauthStartUrl("google", "g", "/checkout/h1")).searchParams.get("state");
    new URL(oauthStartUrl("facebook", "f", "/"));
    expect(oauthTakeState("google", google)).toEqual({ next: "/checkout/h1" });
  });
});
