import { useMemo, useState } from "react";
import type { Seat } from "../api/types";
import { seatDescription, type CategoryInfo } from "./describe";
import { mine, type SeatMapState } from "./state";

/**
 * The same seats as a list, step by step: a section, then a row, then its seats as
 * checkboxes. For keyboard and screen-reader users, and anyone who finds a list easier
 * than a map.
 */
export function SeatList({
  state,
  categories,
  prices,
  currency,
  locale,
  onToggle,
}: {
  state: SeatMapState;
  categories: Map<string, CategoryInfo>;
  prices: Record<string, number>;
  currency: string;
  locale: string;
  onToggle: (seatId: number) => void;
}) {
  const sections = useMemo(() => {
    const bySection = new Map<string, Map<string, Seat[]>>();
    for (const seat of state.seats) {
      const rows = bySection.get(seat.section) ?? new Map<string, Seat[]>();
      const key = `${seat.row}|${seat.y}`;
      rows.set(key, [...(rows.get(key) ?? []), seat]);
      bySection.set(seat.section, rows);
    }
    return bySection;
  }, [state.seats]);
  const sectionNames = [...sections.keys()];
  const [section, setSection] = useState("");
  const [row, setRow] = useState("");
  const currentSection = sections.has(section) ? section : (sectionNames[0] ?? "");
  const rows = sections.get(currentSection) ?? new Map<string, Seat[]>();
  const rowKeys = [...rows.keys()];
  const currentRow = rows.has(row) ? row : (rowKeys[0] ?? "");
  const seats = [...(rows.get(currentRow) ?? [])].sort((a, b) => a.x - b.x);
  const own = new Set(mine(state));
  const held = new Set(state.hold?.seatIds ?? []);
  const companions = new Set(state.seats.map((seat) => seat.companion).filter(Boolean) as number[]);

  const freeIn = (list: Seat[]) => list.filter((seat) => state.states.get(seat.id) === "available").length;

  return (
    <details className="seat-list">
      <summary>Choose seats from a list instead</summary>
      <div className="seat-list-steps">
        {sectionNames.length > 1 && (
          <label className="field">
            <span>1. Section</span>
            <select value={currentSection} onChange={(event) => { setSection(event.target.value); setRow(""); }}>
              {sectionNames.map((name) => {
                const free = [...(sections.get(name)?.values() ?? [])].reduce((sum, list) => sum + freeIn(list), 0);
                return (
                  <option key={name} value={name}>
                    {name} ({free} free)
                  </option>
                );
              })}
            </select>
          </label>
        )}
        <label className="field">
          <span>{sectionNames.length > 1 ? "2. Row" : "1. Row"}</span>
          <select value={currentRow} onChange={(event) => setRow(event.target.value)}>
            {rowKeys.map((key) => (
              <option key={key} value={key}>
                Row {key.split("|")[0]} ({freeIn(rows.get(key) ?? [])} free)
              </option>
            ))}
          </select>
        </label>
        <fieldset className="seat-list-seats">
          <legend>{sectionNames.length > 1 ? "3. Seats" : "2. Seats"} in row {currentRow.split("|")[0]}</legend>
          <ul role="list">
            {seats.map((seat) => {
              const seatState = state.states.get(seat.id) ?? seat.state;
              const isMine = held.has(seat.id);
              const checked = own.has(seat.id);
              const free = seatState === "available" && state.hold === null;
              return (
                <li key={seat.id}>
                  <label className={`seat-option${free || checked ? "" : " is-taken"}`}>
                    <input
                      type="checkbox"
                      checked={checked}
                      disabled={!free && !(checked && !isMine)}
                      onChange={() => onToggle(seat.id)}
                    />
                    <span>
                      {seatDescription(seat, {
                        state: seatState,
                        mine: isMine,
                        category: categories.get(seat.category),
                        price: prices[seat.category],
                        currency,
                        locale,
                        companionOf: companions.has(seat.id),
                        sectionInName: false,
                      })}
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
      </div>
    </details>
  );
}
