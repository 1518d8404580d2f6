/**
 * The live seat map socket: `ws(s)://<chain host>/ws/shows/{id}/seats/`.
 *
 * It passes snapshots and deltas on, asks for a fresh snapshot when told (after a
 * version gap), and reconnects after a drop with exponential back-off and jitter
 * (0.5 s doubling to 15 s), so a restarted server is not stampeded by every open
 * seat map at once. Every reconnect starts with a snapshot, so nothing is missed.
 */

import type { SeatDelta, SeatMap } from "../api/types";

export type LiveStatus = "connecting" | "live" | "offline";

export interface LiveHandlers {
  snapshot(map: SeatMap): void;
  delta(delta: SeatDelta): void;
  status(status: LiveStatus): void;
}

export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random: () => number;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, random: Math.random };

/** Delay before reconnect attempt `attempt` (0-based): doubling, capped, with ±25 % jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  return Math.round(base * (0.75 + options.random() * 0.5));
}

export function seatSocketUrl(showId: number, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/shows/${showId}/seats/`;
}

const OPEN = 1;
// Close codes that mean "this show or chain has no live map" (4404, 4403): reconnecting
// would not help. Today's server refuses such a handshake outright, which a browser
// sees as 1006 like any drop; the show page therefore also stops the socket when the
// seat map itself answers that the show is not on sale.
const FINAL_CODES = new Set([4403, 4404]);

export class LiveSeats {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
    private readonly factory: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000);
    }
  }

  /** Ask for a fresh snapshot (after a version gap); reconnects if the socket is down. */
  requestSnapshot(): void {
    if (this.socket && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify({ type: "snapshot" }));
    } else if (!this.timer && !this.socket) {
      this.connect();
    }
  }

  /** Reconnect at once (the browser came back online, or the tab became visible). */
  nudge(): void {
    if (this.stopped || this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.status("connecting");
    let socket: SocketLike;
    try {
      socket = this.factory(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.handlers.status("live");
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => {
      // A close event follows; reconnecting is handled there.
    };
    socket.onclose = (event) => {
      this.socket = null;
      if (this.stopped) return;
      this.handlers.status("offline");
      if (!FINAL_CODES.has(event.code)) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(this.attempt++, this.backoff);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    const typed = message as { type?: unknown };
    if (typed.type === "snapshot") {
      const { version, seats, screen } = message as SeatMap & { type: string };
      if (typeof version === "number" && Array.isArray(seats)) {
        this.handlers.snapshot({ version, seats, screen });
      }
    } else if (typed.type === "delta") {
      const delta = message as SeatDelta;
      if (typeof delta.version === "number" && Array.isArray(delta.seats)) this.handlers.delta(delta);
    }
  }
}
