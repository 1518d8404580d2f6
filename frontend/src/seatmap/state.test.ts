import { describe, expect, it } from "vitest";
import type { Hold, Seat, SeatMap, SeatState } from "../api/types";
import {
  availableByCategory,
  initialState,
  mine,
  neighbour,
  reducer,
  selectionTotal,
  type Action,
  type SeatMapState,
} from "./state";

function seat(id: number, row: string, number: number, x: number, y: number, extra: Partial<Seat> = {}): Seat {
  return {
    id,
    label: `${row}${number}`,
    section: "Stalls",
    row,
    number,
    category: "regular",
    x,
    y,
    width: 1,
    state: "available",
    companion: null,
    wheelchair: false,
    ...extra,
  };
}

// Row A: seats 1..4 at y=0; row B: seats 5..8 at y=1, seat 8 premium.
const SEATS: Seat[] = [
  seat(1, "A", 1, 0, 0),
  seat(2, "A", 2, 1, 0),
  seat(3, "A", 3, 2, 0),
  seat(4, "A", 4, 3, 0, { state: "sold" }),
  seat(5, "B", 1, 0, 1),
  seat(6, "B", 2, 1, 1),
  seat(7, "B", 3, 2, 1, { state: "blocked" }),
  seat(8, "B", 4, 3, 1, { category: "premium" }),
];

const map = (version = 5, seats = SEATS): SeatMap => ({ version, seats, screen: { y: -2, label: "Screen" } });

function run(actions: Action[], start: SeatMapState = initialState(3)): SeatMapState {
  return actions.reduce(reducer, start);
}

const loaded = (maxSeats = 3) => run([{ type: "snapshot", map: map() }], initialState(maxSeats));
const delta = (version: number, changes: [number, SeatState][]): Action => ({
  type: "delta",
  version,
  seats: changes.map(([id, state]) => ({ id, state })),
});
const hold = (ids: number[], expires = "2026-12-05T10:00:00Z"): Hold => ({
  id: "hold-1",
  show: 1,
  status: "active",
  seats: ids.map((id) => ({ id, label: "", row: "", number: 0, category: "regular", section: "" })),
  expires_at: expires,
  cart_id: "",
});

describe("snapshot", () => {
  it("takes the seats, their states, the version and the screen", () => {
    const state = loaded();
    expect(state.version).toBe(5);
    expect(state.seats).toHaveLength(8);
    expect(state.states.get(4)).toBe("sold");
    expect(state.screen).toEqual({ y: -2, label: "Screen" });
    expect(state.needsSnapshot).toBe(false);
  });

  it("drops chosen seats that the new snapshot shows taken, and says so", () => {
    const chosen = run([{ type: "toggle", id: 2 }, { type: "toggle", id: 3 }], loaded());
    const taken = SEATS.map((s) => (s.id === 2 ? { ...s, state: "held" as const } : s));
    const state = reducer(chosen, { type: "snapshot", map: map(9, taken) });
    expect(state.selected).toEqual([3]);
    expect(state.notice?.kind).toBe("taken");
    expect(state.notice?.message).toContain("A2");
  });
});

describe("free seats per category", () => {
  it("counts only the seats free now, per category", () => {
    // Regular: 1, 2, 3, 5, 6 free (4 sold, 7 blocked); premium: 8.
    expect(Object.fromEntries(availableByCategory(loaded()))).toEqual({ regular: 5, premium: 1 });
    const after = reducer(loaded(), delta(6, [[8, "held"]]));
    expect(Object.fromEntries(availableByCategory(after))).toEqual({ regular: 5 });
  });
});

describe("snapshots again", () => {
  it("change nothing when the version is the one we have", () => {
    const before = loaded();
    expect(reducer(before, { type: "snapshot", map: map(5) })).toBe(before);
  });

  it("keep the seats' objects when only states changed, so unchanged seats are not redrawn", () => {
    const before = loaded();
    const after = reducer(before, { type: "snapshot", map: map(8, SEATS.map((s) => (s.id === 2 ? { ...s, state: "sold" as const } : s))) });
    expect(after.seats).toBe(before.seats);
    expect(after.states.get(2)).toBe("sold");
    expect(after.version).toBe(8);
  });
});

