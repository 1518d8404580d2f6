import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, LiveSeats, seatSocketUrl, type LiveHandlers, type SocketLike } from "./live";

class FakeSocket implements SocketLike {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closedWith = code;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  message(value: unknown) {
    this.onmessage?.({ data: typeof value === "string" ? value : JSON.stringify(value) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function handlers() {
  return {
    snapshot: vi.fn(),
    delta: vi.fn(),
    status: vi.fn(),
  } satisfies LiveHandlers;
}

const noJitter = { initialMs: 500, maxMs: 15_000, random: () => 0.5 };

describe("backoff", () => {
  it("doubles from half a second up to fifteen", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000,
    ]);
  });

  it("spreads reconnects by a quarter either way", () => {
    expect(backoffDelay(2, { ...noJitter, random: () => 0 })).toBe(1500);
    expect(backoffDelay(2, { ...noJitter, random: () => 1 })).toBe(2500);
  });
});

describe("the socket's address", () => {
  it("follows the page's scheme and host", () => {
    expect(seatSocketUrl(7, { protocol: "https:", host: "aurora.example.com" })).toBe(
      "wss://aurora.example.com/ws/shows/7/seats/",
    );
    expect(seatSocketUrl(7, { protocol: "http:", host: "aurora.localhost:8000" })).toBe(
      "ws://aurora.localhost:8000/ws/shows/7/seats/",
    );
  });
});

describe("LiveSeats", () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const start = () => {
    const h = handlers();
    const live = new LiveSeats("ws://x/ws/shows/1/seats/", h, (url) => new FakeSocket(url), noJitter);
    live.start();
    return { h, live, socket: () => FakeSocket.made[FakeSocket.made.length - 1] };
  };

  it("passes snapshots and deltas on, and ignores junk", () => {
    const { h, socket } = start();
    socket().open();
    socket().message({ type: "snapshot", version: 3, seats: [], screen: { y: -2, label: "Screen" } });
    socket().message({ type: "delta", version: 4, seats: [{ id: 1, state: "held" }] });
    socket().message("not json");
    socket().message({ type: "delta", version: "x" });
    socket().message({ type: "error", code: "unknown_message" });
    expect(h.snapshot).toHaveBeenCalledWith({ version: 3, seats: [], screen: { y: -2, label: "Screen" } });
    expect(h.delta).toHaveBeenCalledTimes(1);
    expect(h.delta).toHaveBeenCalledWith({ type: "delta", version: 4, seats: [{ id: 1, state: "held" }] });
    expect(h.status).toHaveBeenCalledWith("live");
  });

  it("asks the server for a snapshot after a gap", () => {
    const { live, socket } = start();
    socket().open();
    live.requestSnapshot();
    expect(socket().sent).toEqual(['{"type":"snapshot"}']);
  });

  it("reconnects after a drop with growing pauses, and resets them once connected", () => {
    const { h, socket } = start();
    socket().open();
    socket().drop();
    expect(h.status).toHaveBeenLastCalledWith("offline");
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(2);
    socket().drop(); // failed again before opening
    vi.advanceTimersByTime(999);
    expect(FakeSocket.made).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(3);
    socket().open();
    socket().drop();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.made).toHaveLength(4);
  });

  it("does not reconnect after a close that says the show has no live map", () => {
    const { socket } = start();
    socket().drop(4404);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });

  it("stops for good", () => {
    const { live, socket } = start();
    socket().open();
    live.stop();
    expect(socket().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });

  it("reconnects at once when nudged while waiting", () => {
    const { live, socket } = start();
    socket().drop();
    live.nudge();
    expect(FakeSocket.made).toHaveLength(2);
  });
});
