import { dayLabel } from "../lib/time";

/** A row of days to pick from (today and the next days), as a radio group of buttons. */
export function DateStrip({
  days,
  today,
  value,
  onChange,
  locale,
  label = "Date",
}: {
  days: string[];
  today: string;
  value: string;
  onChange: (day: string) => void;
  locale: string;
  label?: string;
}) {
  return (
    <div className="date-strip" role="radiogroup" aria-label={label}>
      {days.map((day) => {
        const text = dayLabel(day, today, locale);
        const checked = day === value;
        return (
          <button
            key={day}
            type="button"
            role="radio"
            aria-checked={checked}
            className={`date-chip${checked ? " is-active" : ""}`}
            onClick={() => onChange(day)}
          >
            <span className="date-chip-top">{text.top}</span>
            <span className="date-chip-bottom">{text.bottom}</span>
          </button>
        );
      })}
    </div>
  );
}
