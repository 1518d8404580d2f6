import { describe, expect, it } from "vitest";
import { setMinorDigits } from "../lib/money";
import {
  availabilityWord,
  changeDue,
  classifyCode,
  commandFor,
  NEW_SALE,
  orderShows,
  parseAmount,
  quickCash,
  sale,
  ticketClaims,
  type KeyInput,
  type SaleState,
} from "./logic";

const key = (value: string, more: Partial<KeyInput> = {}): KeyInput => ({
  key: value,
  typing: false,
  enterTaken: false,
  ...more,
});

describe("the steps of a sale", () => {
  it("goes shows → seats → pay → done, and starts afresh keeping the method", () => {
    let state: SaleState = NEW_SALE;
    state = sale(state, { type: "pickShow", showId: 7 });
    expect(state).toMatchObject({ step: "seats", showId: 7 });
    state = sale(state, { type: "held", holdId: "h1" });
    expect(state).toMatchObject({ step: "pay", holdId: "h1" });
    state = sale(state, { type: "method", method: "card" });
    state = sale(state, { type: "paid", orderId: "o1" });
    expect(state).toEqual({ step: "done", showId: 7, holdId: null, orderId: "o1", method: "card" });
    expect(sale(state, { type: "newSale" })).toEqual({ ...NEW_SALE, method: "card" });
  });

  it("ignores events that do not belong to the step", () => {
    expect(sale(NEW_SALE, { type: "held", holdId: "h" })).toBe(NEW_SALE);
    expect(sale(NEW_SALE, { type: "paid", orderId: "o" })).toBe(NEW_SALE);
    const seats = sale(NEW_SALE, { type: "pickShow", showId: 1 });
    expect(sale(seats, { type: "pickShow", showId: 2 })).toBe(seats);
    expect(sale(seats, { type: "method", method: "card" })).toBe(seats);
  });

  it("goes back a step at a time; a released hold returns to the seats", () => {
    const pay = sale(sale(NEW_SALE, { type: "pickShow", showId: 3 }), { type: "held", holdId: "h" });
    expect(sale(pay, { type: "released" })).toMatchObject({ step: "seats", showId: 3, holdId: null });
    const seats = sale(pay, { type: "back" });
    expect(seats).toMatchObject({ step: "seats", holdId: null });
    expect(sale(seats, { type: "back" })).toMatchObject({ step: "shows", showId: null });
    expect(sale(NEW_SALE, { type: "back" })).toBe(NEW_SALE);
  });
});

describe("keys", () => {
  it("maps the digits to best available only on the seats step", () => {
    expect(commandFor("seats", key("2"))).toEqual({ type: "bestAvailable", count: 2 });
    expect(commandFor("seats", key("9"))).toEqual({ type: "bestAvailable", count: 9 });
    expect(commandFor("seats", key("0"))).toBeNull();
    expect(commandFor("shows", key("2"))).toBeNull();
    expect(commandFor("pay", key("2"))).toBeNull();
  });

  it("maps C, K, P, E, S and N per step, in either case", () => {
    expect(commandFor("pay", key("c"))).toEqual({ type: "cash" });
    expect(commandFor("pay", key("K"))).toEqual({ type: "card" });
    expect(commandFor("done", key("p"))).toEqual({ type: "print" });
    expect(commandFor("done", key("e"))).toEqual({ type: "email" });
    expect(commandFor("done", key("s"))).toEqual({ type: "sms" });
    expect(commandFor("done", key("N"))).toEqual({ type: "newSale" });
    expect(commandFor("seats", key("c"))).toBeNull();
    expect(commandFor("done", key("c"))).toBeNull();
  });

  it("leaves typing alone, but Escape always goes back", () => {
    expect(commandFor("pay", key("c", { typing: true }))).toBeNull();
    expect(commandFor("seats", key("3", { typing: true }))).toBeNull();
    expect(commandFor("shows", key("/", { typing: true }))).toBeNull();
    expect(commandFor("pay", key("Escape", { typing: true }))).toEqual({ type: "back" });
    expect(commandFor("done", key("Escape"))).toEqual({ type: "newSale" });
  });

  it("confirms with Enter only where the focused control does not take it", () => {
    expect(commandFor("seats", key("Enter"))).toEqual({ type: "confirm" });
    expect(commandFor("seats", key("Enter", { enterTaken: true }))).toBeNull();
  });

  it("leaves the browser's own shortcuts alone", () => {
    expect(commandFor("done", key("p", { ctrlKey: true }))).toBeNull();
    expect(commandFor("seats", key("1", { metaKey: true }))).toBeNull();
    expect(commandFor("shows", key("/"))).toEqual({ type: "focusLookup" });
  });
});

