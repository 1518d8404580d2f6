import { describe, expect, it } from "vitest";

import { availabilityText, priceText, slugFrom, type PlanOption } from "./signup";

const starter: PlanOption = {
  code: "starter",
  name: "Starter",
  prices: [
    { currency: "INR", monthly_fee_text: "₹999.00", per_ticket_text: "₹5.00" },
    { currency: "EUR", monthly_fee_text: "€19.00", per_ticket_text: "€0.10" },
  ],
};

describe("the sign-up form", () => {
  it("says whether a subdomain is free, and why not", () => {
    const domain = "example.com";
    expect(availabilityText({ slug: "aurora", available: true, reason: "" }, domain)).toBe(
      "aurora.example.com is available",
    );
    expect(availabilityText({ slug: "www", available: false, reason: "reserved" }, domain)).toBe(
      "www.example.com is reserved: choose another name",
    );
    expect(availabilityText({ slug: "alpha", available: false, reason: "taken" }, domain)).toBe(
      "alpha.example.com is taken: choose another name",
    );
    expect(availabilityText({ slug: "a b", available: false, reason: "invalid" }, domain)).toMatch(
      /^Use 3 to 40 lower-case letters/,
    );
  });

  it("shows a plan's price in the chosen currency", () => {
    expect(priceText(starter, "EUR")).toBe("€19.00 a month + €0.10 a ticket");
    expect(priceText(starter, "USD")).toBe("Not offered in USD");
  });

  it("suggests a subdomain from the chain's name", () => {
    expect(slugFrom("Aurora Multiplex")).toBe("aurora-multiplex");
    expect(slugFrom("  Café Lumière!  ")).toBe("cafe-lumiere");
    expect(slugFrom("4 Star Cinemas")).toBe("star-cinemas");
    expect(slugFrom("x".repeat(50))).toHaveLength(40);
  });
});
