import { useId, type InputHTMLAttributes } from "react";

/**
 * A labelled input with its hint or error as its description: one place where the
 * label, `aria-invalid` and `aria-describedby` are wired, for every form.
 */
export function TextField({
  label,
  error,
  hint,
  ...input
}: { label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const note = error ?? hint;
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} aria-invalid={error ? true : undefined} aria-describedby={note ? `${id}-note` : undefined} />
      {note && (
        <span id={`${id}-note`} className={error ? "field-error" : "field-hint"}>
          {note}
        </span>
      )}
    </label>
  );
}
