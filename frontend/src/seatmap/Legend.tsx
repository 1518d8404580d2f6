import { formatPrice } from "../lib/money";
import type { Seat } from "../api/types";
import type { CategoryInfo } from "./describe";
import "./seatmap.css";

/** What a map's seats hold for its key: their categories and their kinds of seat. */
export function legendOf(seats: readonly Pick<Seat, "category" | "wheelchair" | "companion" | "width">[]) {
  return {
    present: [...new Set(seats.map((seat) => seat.category))],
    hasWheelchair: seats.some((seat) => seat.wheelchair),
    hasCompanion: seats.some((seat) => Boolean(seat.companion)),
    hasCouple: seats.some((seat) => seat.width > 1),
  };
}

/** The categories on this map with their prices, and what the seats' looks mean. */
export function Legend({
  categories,
  prices,
  present,
  currency,
  locale,
  hasWheelchair,
  hasCompanion,
  hasCouple,
}: {
  categories: Map<string, CategoryInfo & { rank?: number }>;
  prices: Record<string, number>;
  present: string[];
  currency: string;
  locale: string;
  hasWheelchair: boolean;
  hasCompanion: boolean;
  hasCouple: boolean;
}) {
  const codes = [...present].sort(
    (a, b) => (categories.get(a)?.rank ?? 0) - (categories.get(b)?.rank ?? 0) || a.localeCompare(b),
  );
  return (
    <div className="legend" aria-label="Seat map key">
      <ul className="legend-list" role="list" aria-label="Seat categories and prices">
        {codes.map((code) => {
          const category = categories.get(code);
          return (
            <li key={code} className="legend-item">
              <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
                <rect x="1" y="1" width="16" height="16" rx="4" className="legend-swatch" style={{ ["--seat-colour" as string]: category?.colour ?? "#64748b" }} />
              </svg>
              <span>{category?.name ?? code}</span>
              {prices[code] !== undefined && <strong>{formatPrice(prices[code], currency, locale)}</strong>}
            </li>
          );
        })}
      </ul>
      <ul className="legend-list legend-states" role="list" aria-label="What the seats show">
        <li className="legend-item">
          <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
            <rect x="1" y="1" width="16" height="16" rx="4" className="legend-swatch legend-mine" />
            <path d="M5 9l3 3l5 -6" className="legend-mark" />
          </svg>
          <span>Your seats</span>
        </li>
        <li className="legend-item">
          <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
            <rect x="1" y="1" width="16" height="16" rx="4" className="legend-swatch legend-taken" />

          </svg>
          <span>Taken</span>
        </li>
        {hasWheelchair && (
          <li className="legend-item">
            <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
              <use href="#icon-wheelchair" className="legend-icon" />
            </svg>
            <span>Wheelchair space</span>
          </li>
        )}
        {hasCompanion && (
          <li className="legend-item">
            <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
              <circle cx="9" cy="9" r="3.5" className="legend-icon" />
            </svg>
            <span>Companion seat (next to a wheelchair space)</span>
          </li>
        )}
        {hasCouple && (
          <li className="legend-item">
            <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
              <use href="#icon-couple" className="legend-icon" />
            </svg>
            <span>Couple seat (for two)</span>
          </li>
        )}
      </ul>
    </div>
  );
}
