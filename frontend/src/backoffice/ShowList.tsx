import { useQueries, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import type { Show } from "../api/types";
import { describeError } from "../api/errors";
import { addDays, dateKey, dayLabel, formatTime } from "../lib/time";
import { listOf } from "./api";
import { useDesk } from "./context";
import { availabilityWord, orderShows } from "./logic";

const VENUE_KEY = "box-office.venue";

export function storedVenue(venues: { id: number }[]): number | null {
  const stored = Number(globalThis.localStorage?.getItem(VENUE_KEY));
  if (venues.some((venue) => venue.id === stored)) return stored;
  return venues[0]?.id ?? null;
}

export function rememberVenue(id: number): void {
  globalThis.localStorage?.setItem(VENUE_KEY, String(id));
}

/** The day's shows at the venue, the next ones first, each a big button. */
export function ShowList({
  venue,
  onVenue,
  day,
  onDay,
  onPick,
  active,
}: {
  venue: number | null;
  onVenue: (id: number) => void;
  day: string;
  onDay: (day: string) => void;
  onPick: (show: Show) => void;
  active: boolean;
}) {
  const { config, api } = useDesk();
  const zone = config.venues.find((v) => v.id === venue)?.timezone ?? config.timezone;
  const today = dateKey(new Date(), zone);
  const shows = useQuery({
    queryKey: ["desk-shows", day, venue],
    queryFn: () => api.shows(day, venue),
    refetchInterval: 60_000,
  });
  const list = useMemo(
    () => orderShows(listOf(shows.data).filter((show) => show.status !== "cancelled"), Date.now()),
    [shows.data],
  );
  // How full each show is, from its seat map (served from the cache, and small).
  const maps = useQueries({
    queries: list.map((show) => ({
      queryKey: ["desk-seats", show.id],
      queryFn: () => api.seatMap(show.id),
      staleTime: 20_000,
      refetchInterval: 30_000,
      retry: false,
    })),
  });
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (!active) return;
    const first = listRef.current?.querySelector<HTMLButtonElement>("button.show-card:not([disabled])");
    // Only when the keyboard is nowhere in particular: a refreshed list must not take
    // it from the venue picker or the lookup box.
    const idle = !document.activeElement || document.activeElement === document.body;
    if (first && idle) first.focus();
  }, [active, list]);

  const moveFocus = (event: React.KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>("button.show-card") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  const days = [today, addDays(today, 1), addDays(today, 2)];
  return (
    <section className="desk-shows" aria-labelledby="desk-shows-title">
      <div className="desk-shows-head">
        <h2 id="desk-shows-title">Shows</h2>
        <label className="desk-field desk-field-inline">
          <span>Venue</span>
          <select
            value={venue ?? ""}
            onChange={(event) => onVenue(Number(event.target.value))}
            aria-label="Venue"
          >
            {config.venues.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <div className="desk-days" role="group" aria-label="Day">
          {days.map((key) => (
            <button
              key={key}
              type="button"
              className={`desk-chip${key === day ? " is-active" : ""}`}
              aria-pressed={key === day}
              onClick={() => onDay(key)}
            >
              {dayChip(key, today, config.locale)}
            </button>
          ))}
        </div>
      </div>
      {shows.isPending ? (
        <p className="desk-muted">Loading the shows…</p>
      ) : shows.isError ? (
        <p className="desk-error" role="alert">
          {describeError(shows.error)}
        </p>
      ) : list.length === 0 ? (
        <p className="desk-muted">No shows on this day at this venue.</p>
      ) : (
        <ul className="desk-show-list" ref={listRef} onKeyDown={moveFocus} aria-label="Shows of the day">
          {list.map((show, index) => {
            const map = maps[index]?.data;
            const total = map?.seats.length ?? 0;
            const free = map ? map.seats.filter((seat) => seat.state === "available").length : 0;
            const word = map ? availabilityWord(free, total) : "";
            const ended = Date.parse(show.ends_at) < Date.now();
            const notOnSale = show.status !== "on_sale";
            const soldOut = word === "sold out";
            return (
              <li key={show.id}>
                <button
                  type="button"
                  className={`show-card${soldOut ? " is-sold-out" : ""}${ended ? " is-ended" : ""}`}
                  onClick={() => onPick(show)}
                  disabled={notOnSale}
                  data-show-id={show.id}
                  aria-label={`${formatTime(show.starts_at, show.venue_timezone || zone, config.locale)} ${show.title_name}, ${show.auditorium_name}${soldOut ? ", sold out" : map ? `, ${free} seats free` : ""}${notOnSale ? ", not on sale" : ""}`}
                >
                  <span className="show-card-time">
                    {formatTime(show.starts_at, show.venue_timezone || zone, config.locale)}
                  </span>
                  <span className="show-card-title">{show.title_name}</span>
                  <span className="show-card-room">
                    {show.auditorium_name} · {show.format.toUpperCase()}
                  </span>
                  <span className="show-card-free">
                    {soldOut ? (
                      <strong className="badge badge-sold-out">Sold out</strong>
                    ) : notOnSale ? (
                      <span className="badge">Not on sale</span>
                    ) : map ? (
                      <>
                        {word === "few left" && <strong className="badge badge-few">Few left</strong>} {free} / {total} free
                      </>
                    ) : null}
                  </span>
                  {index === 0 && !ended && <span className="visually-hidden">Next show</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** "Today", "Tomorrow", then "Mon 7 Dec". */
function dayChip(key: string, today: string, locale: string): string {
  const label = dayLabel(key, today, locale);
  return label.top === "Today" || label.top === "Tomorrow" ? label.top : `${label.top} ${label.bottom}`;
}
