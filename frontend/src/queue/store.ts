/**
 * The customer's place in a show's waiting room, kept in localStorage so that a
 * refresh (or another tab) keeps the place: the ticket, and the admission once given.
 */

export interface QueueEntry {
  ticket: string;
  admission?: string;
  expiresAt?: string;
}

const PREFIX = "tp.queue.";

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function queueLoad(showId: number): QueueEntry | null {
  const text = storage()?.getItem(PREFIX + showId);
  if (!text) return null;
  try {
    return JSON.parse(text) as QueueEntry;
  } catch {
    return null;
  }
}

export function queueSave(showId: number, entry: QueueEntry): void {
  storage()?.setItem(PREFIX + showId, JSON.stringify(entry));
}

export function queueForget(showId: number): void {
  storage()?.removeItem(PREFIX + showId);
}

/** The admission to send with holds on this show, while it lasts. */
export function admissionFor(showId: number, now = Date.now()): string | null {
  const entry = queueLoad(showId);
  if (!entry?.admission || !entry.expiresAt) return null;
  return Date.parse(entry.expiresAt) > now ? entry.admission : null;
}

export function queueSocketUrl(showId: number, ticket: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/shows/${showId}/queue/?ticket=${encodeURIComponent(ticket)}`;
}

/** "about 3 minutes", "about 40 seconds", "less than a minute away". */
export function describeWait(seconds: number): string {
  if (seconds <= 0) return "any moment now";
  if (seconds < 60) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} seconds`;
  const minutes = Math.round(seconds / 60);
  return `about ${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}
