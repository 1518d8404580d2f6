/**
 * The box office screen's pure logic: the steps of a sale, the keys that drive them,
 * cash and change, the order of the day's shows, and what a scanned code is. No React,
 * no network: everything here is tested by `logic.test.ts`.
 */

import { minorDigits } from "../lib/money";

// --- the steps of a sale ------------------------------------------------------------------

/** shows → seats → pay (the hold is ours) → done (paid: print, send, next). */
export type Step = "shows" | "seats" | "pay" | "done";

export interface SaleState {
  step: Step;
  showId: number | null;
  holdId: string | null;
  orderId: string | null;
  method: "cash" | "card";
}

export const NEW_SALE: SaleState = { step: "shows", showId: null, holdId: null, orderId: null, method: "cash" };

export type SaleEvent =
  | { type: "pickShow"; showId: number }
  | { type: "held"; holdId: string }
  | { type: "method"; method: "cash" | "card" }
  | { type: "paid"; orderId: string }
  /** The hold was released or ran out: back to the same show's seats. */
  | { type: "released" }
  | { type: "back" }
  | { type: "newSale" };

export function sale(state: SaleState, event: SaleEvent): SaleState {
  switch (event.type) {
    case "pickShow":
      if (state.step !== "shows") return state;
      return { ...NEW_SALE, step: "seats", showId: event.showId, method: state.method };
    case "held":
      if (state.step !== "seats") return state;
      return { ...state, step: "pay", holdId: event.holdId };
    case "method":
      return state.step === "pay" ? { ...state, method: event.method } : state;
    case "paid":
      if (state.step !== "pay") return state;
      return { ...state, step: "done", orderId: event.orderId, holdId: null };
    case "released":
      return state.step === "pay" ? { ...state, step: "seats", holdId: null } : state;
    case "back":
      // From payment, back means "release the seats" (the screen does that first).
      if (state.step === "pay") return { ...state, step: "seats", holdId: null };
      if (state.step === "seats") return { ...state, step: "shows", showId: null };
      if (state.step === "done") return { ...NEW_SALE, method: state.method };
      return state;
    case "newSale":
      // The last payment method stays: a queue of cash buyers is the usual case.
      return { ...NEW_SALE, method: state.method };
  }
}

// --- keys ---------------------------------------------------------------------------------

export type Command =
  | { type: "focusLookup" }
  | { type: "bestAvailable"; count: number }
  | { type: "nextCategory"; step: 1 | -1 }
  | { type: "confirm" }
  | { type: "cash" }
  | { type: "card" }
  | { type: "print" }
  | { type: "email" }
  | { type: "sms" }
  | { type: "newSale" }
  | { type: "back" };

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Focus is in a text field (letters and digits are typing then, not commands). */
  typing: boolean;
  /** Focus is on a control that handles Enter itself (a button, a seat, a link). */
  enterTaken: boolean;
}

/** What a key press does at a step, or null (the browser keeps it). */
export function commandFor(step: Step, input: KeyInput): Command | null {
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  const key = input.key;
  if (key === "Escape") return step === "done" ? { type: "newSale" } : { type: "back" };
  if (input.typing) return null;
  if (key === "/") return { type: "focusLookup" };
  if (key === "Enter") return input.enterTaken ? null : { type: "confirm" };
  const lower = key.length === 1 ? key.toLowerCase() : key;
  switch (step) {
    case "seats":
      if (/^[1-9]$/.test(key)) return { type: "bestAvailable", count: Number(key) };
      if (key === "]") return { type: "nextCategory", step: 1 };
      if (key === "[") return { type: "nextCategory", step: -1 };
      return null;
    case "pay":
      if (lower === "c") return { type: "cash" };
      if (lower === "k") return { type: "card" };
      return null;
    case "done":
      if (lower === "p") return { type: "print" };
      if (lower === "e") return { type: "email" };
      if (lower === "s") return { type: "sms" };
      if (lower === "n") return { type: "newSale" };
      return null;
    default:
      return null;
  }
}

/** The keys each step shows on screen. */
export const SHORTCUTS: Record<Step, { keys: string; what: string }[]> = {
  shows: [
    { keys: "↑ ↓", what: "choose a show" },
    { keys: "Enter", what: "open it" },
    { keys: "/", what: "find an order" },
  ],
  seats: [
    { keys: "1–9", what: "best seats" },
    { keys: "[ ]", what: "category" },
    { keys: "Space", what: "pick a seat" },
    { keys: "Enter", what: "hold picked" },
    { keys: "Esc", what: "back" },
  ],
  pay: [
    { keys: "C", what: "cash" },
    { keys: "K", what: "card" },
    { keys: "Enter", what: "take payment" },
    { keys: "Esc", what: "release seats" },
  ],
  done: [
    { keys: "P", what: "print" },
    { keys: "E", what: "email" },
    { keys: "S", what: "SMS" },
    { keys: "N / Esc", what: "new sale" },
  ],
};

