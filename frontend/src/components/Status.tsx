import { useEffect, useRef, type ReactNode } from "react";
import { describeError } from "../api/errors";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/** A failed load, in words, with a way to try again. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="alert alert-error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" className="button button-small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Alert({
  kind = "info",
  children,
  live = "polite",
}: {
  kind?: "info" | "success" | "warning" | "error";
  children: ReactNode;
  live?: "polite" | "assertive";
}) {
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"} aria-live={live}>
      {children}
    </div>
  );
}

/** A failure in words, announced to screen readers; nothing when there is none. */
export function ErrorMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert">
      <p>{message}</p>
    </div>
  );
}

/**
 * An outcome the customer must not miss (a cancellation, a refund): announced, and
 * given the keyboard focus, since the control that led to it may be gone.
 */
export function Outcome({ message }: { message: string | null }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) element.current?.focus();
  }, [message]);
  if (!message) return null;
  return (
    <div className="alert alert-success" role="status" tabIndex={-1} ref={element}>
      <p>{message}</p>
    </div>
  );
}
