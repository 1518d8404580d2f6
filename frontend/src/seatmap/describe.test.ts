import { describe, expect, it } from "vitest";
import type { Seat } from "../api/types";
import { seatDescription } from "./describe";

const seat: Seat = {
  id: 1, label: "F12", section: "Prime", row: "F", number: 12, category: "premium",
  x: 11, y: 5, width: 1, state: "available", companion: null, wheelchair: false,
};
const base = {
  state: "available" as const, mine: false, category: { name: "Premium", colour: "#7c3aed" },
  price: 42000, currency: "INR", locale: "en-IN", companionOf: false, sectionInName: false,
};

describe("a seat's accessible name", () => {
  it("reads row, seat, category, price and state", () => {
    expect(seatDescription(seat, base)).toBe("Row F, seat 12, Premium, ₹420, available");
  });

  it("says when a seat is taken or the customer's own", () => {
    expect(seatDescription(seat, { ...base, state: "sold" })).toBe("Row F, seat 12, Premium, ₹420, sold");
    expect(seatDescription(seat, { ...base, state: "held", mine: true })).toBe("Row F, seat 12, Premium, ₹420, held for you");
  });

  it("marks wheelchair spaces, companion and couple seats, and names the section when rows repeat", () => {
    expect(
      seatDescription({ ...seat, wheelchair: true, category: "wheelchair" }, { ...base, category: { name: "Wheelchair", colour: "" } }),
    ).toBe("Row F, seat 12, Wheelchair, wheelchair space, ₹420, available");
    expect(seatDescription(seat, { ...base, companionOf: true })).toContain("companion seat");
    expect(seatDescription({ ...seat, width: 2, category: "couple" }, { ...base, category: { name: "Couple", colour: "" } })).toContain(
      "Couple, for two",
    );
    expect(seatDescription(seat, { ...base, sectionInName: true })).toBe("Prime, Row F, seat 12, Premium, ₹420, available");
  });
});
