import { useEffect, useRef, useState } from "react";
import { endpoints } from "../api";
import { ApiError, describeError } from "../api/errors";
import { describeWait, queueForget, queueLoad, queueSave, queueSocketUrl } from "./store";

interface Props {
  showId: number;
  /** Admitted: the admission is stored (store.ts admissionFor); back to the seat map. */
  onAdmitted: () => void;
  /** The queue cannot be reached (Redis lost): the server books directly meanwhile. */
  onUnavailable: () => void;
}

const POLL_MS = 2000;

/**
 * The waiting room of one show: a place (joined once, kept in localStorage so that a
 * refresh keeps it), its position and estimated wait live over the WebSocket, or by
 * polling the ticket when the socket fails, until the admission comes.
 */
export function WaitingRoom({ showId, onAdmitted, onUnavailable }: Props) {
  const [position, setPosition] = useState<number | null>(null);
  const [wait, setWait] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<number | null>(null);
  const done = useRef(false);
  const callbacks = useRef({ onAdmitted, onUnavailable });
  callbacks.current = { onAdmitted, onUnavailable };

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;

    const seen = (at: number, seconds: number) => {
      if (first.current === null || at > first.current) first.current = at;
      setPosition(at);
      setWait(seconds);
    };
    const admitted = (ticket: string, admission: string, expiresAt: string) => {
      if (done.current) return;
      done.current = true;
      queueSave(showId, { ticket, admission, expiresAt });
      callbacks.current.onAdmitted();
    };
    const failed = (problem: unknown): boolean => {
      if (problem instanceof ApiError && problem.status === 503) {
        done.current = true;
        callbacks.current.onUnavailable();
        return true;
      }
      setError(describeError(problem));
      return false;
    };

    const poll = async (ticket: string) => {
      if (stopped || done.current) return;
      try {
        const status = await endpoints.queueStatus(showId, ticket);
        if (status.admitted && status.admission && status.expires_at) {
          admitted(ticket, status.admission, status.expires_at);
          return;
        }
        seen(status.position ?? 1, status.estimated_wait_s ?? 0);
        setError(null);
      } catch (problem) {
        if (problem instanceof ApiError && problem.status === 404) {
          // The ticket is no longer known (the queue was reset): take a new place.
          queueForget(showId);
          void start();
          return;
        }
        if (failed(problem)) return;
      }
      if (!stopped) timer = setTimeout(() => void poll(ticket), POLL_MS);
    };

    const watch = (ticket: string) => {
      let fellBack = false;
      const fallBack = () => {
        if (fellBack || stopped || done.current) return;
        fellBack = true;
        void poll(ticket);
      };
      try {
        socket = new WebSocket(queueSocketUrl(showId, ticket, window.location));
      } catch {
        fallBack();
        return;
      }
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as Record<string, unknown>;
        if (message.type === "position") seen(Number(message.position), Number(message.estimated_wait_s));
        else if (message.type === "admitted") admitted(ticket, String(message.admission), String(message.expires_at));
        else if (message.type === "unavailable") {
          done.current = true;
          callbacks.current.onUnavailable();
        }
      };
      socket.onerror = fallBack;
      socket.onclose = fallBack;
    };

    const start = async () => {
      let entry = queueLoad(showId);
      if (!entry || entry.admission) {
        try {
          const place = await endpoints.queueJoin(showId);
          entry = { ticket: place.ticket };
          queueSave(showId, entry);
          seen(Math.max(place.position, 1), place.estimated_wait_s);
        } catch (problem) {
          if (!failed(problem) && !stopped) timer = setTimeout(() => void start(), POLL_MS);
          return;
        }
      }
      if (!stopped) watch(entry.ticket);
    };

    void start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.onerror = null;
        socket.close();
      }
    };
  }, [showId]);

  const progress = first.current && position !== null ? Math.max(0, 1 - (position - 1) / first.current) : 0;
  return (
    <section className="waiting-room" data-queue aria-labelledby="waiting-room-title">
      <h2 id="waiting-room-title">You are in the queue</h2>
      <p>Many people want seats for this show. We let customers in a few at a time, in the order they arrived.</p>
      <dl className="waiting-room-facts" aria-live="polite">
        <div>
          <dt>Your place in the queue</dt>
          <dd data-queue-position>{position ?? "…"}</dd>
        </div>
        <div>
          <dt>Estimated wait</dt>
          <dd data-queue-wait>{wait === null ? "…" : describeWait(wait)}</dd>
        </div>
      </dl>
      <progress className="waiting-room-progress" max={1} value={progress} aria-label="Your progress in the queue" />
      <p className="muted">Keep this tab open; refreshing keeps your place. When it is your turn, the seat map opens by itself.</p>
      {error && (
        <div className="alert alert-warning">
          <p>{error} We keep trying.</p>
        </div>
      )}
    </section>
  );
}