describe("snapshots after a gap", () => {
  it("an older answer does not end the wait, nor take the map back", () => {
    const moved = reducer(loaded(), delta(6, [[1, "sold"]]));
    const gap = reducer(moved, delta(9, [[2, "sold"]]));
    const stale = reducer(gap, { type: "snapshot", map: map(5) });
    expect(stale.needsSnapshot).toBe(true);
    expect(stale.states.get(1)).toBe("sold");
    expect(stale.version).toBe(6);
  });
});

describe("snapshots out of order", () => {
  it("keep the newer map when an older snapshot arrives late", () => {
    const newer = reducer(loaded(), delta(6, [[1, "sold"]]));
    const late = reducer(newer, { type: "snapshot", map: map(5) });
    expect(late).toBe(newer);
    expect(late.states.get(1)).toBe("sold");
  });
});

describe("deltas", () => {
  it("apply the next version", () => {
    const state = reducer(loaded(), delta(6, [[1, "held"], [2, "held"]]));
    expect(state.version).toBe(6);
    expect(state.states.get(1)).toBe("held");
    expect(state.states.get(2)).toBe("held");
  });

  it("ignore versions we already have", () => {
    const before = loaded();
    expect(reducer(before, delta(5, [[1, "sold"]]))).toBe(before);
    expect(reducer(before, delta(3, [[1, "sold"]]))).toBe(before);
  });

  it("are held back on a version gap until a fresh snapshot arrives", () => {
    const gap = reducer(loaded(), delta(7, [[1, "sold"]]));
    expect(gap.needsSnapshot).toBe(true);
    expect(gap.states.get(1)).toBe("available");
    expect(gap.version).toBe(5);
    // Still waiting: even the next delta in sequence is not applied on top of a hole.
    const stillWaiting = reducer(gap, delta(6, [[2, "sold"]]));
    expect(stillWaiting.states.get(2)).toBe("available");
    const fresh = reducer(
      stillWaiting,
      { type: "snapshot", map: map(7, SEATS.map((s) => (s.id === 1 ? { ...s, state: "sold" as const } : s))) },
    );
    expect(fresh.needsSnapshot).toBe(false);
    expect(fresh.version).toBe(7);
    expect(fresh.states.get(1)).toBe("sold");
  });

  it("are ignored before the first snapshot", () => {
    const empty = initialState(3);
    expect(reducer(empty, delta(1, [[1, "sold"]]))).toBe(empty);
  });

  it("take a seat out of the customer's choice when someone else takes it, and say which", () => {
    const chosen = run([{ type: "toggle", id: 1 }, { type: "toggle", id: 2 }], loaded());
    const state = reducer(chosen, delta(6, [[2, "held"]]));
    expect(state.selected).toEqual([1]);
    expect(state.notice).toMatchObject({ kind: "taken" });
    expect(state.notice?.message).toBe(
      "Seat A2 was just taken by someone else, so we took it out of your choice.",
    );
  });

  it("name every seat taken at once", () => {
    const chosen = run([{ type: "toggle", id: 1 }, { type: "toggle", id: 2 }, { type: "toggle", id: 3 }], loaded());
    const state = reducer(chosen, delta(6, [[1, "sold"], [3, "held"]]));
    expect(state.selected).toEqual([2]);
    expect(state.notice?.message).toContain("Seats A1 and A3 were just taken");
  });

  it("do not count the customer's own hold, whose delta may beat the answer", () => {
    const chosen = run(
      [{ type: "toggle", id: 1 }, { type: "toggle", id: 2 }, { type: "holding", seatIds: [1, 2] }],
      loaded(),
    );
    const state = reducer(chosen, delta(6, [[1, "held"], [2, "held"]]));
    expect(state.selected).toEqual([1, 2]);
    expect(state.notice).toBeNull();
    const held = reducer(state, { type: "held", hold: hold([1, 2]) });
    expect(held.hold?.seatIds).toEqual([1, 2]);
    expect(held.pending).toEqual([]);
    expect(mine(held)).toEqual([1, 2]);
  });
});

