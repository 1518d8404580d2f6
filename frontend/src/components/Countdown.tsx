import { useEffect, useRef } from "react";
import { useTimeLeft } from "../hooks/clock";
import { formatCountdown } from "../lib/time";

/**
 * The hold's clock, from the server's `expires_at`. It warns once a minute before the
 * end (announced to screen readers), and calls `onExpired` once when time is up.
 */
export function Countdown({
  expiresAt,
  onExpired,
  label = "Seats held for",
  warningText = "Less than a minute left to finish your booking.",
}: {
  expiresAt: string;
  onExpired: () => void;
  label?: string;
  /** What the last minute's warning says (the box office's differs from a customer's). */
  warningText?: string;
}) {
  const left = useTimeLeft(expiresAt);
  const fired = useRef(false);
  const expired = useRef(onExpired);
  expired.current = onExpired;

  useEffect(() => {
    fired.current = false;
  }, [expiresAt]);

  useEffect(() => {
    if (left !== null && left <= 0 && !fired.current) {
      fired.current = true;
      expired.current();
    }
  }, [left]);

  if (left === null) return null;
  const warning = left <= 60_000;
  return (
    <div className={`countdown${warning ? " is-warning" : ""}`}>
      <span className="countdown-label">{label}</span>{" "}
      <time className="countdown-time">{formatCountdown(left)}</time>
      {warning && left > 0 && (
        <p className="countdown-warning" role="alert">
          {warningText}
        </p>
      )}
    </div>
  );
}
