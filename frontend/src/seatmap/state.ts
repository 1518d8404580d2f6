/**
 * The seat picker's state, as one pure reducer: the seats and their states from the
 * API, the live deltas, the customer's choice and their hold.
 *
 * Live updates: the socket sends a snapshot, then a delta after every committed change,
 * each with the map's version (one more than the last). A delta at or below the
 * version we have is old news and ignored; a delta that skips a version means we
 * missed one, so nothing is applied until a fresh snapshot arrives (`needsSnapshot`).
 *
 * The customer's choice only ever holds seats that are available now. When someone
 * else takes a chosen seat, it leaves the choice at once and the customer is told
 * which. Once the customer holds seats, the choice is frozen until the hold is
 * released or runs out; when it runs out, its seats are shown free again (the
 * server counts a lapsed hold as free at that instant) and the customer is told.
 */

import type { Hold, Seat, SeatMap, SeatState } from "../api/types";

export type NoticeKind = "taken" | "expired" | "limit" | "unavailable" | "released" | "warning";

export interface Notice {
  kind: NoticeKind;
  message: string;
  /** Changes with every notice, so the same words said twice are announced twice. */
  serial: number;
}

export interface MyHold {
  id: string;
  seatIds: number[];
  expiresAt: string;
}

export interface SeatMapState {
  version: number;
  seats: Seat[];
  byId: Map<number, Seat>;
  states: Map<number, SeatState>;
  screen: { y: number; label: string } | null;
  selected: number[];
  hold: MyHold | null;
  /** Seats of a hold request in flight: their own delta may arrive before the answer. */
  pending: number[];
  needsSnapshot: boolean;
  maxSeats: number;
  notice: Notice | null;
}

export type Action =
  | { type: "snapshot"; map: SeatMap }
  | { type: "delta"; version: number; seats: { id: number; state: SeatState }[] }
  | { type: "toggle"; id: number }
  | { type: "clear" }
  | { type: "holding"; seatIds: number[] }
  | { type: "holdFailed" }
  | { type: "held"; hold: Hold }
  | { type: "resumed"; hold: MyHold }
  | { type: "released" }
  | { type: "expired" }
  | { type: "rejected"; seatIds: number[]; message?: string }
  | { type: "dismiss" };

export function initialState(maxSeats: number): SeatMapState {
  return {
    version: -1,
    seats: [],
    byId: new Map(),
    states: new Map(),
    screen: null,
    selected: [],
    hold: null,
    pending: [],
    needsSnapshot: false,
    maxSeats,
    notice: null,
  };
}

let serial = 0;
const notice = (kind: NoticeKind, message: string): Notice => ({ kind, message, serial: ++serial });

/** How many seats of each category are free now. */
export function availableByCategory(state: Pick<SeatMapState, "seats" | "states">): Map<string, number> {
  const counts = new Map<string, number>();
  for (const seat of state.seats) {
    if (state.states.get(seat.id) === "available") counts.set(seat.category, (counts.get(seat.category) ?? 0) + 1);
  }
  return counts;
}

export function seatName(seat: Pick<Seat, "row" | "number" | "label">): string {
  return seat.row ? `${seat.row}${seat.number}` : seat.label;
}

