import { useEffect, useState } from "react";

/**
 * The server's clock as this browser sees it: answers carry a Date header, and the
 * difference to the local clock corrects countdowns on a machine whose clock is off.
 */
let offsetMs = 0;

export function noteServerDate(header: string | null, receivedAt = Date.now()): void {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  // The header has whole seconds: only a clock that is clearly off is corrected.
  const offset = server - receivedAt;
  offsetMs = Math.abs(offset) > 2_000 ? offset : 0;
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Milliseconds left until `deadline` (server time), updated every `stepMs`. */
export function useTimeLeft(deadline: string | null | undefined, stepMs = 250): number | null {
  const target = deadline ? Date.parse(deadline) : NaN;
  const [left, setLeft] = useState(() => (Number.isNaN(target) ? null : target - serverNow()));
  useEffect(() => {
    if (Number.isNaN(target)) {
      setLeft(null);
      return;
    }
    const tick = () => setLeft(target - serverNow());
    tick();
    const timer = setInterval(tick, stepMs);
    return () => clearInterval(timer);
  }, [target, stepMs]);
  return left;
}
