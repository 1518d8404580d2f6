/** Where things go on the drawn map, in pixels, from the seats' grid units. */

import type { Seat } from "../api/types";

export const UNIT = 24;
export const GAP = 4;
const MARGIN = 2; // units of room around the seats for row labels

export interface RowLabel {
  key: string;
  text: string;
  y: number;
  left: number;
  right: number;
}

export interface Layout {
  viewBox: string;
  width: number;
  height: number;
  rows: RowLabel[];
  screen: { y: number; x1: number; x2: number; label: string } | null;
}

export function layout(seats: Seat[], screen: { y: number; label: string } | null): Layout {
  if (!seats.length) {
    return { viewBox: "0 0 100 100", width: 100, height: 100, rows: [], screen: null };
  }
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const rows = new Map<string, { text: string; y: number; min: number; max: number }>();
  for (const seat of seats) {
    minX = Math.min(minX, seat.x);
    maxX = Math.max(maxX, seat.x + seat.width);
    minY = Math.min(minY, seat.y);
    maxY = Math.max(maxY, seat.y + 1);
    const key = `${seat.section}|${seat.row}|${seat.y}`;
    const row = rows.get(key) ?? { text: seat.row, y: seat.y, min: seat.x, max: seat.x + seat.width };
    row.min = Math.min(row.min, seat.x);
    row.max = Math.max(row.max, seat.x + seat.width);
    rows.set(key, row);
  }
  const top = Math.min(minY, screen ? screen.y : minY) - 1;
  const left = minX - MARGIN;
  const right = maxX + MARGIN;
  const bottom = maxY + 0.5;
  const width = (right - left) * UNIT;
  const height = (bottom - top) * UNIT;
  return {
    viewBox: `${left * UNIT} ${top * UNIT} ${width} ${height}`,
    width,
    height,
    rows: [...rows.entries()].map(([key, row]) => ({
      key,
      text: row.text,
      y: (row.y + 0.5) * UNIT - GAP / 2,
      left: (minX - 1) * UNIT,
      right: (maxX + 1) * UNIT - GAP,
    })),
    screen: screen
      ? { y: (screen.y + 0.6) * UNIT, x1: minX * UNIT, x2: maxX * UNIT - GAP, label: screen.label }
      : null,
  };
}