describe("cash", () => {
  it("reads what the cashier typed in minor units", () => {
    expect(parseAmount("500", "INR")).toBe(50000);
    expect(parseAmount("₹ 1,250.50", "INR")).toBe(125050);
    expect(parseAmount("12.5", "EUR")).toBe(1250);
    expect(parseAmount("12,5", "EUR")).toBe(1250);
    expect(parseAmount("1.000", "EUR")).toBe(100000);
    expect(parseAmount("2000", "JPY")).toBe(2000);
    expect(parseAmount("0.75", "GBP")).toBe(75);
  });

  it("refuses what is not an amount", () => {
    for (const text of ["", "abc", "1.2.3", "1,2,3", ".", "12.5", "9999999999999"]) {
      const currency = text === "12.5" ? "JPY" : "INR";
      expect(parseAmount(text, currency), text).toBeNull();
    }
  });

  it("uses the server's digits for the currency", () => {
    setMinorDigits("XTS", 3);
    expect(parseAmount("1.5", "XTS")).toBe(1500);
  });

  it("gives the change only once enough was given", () => {
    expect(changeDue(50000, 38000)).toBe(12000);
    expect(changeDue(38000, 38000)).toBe(0);
    expect(changeDue(30000, 38000)).toBeNull();
    expect(changeDue(null, 38000)).toBeNull();
  });

  it("offers the exact sum and the round sums above it", () => {
    expect(quickCash(38000, "INR")).toEqual([38000, 40000, 50000, 100000]);
    expect(quickCash(1900, "GBP")).toEqual([1900, 2000, 5000, 10000]);
    expect(quickCash(50000, "INR")).toEqual([50000, 60000, 100000, 200000]);
  });
});

describe("the day's shows", () => {
  const at = (hour: number) => `2026-12-05T${String(hour).padStart(2, "0")}:00:00+00:00`;
  const show = (id: number, start: number) => ({ id, starts_at: at(start), ends_at: at(start + 2), status: "on_sale" });
  const now = Date.parse(at(15)) + 60_000; // 15:01

  it("puts the next shows first, then the running ones, then the ended", () => {
    const shows = [show(1, 10), show(2, 14), show(3, 20), show(4, 16), show(5, 12), show(6, 15)];
    expect(orderShows(shows, now).map((s) => s.id)).toEqual([4, 3, 6, 2, 5, 1]);
  });

  it("marks sold-out and nearly sold-out shows", () => {
    expect(availabilityWord(0, 150)).toBe("sold out");
    expect(availabilityWord(12, 150)).toBe("few left");
    expect(availabilityWord(40, 150)).toBe("");
    expect(availabilityWord(0, 0)).toBe("");
  });
});

describe("codes in the lookup box", () => {
  const encode = (claims: object) =>
    btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const code = `TK1.${encode({ t: "aurora", k: 1, i: "7f3c", s: 9, d: "2026-12-05", st: "F7", n: 1 })}.c2lnbmF0dXJl`;

  it("tells a booking reference from a ticket code and from words", () => {
    expect(classifyCode(" k7m2qx9p ")).toEqual({ kind: "reference", reference: "K7M2QX9P" });
    expect(classifyCode(code)).toEqual({ kind: "ticket", claims: { ticket: "7f3c", show: 9, seat: "F7" } });
    expect(classifyCode("Priya")).toEqual({ kind: "search", text: "Priya" });
    // Eight letters without a digit are a name, not a reference.
    expect(classifyCode("Rajendra")).toEqual({ kind: "search", text: "Rajendra" });
  });

  it("reads nothing from a damaged code, which is then searched as typed", () => {
    expect(ticketClaims("TK1.!!!.x")).toBeNull();
    expect(ticketClaims("TK1")).toBeNull();
    expect(ticketClaims(`TK1.${encode({ i: 1, s: "x", st: "A1" })}.x`)).toBeNull();
    expect(classifyCode("TK1.!!!.x")).toEqual({ kind: "search", text: "TK1.!!!.x" });
  });
});