function listNames(state: SeatMapState, ids: number[]): string {
  const names = ids.map((id) => {
    const seat = state.byId.get(id);
    return seat ? seatName(seat) : `#${id}`;
  });
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Whether the customer may add this seat to their choice right now. */
export function selectable(state: SeatMapState, id: number): boolean {
  return state.hold === null && state.states.get(id) === "available";
}

/** The customer's own seats: those of their hold, else those they have chosen. */
export function mine(state: SeatMapState): number[] {
  return state.hold ? state.hold.seatIds : state.selected;
}

/** Drops chosen seats that are no longer available; says which went. */
function pruneSelection(state: SeatMapState): SeatMapState {
  const gone = state.selected.filter(
    (id) => state.states.get(id) !== "available" && !state.pending.includes(id),
  );
  if (!gone.length) return state;
  const plural = gone.length > 1;
  return {
    ...state,
    selected: state.selected.filter((id) => !gone.includes(id)),
    notice: notice(
      "taken",
      `${plural ? "Seats" : "Seat"} ${listNames(state, gone)} ${plural ? "were" : "was"} just taken by someone else, so we took ${plural ? "them" : "it"} out of your choice.`,
    ),
  };
}

export function reducer(state: SeatMapState, action: Action): SeatMapState {
  switch (action.type) {
    case "snapshot": {
      // Only a newer map is news: an older one (a slow HTTP answer that lost the race
      // with the socket's) or the same one again changes nothing. After a gap, the map
      // we wait for is newer than the one we have, so an older answer keeps us waiting.
      if (state.version >= 0 && action.map.version <= state.version) return state;
      const sorted = [...action.map.seats].sort((a, b) => a.y - b.y || a.x - b.x);
      // The same seats in the same places keep their objects, so only seats whose state
      // changed are drawn again.
      const same =
        sorted.length === state.seats.length &&
        sorted.every((seat, index) => {
          const old = state.seats[index];
          return old.id === seat.id && old.x === seat.x && old.y === seat.y && old.width === seat.width && old.category === seat.category;
        });
      const seats = same ? state.seats : sorted;
      const byId = same ? state.byId : new Map(seats.map((seat) => [seat.id, seat]));
      const states = new Map(sorted.map((seat) => [seat.id, seat.state] as const));
      return pruneSelection({
        ...state,
        version: action.map.version,
        seats,
        byId,
        states,
        screen: action.map.screen ?? state.screen,
        needsSnapshot: false,
        selected: state.selected.filter((id) => byId.has(id)),
      });
    }
    case "delta": {
      if (state.version < 0 || action.version <= state.version) return state;
      if (action.version > state.version + 1) return { ...state, needsSnapshot: true };
      if (state.needsSnapshot) return state;
      const states = new Map(state.states);
      for (const change of action.seats) {
        if (states.has(change.id)) states.set(change.id, change.state);
      }
      return pruneSelection({ ...state, version: action.version, states });
    }
    case "toggle": {
      if (state.selected.includes(action.id)) {
        return { ...state, selected: state.selected.filter((id) => id !== action.id) };
      }
      if (state.hold) {
        return {
          ...state,
          notice: notice("warning", "Your seats are held. Release them to choose others."),
        };
      }
      if (!selectable(state, action.id)) {
        return { ...state, notice: notice("unavailable", "That seat is not available.") };
      }
      if (state.selected.length >= state.maxSeats) {
        return {
          ...state,
          notice: notice("limit", `You can book up to ${state.maxSeats} seats at a time.`),
        };
      }
      return { ...state, selected: [...state.selected, action.id], notice: null };
    }
    case "clear":
      return { ...state, selected: [] };
    case "holding":
      return { ...state, pending: action.seatIds, notice: null };
    case "holdFailed":
      return pruneSelection({ ...state, pending: [] });
    case "held": {
      const seatIds = action.hold.seats.map((seat) => seat.id);
      const states = new Map(state.states);
      for (const id of seatIds) states.set(id, "held");
      return {
        ...state,
        states,
        selected: [],
        pending: [],
        hold: { id: action.hold.id, seatIds, expiresAt: action.hold.expires_at },
        notice: null,
      };
    }
    case "resumed":
      return { ...state, hold: action.hold, selected: [] };
    case "released": {
      if (!state.hold) return state;
      const states = new Map(state.states);
      for (const id of state.hold.seatIds) {
        if (states.get(id) === "held") states.set(id, "available");
      }
      return {
        ...state,
        states,
        selected: [],
        hold: null,
        notice: notice("released", "Your seats were released."),
      };
    }
    case "expired": {
      if (!state.hold) return state;
      const states = new Map(state.states);
      for (const id of state.hold.seatIds) {
        if (states.get(id) === "held") states.set(id, "available");
      }
      return {
        ...state,
        states,
        hold: null,
        selected: [],
        notice: notice(
          "expired",
          `Your hold on ${listNames(state, state.hold.seatIds)} ran out, so the seats were released. Choose again to book.`,
        ),
      };
    }
    case "rejected": {
      const states = new Map(state.states);
      for (const id of action.seatIds) {
        if (states.get(id) === "available") states.set(id, "held");
      }
      const pruned = pruneSelection({ ...state, states, pending: [] });
      return {
        ...pruned,
        notice: notice(
          "taken",
          action.message ??
            (action.seatIds.length
              ? `${listNames(state, action.seatIds)} ${action.seatIds.length > 1 ? "were" : "was"} taken a moment ago. Please choose other seats.`
              : "Those seats were taken a moment ago. Please choose others."),
        ),
      };
    }
    case "dismiss":
      return { ...state, notice: null };
  }
}

/** Counts of the customer's chosen seats per category, for the summary. */
export function selectionByCategory(state: SeatMapState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of mine(state)) {
    const seat = state.byId.get(id);
    if (seat) counts.set(seat.category, (counts.get(seat.category) ?? 0) + 1);
  }
  return counts;
}

/** Sum of the chosen seats' prices (before fees and taxes), in minor units. */
export function selectionTotal(state: SeatMapState, prices: Record<string, number>): number {
  let total = 0;
  for (const id of mine(state)) {
    const seat = state.byId.get(id);
    if (seat) total += prices[seat.category] ?? 0;
  }
  return total;
}

/**
 * The seat a keyboard arrow moves to: the nearest seat in that direction, preferring
 * the same row for left and right and the nearest column for up and down.
 */
export function neighbour(
  seats: Seat[],
  from: Seat,
  direction: "left" | "right" | "up" | "down",
): Seat | null {
  const centre = (seat: Seat) => seat.x + seat.width / 2;
  let best: Seat | null = null;
  let bestScore = Infinity;
  for (const seat of seats) {
    if (seat.id === from.id) continue;
    const dx = centre(seat) - centre(from);
    const dy = seat.y - from.y;
    let score: number;
    if (direction === "left" || direction === "right") {
      if (dy !== 0 || (direction === "left" ? dx >= 0 : dx <= 0)) continue;
      score = Math.abs(dx);
    } else {
      if (direction === "up" ? dy >= 0 : dy <= 0) continue;
      score = Math.abs(dy) * 1000 + Math.abs(dx);
    }
    if (score < bestScore) {
      best = seat;
      bestScore = score;
    }
  }
  return best;
}