describe("choosing seats", () => {
  it("toggles an available seat in and out", () => {
    const state = run([{ type: "toggle", id: 1 }, { type: "toggle", id: 2 }, { type: "toggle", id: 1 }], loaded());
    expect(state.selected).toEqual([2]);
  });

  it.each([4, 7])("refuses seat %i, which is not available", (id) => {
    const state = reducer(loaded(), { type: "toggle", id });
    expect(state.selected).toEqual([]);
    expect(state.notice?.kind).toBe("unavailable");
  });

  it("refuses an unknown seat", () => {
    expect(reducer(loaded(), { type: "toggle", id: 999 }).selected).toEqual([]);
  });

  it("stops at the chain's seat limit", () => {
    const state = run(
      [{ type: "toggle", id: 1 }, { type: "toggle", id: 2 }, { type: "toggle", id: 3 }],
      loaded(2),
    );
    expect(state.selected).toEqual([1, 2]);
    expect(state.notice).toMatchObject({ kind: "limit", message: "You can book up to 2 seats at a time." });
  });

  it("is frozen while the customer holds seats", () => {
    const held = run([{ type: "held", hold: hold([1]) }], loaded());
    const state = reducer(held, { type: "toggle", id: 2 });
    expect(state.selected).toEqual([]);
    expect(state.notice?.kind).toBe("warning");
  });

  it("adds up the chosen seats' prices", () => {
    const state = run([{ type: "toggle", id: 1 }, { type: "toggle", id: 8 }], loaded());
    expect(selectionTotal(state, { regular: 15000, premium: 38000 })).toBe(53000);
  });
});

describe("the hold", () => {
  it("marks its seats held and clears the choice", () => {
    const state = run([{ type: "toggle", id: 1 }, { type: "held", hold: hold([1, 2]) }], loaded());
    expect(state.states.get(1)).toBe("held");
    expect(state.states.get(2)).toBe("held");
    expect(state.selected).toEqual([]);
    expect(state.hold).toEqual({ id: "hold-1", seatIds: [1, 2], expiresAt: "2026-12-05T10:00:00Z" });
  });

  it("frees its seats on screen when it runs out, and says so", () => {
    const state = run([{ type: "held", hold: hold([1, 2]) }, { type: "expired" }], loaded());
    expect(state.hold).toBeNull();
    expect(state.states.get(1)).toBe("available");
    expect(state.states.get(2)).toBe("available");
    expect(state.notice?.kind).toBe("expired");
    expect(state.notice?.message).toContain("A1 and A2 ran out");
  });

  it("does not free a seat that was sold meanwhile when it runs out", () => {
    const state = run(
      [{ type: "held", hold: hold([1, 2]) }, delta(6, [[2, "sold"]]), { type: "expired" }],
      loaded(),
    );
    expect(state.states.get(1)).toBe("available");
    expect(state.states.get(2)).toBe("sold");
  });

  it("gives its seats back when released", () => {
    const state = run([{ type: "held", hold: hold([1]) }, { type: "released" }], loaded());
    expect(state.hold).toBeNull();
    expect(state.states.get(1)).toBe("available");
    expect(state.notice?.kind).toBe("released");
  });

  it("refused with a 409 marks the seats taken and takes them out of the choice", () => {
    const state = run(
      [
        { type: "toggle", id: 1 },
        { type: "toggle", id: 2 },
        { type: "holding", seatIds: [1, 2] },
        { type: "rejected", seatIds: [2] },
      ],
      loaded(),
    );
    expect(state.states.get(2)).toBe("held");
    expect(state.selected).toEqual([1]);
    expect(state.pending).toEqual([]);
    expect(state.notice?.kind).toBe("taken");
  });

  it("expiring without a hold changes nothing", () => {
    const before = loaded();
    expect(reducer(before, { type: "expired" })).toBe(before);
  });
});

describe("keyboard neighbours", () => {
  const byId = (id: number) => SEATS.find((s) => s.id === id)!;

  it("moves along the row", () => {
    expect(neighbour(SEATS, byId(2), "right")?.id).toBe(3);
    expect(neighbour(SEATS, byId(2), "left")?.id).toBe(1);
    expect(neighbour(SEATS, byId(1), "left")).toBeNull();
  });

  it("moves between rows to the nearest column", () => {
    expect(neighbour(SEATS, byId(2), "down")?.id).toBe(6);
    expect(neighbour(SEATS, byId(6), "up")?.id).toBe(2);
    expect(neighbour(SEATS, byId(2), "up")).toBeNull();
  });
});