// --- cash ---------------------------------------------------------------------------------

/**
 * What the cashier typed ("500", "1,250.50", "₹ 2000") in minor units, or null when it
 * is not an amount. Only a dot or a comma followed by at most the currency's digits is
 * a decimal separator; other commas, spaces and currency signs are ignored.
 */
export function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const cleaned = text.replace(/[^\d.,]/g, "");
  const fraction = digits > 0 ? `(?:[.,](\\d{1,${digits}}))?` : "";
  const found = new RegExp(`^(\\d{1,3}(?:[.,]\\d{3})+|\\d+)${fraction}$`).exec(cleaned);
  if (!found) return null;
  const whole = found[1].replace(/[.,]/g, "");
  if (whole.length > 12) return null;
  return Number(whole) * 10 ** digits + Number((found[2] ?? "").padEnd(digits, "0") || "0");
}

/** The change to give back, in minor units; null while the amount given is short. */
export function changeDue(given: number | null, total: number): number | null {
  if (given === null || given < total) return null;
  return given - total;
}

/** Notes a cashier is likely to be handed for a total: the total itself, then round sums. */
export function quickCash(total: number, currency: string): number[] {
  const unit = 10 ** minorDigits(currency);
  const steps = [10, 20, 50, 100, 200, 500, 1000, 2000].map((n) => n * unit);
  const amounts = new Set<number>([total]);
  for (const step of steps) {
    const rounded = Math.ceil(total / step) * step;
    if (rounded > total) amounts.add(rounded);
    if (amounts.size >= 4) break;
  }
  return [...amounts].sort((a, b) => a - b);
}

// --- the day's shows ----------------------------------------------------------------------

export interface DeskShow {
  id: number;
  starts_at: string;
  ends_at: string;
  status: string;
}

/**
 * Shows still to come first (soonest first), then those that have started (most recent
 * first, the box office still sells to late-comers), then those that have ended.
 */
export function orderShows<T extends DeskShow>(shows: T[], now: number): T[] {
  const rank = (show: T) => {
    const start = Date.parse(show.starts_at);
    const end = Date.parse(show.ends_at);
    if (start > now) return 0;
    if (end > now) return 1;
    return 2;
  };
  return [...shows].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank) return byRank;
    const delta = Date.parse(a.starts_at) - Date.parse(b.starts_at);
    return rank(a) === 0 ? delta : -delta;
  });
}

/** "sold out", "few left" (at most a tenth, or 10), or "" from the seats' counts. */
export function availabilityWord(free: number, total: number): "sold out" | "few left" | "" {
  if (total <= 0) return "";
  if (free <= 0) return "sold out";
  if (free <= Math.max(10, Math.floor(total / 10))) return "few left";
  return "";
}

// --- scanned and typed codes ----------------------------------------------------------------

export interface TicketClaims {
  ticket: string;
  show: number;
  seat: string;
}

export type Code =
  | { kind: "reference"; reference: string }
  | { kind: "ticket"; claims: TicketClaims }
  | { kind: "search"; text: string };

const REFERENCE = /^[2-9A-HJ-NP-Z]{8}$/;

/**
 * What the lookup box was given: a booking reference, a ticket's QR code (a scanner
 * types it and Enter), or words. A ticket is found by its seat on its show: the
 * lookup searches the seat's label and keeps the order of that show.
 */
export function classifyCode(raw: string): Code {
  const text = raw.trim();
  if (REFERENCE.test(text.toUpperCase()) && /\d/.test(text)) {
    return { kind: "reference", reference: text.toUpperCase() };
  }
  if (text.startsWith("TK1.")) {
    const claims = ticketClaims(text);
    if (claims) return { kind: "ticket", claims };
  }
  return { kind: "search", text };
}

/** The ticket, show and seat of a `TK1.<payload>.<signature>` code, read without
 * checking the signature (the door checks it; this only finds the order). */
export function ticketClaims(code: string): TicketClaims | null {
  const payload = code.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4))) as Record<string, unknown>;
    const show = Number(json.s);
    if (json.i === undefined || !Number.isInteger(show) || typeof json.st !== "string" || !json.st) return null;
    return { ticket: String(json.i), show, seat: json.st };
  } catch {
    return null;
  }
}
