import { describe, expect, it, vi } from "vitest";
import { ApiClient, type Fetch } from "./client";
import { ApiError, describeError } from "./errors";
import { Session, tokenExpiry, type KeyValueStore } from "./session";

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

function jwt(expiresInSeconds: number, claims: Record<string, unknown> = {}): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${encode({ alg: "HS256" })}.${encode({ exp: NOW / 1000 + expiresInSeconds, ...claims })}.sig`;
}

function store(initial: Record<string, string> = {}): KeyValueStore & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; text?: string };

function fakeFetch(routes: (call: Call, calls: Call[]) => Reply | Promise<Reply>) {
  const calls: Call[] = [];
  const fetcher: Fetch = async (url, init) => {
    const call: Call = {
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const reply = await routes(call, calls);
    const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
    return new Response(reply.status === 204 ? null : text, { status: reply.status });
  };
  return { fetcher, calls };
}

function client(routes: Parameters<typeof fakeFetch>[0], initial: Record<string, string> = {}) {
  const kv = store(initial);
  const session = new Session(kv, () => NOW);
  const { fetcher, calls } = fakeFetch(routes);
  return { api: new ApiClient("/api/v1/", session, fetcher), session, calls, kv };
}

describe("requests", () => {
  it("send JSON with the cart id, and read JSON back", async () => {
    const { api, calls, session } = client(() => ({ status: 201, body: { id: "h1" } }));
    const answer = await api.post<{ id: string }>("shows/1/holds/", { seats: [1, 2] });
    expect(answer).toEqual({ id: "h1" });
    expect(calls[0].url).toBe("/api/v1/shows/1/holds/");
    expect(calls[0].method).toBe("POST");
    expect(calls[0].body).toEqual({ seats: [1, 2] });
    expect(calls[0].headers["Content-Type"]).toBe("application/json");
    expect(calls[0].headers["X-Cart-Id"]).toBe(session.cartId());
    expect(calls[0].headers["X-Cart-Id"]).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(calls[0].headers.Authorization).toBeUndefined();
  });

  it("keep one cart id for the browser", () => {
    const kv = store();
    const first = new Session(kv).cartId();
    expect(new Session(kv).cartId()).toBe(first);
  });

  it("replace a damaged cart id", () => {
    const kv = store({ "tp.cart": "bad id!" });
    expect(new Session(kv).cartId()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("send the token only to the API's own paths", async () => {
    const { api, calls } = client(() => ({ status: 200, body: {} }));
    api.signIn({ access: jwt(600), refresh: "r1" });
    await api.blob("/api/v1/tickets/t1/pdf/");
    expect(calls[0].url).toBe("/api/v1/tickets/t1/pdf/");
    for (const path of ["//evil.example/x", "/static/app/x.js", "/api/v2/x"]) {
      const error = (await api.get(path).catch((e: unknown) => e)) as ApiError;
      expect(error.code).toBe("path_refused");
    }
    expect(calls).toHaveLength(1);
  });

  it("answer nothing for 204", async () => {
    const { api } = client(() => ({ status: 204 }));
    expect(await api.delete("holds/h1/")).toBeUndefined();
  });
});

describe("errors", () => {
  it("carry the server's code and reason", async () => {
    const { api } = client(() => ({
      status: 409,
      body: { detail: "Seats E13 are not available.", code: "seats_unavailable", seats: [101] },
    }));
    const error = await api.post("shows/1/holds/", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "seats_unavailable", detail: "Seats E13 are not available." });
    expect((error as ApiError).data.seats).toEqual([101]);
    expect(describeError(error)).toBe("Seats E13 are not available.");
  });

  it("give per-field messages of a validation error", async () => {
    const { api } = client(() => ({
      status: 400,
      body: { detail: "email: Enter a valid email address.", code: "invalid", errors: { email: ["Enter a valid email address."] } },
    }));
    const error = (await api.post("auth/register/", {}).catch((e: unknown) => e)) as ApiError;
    expect(error.fieldErrors()).toEqual({ email: "Enter a valid email address." });
  });

  it("turn an HTML error page into words, not markup", async () => {
    const { api } = client(() => ({ status: 502, text: "<html>Bad gateway</html>" }));
    const error = (await api.get("titles/").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe("http_502");
    expect(describeError(error)).toBe("The payment provider did not answer. Please try again in a moment.");
  });

  it("never show a server error's internals", async () => {
    const { api } = client(() => ({ status: 500, body: { detail: "Traceback (most recent call last)", code: "error" } }));
    const error = await api.get("titles/").catch((e: unknown) => e);
    expect(describeError(error)).toBe("Something went wrong on our side. Please try again in a moment.");
  });

  it("say when the network is down", async () => {
    const session = new Session(store(), () => NOW);
    const api = new ApiClient("/api/v1/", session, () => Promise.reject(new TypeError("Failed to fetch")));
    const error = (await api.get("titles/").catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("network");
    expect(describeError(error)).toMatch(/could not reach/);
  });
});

describe("tokens", () => {
  it("read a JWT's expiry", () => {
    expect(tokenExpiry(jwt(600))).toBe(NOW / 1000 + 600);
    expect(tokenExpiry("garbage")).toBe(0);
  });

  it("attach the access token once signed in", async () => {
    const { api, calls } = client(() => ({ status: 200, body: { id: 1 } }));
    api.signIn({ access: jwt(600), refresh: "r1" });
    await api.get("me/");
    expect(calls[0].headers.Authorization).toBe(`Bearer ${jwt(600)}`);
  });

  it("leave public reads without a token when asked", async () => {
    const { api, calls } = client(() => ({ status: 200, body: {} }));
    api.signIn({ access: jwt(600), refresh: "r1" });
    await api.get("titles/", { auth: false });
    expect(calls[0].headers.Authorization).toBeUndefined();
  });

  it("refresh a token about to expire before using it, and keep the rotated refresh token", async () => {
    const fresh = jwt(600, { n: 2 });
    const { api, calls, kv } = client((call) =>
      call.url.endsWith("auth/token/refresh/")
        ? { status: 200, body: { access: fresh, refresh: "r2" } }
        : { status: 200, body: {} },
    );
    api.signIn({ access: jwt(10), refresh: "r1" });
    await api.get("me/");
    expect(calls.map((c) => c.url)).toEqual(["/api/v1/auth/token/refresh/", "/api/v1/me/"]);
    expect(calls[0].body).toEqual({ refresh: "r1" });
    expect(calls[1].headers.Authorization).toBe(`Bearer ${fresh}`);
    expect(kv.values.get("tp.refresh")).toBe("r2");
  });

  it("refresh once for many requests waiting at the same time", async () => {
    const { api, calls } = client((call) =>
      call.url.endsWith("auth/token/refresh/")
        ? { status: 200, body: { access: jwt(600), refresh: "r2" } }
        : { status: 200, body: {} },
    );
    api.signIn({ access: jwt(0), refresh: "r1" });
    await Promise.all([api.get("me/"), api.get("orders/"), api.get("orders/1/")]);
    expect(calls.filter((c) => c.url.endsWith("refresh/"))).toHaveLength(1);
    expect(calls).toHaveLength(4);
  });

  it("after a reload, refresh before the first signed-in request", async () => {
    const { api, calls } = client((call) =>
      call.url.endsWith("auth/token/refresh/")
        ? { status: 200, body: { access: jwt(600), refresh: "r2" } }
        : { status: 200, body: {} },
      { "tp.refresh": "r1" },
    );
    await api.get("me/");
    expect(calls[0].url).toBe("/api/v1/auth/token/refresh/");
  });

  it("retry once with a new token when the server refuses the current one", async () => {
    const { api, calls } = client((call, all) => {
      if (call.url.endsWith("refresh/")) return { status: 200, body: { access: jwt(600, { n: 2 }), refresh: "r2" } };
      return all.length === 1
        ? { status: 401, body: { detail: "Token is invalid", code: "token_not_valid" } }
        : { status: 200, body: { ok: true } };
    });
    api.signIn({ access: jwt(600), refresh: "r1" });
    expect(await api.get("me/")).toEqual({ ok: true });
    expect(calls.map((c) => c.url)).toEqual(["/api/v1/me/", "/api/v1/auth/token/refresh/", "/api/v1/me/"]);
  });

  it("sign out when the refresh token is refused", async () => {
    const listener = vi.fn();
    const { api, session, calls } = client((call) =>
      call.url.endsWith("refresh/")
        ? { status: 401, body: { detail: "Token is blacklisted", code: "token_not_valid" } }
        : { status: 200, body: {} },
    );
    api.signIn({ access: jwt(0), refresh: "r1" });
    session.subscribe(listener);
    await api.get("titles/");
    expect(session.signedIn).toBe(false);
    expect(listener).toHaveBeenCalled();
    expect(calls[1].headers.Authorization).toBeUndefined();
  });

  it("keep the customer signed in when the refresh is throttled", async () => {
    const { api, session } = client((call) =>
      call.url.endsWith("refresh/")
        ? { status: 429, body: { detail: "Request was throttled.", code: "throttled" } }
        : { status: 200, body: {} },
    );
    api.signIn({ access: jwt(0), refresh: "r1" });
    const error = (await api.get("me/").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(session.signedIn).toBe(true);
    expect(session.refreshToken).toBe("r1");
  });

  it("follow another tab signing in or out, not its token rotations", () => {
    const session = new Session(store({ "tp.refresh": "r1" }), () => NOW);
    const listener = vi.fn();
    session.set({ access: jwt(600), refresh: "r1" });
    session.subscribe(listener);
    session.external("r1", "r2");
    expect(listener).not.toHaveBeenCalled();
    expect(session.freshAccess()).not.toBeNull();
    session.external("r2", null);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(session.freshAccess()).toBeNull();
  });

  it("judge a token's lifetime by the clock it is given", () => {
    const fastDevice = new Session(store(), () => NOW + 20 * 60_000);
    fastDevice.set({ access: jwt(600), refresh: "r1" });
    expect(fastDevice.freshAccess()).toBeNull();
    const corrected = new Session(store(), () => NOW);
    corrected.set({ access: jwt(600), refresh: "r1" });
    expect(corrected.freshAccess()).not.toBeNull();
  });

  it("use the token another tab rotated instead of signing out", async () => {
    const kv = store();
    const session = new Session(kv, () => NOW);
    const { fetcher, calls } = fakeFetch((call) => {
      if (call.url.endsWith("refresh/")) {
        const used = (call.body as { refresh: string }).refresh;
        if (used === "r1") {
          kv.values.set("tp.refresh", "r2"); // the other tab won the race
          return { status: 401, body: { detail: "blacklisted", code: "token_not_valid" } };
        }
        return { status: 200, body: { access: jwt(600), refresh: "r3" } };
      }
      return { status: 200, body: {} };
    });
    const api = new ApiClient("/api/v1/", session, fetcher);
    api.signIn({ access: jwt(0), refresh: "r1" });
    await api.get("me/");
    expect(session.signedIn).toBe(true);
    expect(kv.values.get("tp.refresh")).toBe("r3");
    expect(calls.filter((c) => c.url.endsWith("refresh/")).map((c) => c.body)).toEqual([
      { refresh: "r1" },
      { refresh: "r2" },
    ]);
  });

  it("sign out on the server too", async () => {
    const { api, session, calls } = client(() => ({ status: 200, body: {} }));
    api.signIn({ access: jwt(600), refresh: "r1" });
    await api.signOut();
    expect(session.signedIn).toBe(false);
    expect(calls[0]).toMatchObject({ url: "/api/v1/auth/logout/", body: { refresh: "r1" } });
  });
});
