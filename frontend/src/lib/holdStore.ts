/**
 * The customer's holds, remembered for this tab (sessionStorage): the show page finds
 * its hold again after a reload or a visit to checkout, and checkout finds the seats
 * and deadline of the hold it was opened for. Lapsed entries are dropped on reading.
 */

import type { Hold } from "../api/types";
import { serverNow } from "../hooks/clock";

export interface StoredHold extends Hold {
  orderId?: string;
}

const PREFIX = "tp.hold.";

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function holdSave(hold: StoredHold): void {
  storage()?.setItem(PREFIX + hold.id, JSON.stringify(hold));
  storage()?.setItem(`${PREFIX}show.${hold.show}`, hold.id);
}

export function holdLoad(id: string, now = serverNow()): StoredHold | null {
  const text = storage()?.getItem(PREFIX + id);
  if (!text) return null;
  try {
    const hold = JSON.parse(text) as StoredHold;
    if (Date.parse(hold.expires_at) <= now) {
      holdForget(hold);
      return null;
    }
    return hold;
  } catch {
    storage()?.removeItem(PREFIX + id);
    return null;
  }
}

export function holdForShow(showId: number, now = serverNow()): StoredHold | null {
  const id = storage()?.getItem(`${PREFIX}show.${showId}`);
  return id ? holdLoad(id, now) : null;
}

export function holdForget(hold: Pick<Hold, "id" | "show">): void {
  storage()?.removeItem(PREFIX + hold.id);
  if (storage()?.getItem(`${PREFIX}show.${hold.show}`) === hold.id) {
    storage()?.removeItem(`${PREFIX}show.${hold.show}`);
  }
}

export function holdNoteOrder(holdId: string, orderId: string): void {
  const hold = holdLoad(holdId);
  if (hold) holdSave({ ...hold, orderId });
}

/** Forgets every hold this tab remembers (signing out on a shared computer). */
export function holdsForgetAll(): void {
  const store = storage();
  if (!store) return;
  for (let index = store.length - 1; index >= 0; index--) {
    const key = store.key(index);
    if (key?.startsWith(PREFIX)) store.removeItem(key);
  }
}
