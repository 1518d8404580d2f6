import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { endpoints, items } from "../api";
import type { GridShow, GridTitle, Title } from "../api/types";
import { DateStrip } from "../components/DateStrip";
import { Poster } from "../components/Poster";
import { LoadError, Loading } from "../components/Status";
import { config } from "../config";
import { usePageTitle } from "../hooks/page";
import { formatName, languageName, sentenceCase } from "../lib/labels";
import { addDays, dateKey, formatDay, formatRuntime, formatTime } from "../lib/time";

const DAYS_AHEAD = 7;

function useFilters() {
  const [params, setParams] = useSearchParams();
  const chain = config();
  const today = dateKey(new Date(), chain.timezone);
  const days = Array.from({ length: DAYS_AHEAD }, (_, index) => addDays(today, index));
  const requested = params.get("date") ?? "";
  const date = days.includes(requested) ? requested : today;
  const venue = Number(params.get("venue")) || null;
  const language = params.get("language") ?? "";
  const format = params.get("format") ?? "";
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true, preventScrollReset: true });
  };
  return { today, days, date, venue, language, format, set };
}

function showMatches(show: GridShow, language: string, format: string, now: number): boolean {
  if (language && show.audio_language !== language) return false;
  if (format && show.format !== format) return false;
  return Date.parse(show.starts_at) > now;
}

function ShowChip({ show, timeZone }: { show: GridShow; timeZone: string }) {
  const chain = config();
  const time = formatTime(show.starts_at, timeZone, chain.locale);
  const details = [formatName(show.format), languageName(show.audio_language, chain.locale)]
    .filter(Boolean)
    .join(" · ");
  if (show.status !== "on_sale") {
    return (
      <span className="show-chip is-disabled" aria-disabled="true" title="Booking opens soon">
        <span className="show-chip-time">{time}</span>
        <span className="show-chip-meta">Opens soon</span>
      </span>
    );
  }
  return (
    <Link className="show-chip" to={`/shows/${show.id}`} aria-label={`${time}, ${details}, ${show.auditorium.name}: choose seats`}>
      <span className="show-chip-time">{time}</span>
      <span className="show-chip-meta">{formatName(show.format)}</span>
    </Link>
  );
}

function TitleCard({ title, language, format }: { title: GridTitle; language: string; format: string }) {
  const chain = config();
  const now = Date.now();
  const venues = title.venues
    .map((venue) => ({ ...venue, shows: venue.shows.filter((show) => showMatches(show, language, format, now)) }))
    .filter((venue) => venue.shows.length > 0);
  if (!venues.length) return null;
  const facts = [title.certificate, formatRuntime(title.runtime_minutes), title.genres.map(sentenceCase).join(", ")]
    .filter(Boolean)
    .join(" · ");
  return (
    <article className="title-card" aria-labelledby={`title-${title.id}`}>
      <Link to={`/titles/${title.id}`} className="title-card-poster" tabIndex={-1} aria-hidden="true">
        <Poster title={title} />
      </Link>
      <div className="title-card-body">
        <h3 id={`title-${title.id}`} className="title-card-name">
          <Link to={`/titles/${title.id}`}>{title.name}</Link>
        </h3>
        <p className="muted">{facts}</p>
        <p className="muted small">{title.languages.map((code) => languageName(code, chain.locale)).join(", ")}</p>
        {venues.map((venue) => (
          <div className="venue-shows" key={venue.id}>
            <h4 className="venue-shows-name">{venue.name}</h4>
            <div className="show-chips">
              {venue.shows.map((show) => (
                <ShowChip key={show.id} show={show} timeZone={venue.timezone || chain.timezone} />
              ))}
            </div>
          </div>
        ))}
      </div>
    </article>
  );
}

function ComingSoon() {
  const chain = config();
  const titles = useQuery({
    queryKey: ["titles", "coming-soon"],
    queryFn: () => endpoints.titles({ coming_soon: true }),
  });
  const list: Title[] = items(titles.data);
  if (titles.isPending) return <Loading label="Loading coming soon…" />;
  if (titles.isError) return <LoadError error={titles.error} retry={() => titles.refetch()} />;
  if (!list.length) return <p className="muted">Nothing announced yet. Check back soon.</p>;
  return (
    <ul className="coming-soon" role="list">
      {list.map((title) => (
        <li key={title.id} className="coming-card">
          <Link to={`/titles/${title.id}`} className="coming-card-link">
            <Poster title={title} size="small" />
            <span className="coming-card-name">{title.name}</span>
            {title.release_date && (
              <span className="muted small">
                Opens {formatDay(`${title.release_date}T12:00:00Z`, "UTC", chain.locale)}
              </span>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function HomePage() {
  const chain = config();
  usePageTitle(null);
  const filters = useFilters();
  const venues = useQuery({ queryKey: ["venues"], queryFn: endpoints.venues, staleTime: 600_000 });
  const grid = useQuery({
    queryKey: ["showtimes", filters.date, filters.venue],
    queryFn: () => endpoints.showtimes(filters.date, filters.venue),
  });

  const options = useMemo(() => {
    const languages = new Set<string>();
    const formats = new Set<string>();
    for (const title of grid.data?.titles ?? []) {
      for (const venue of title.venues) {
        for (const show of venue.shows) {
          if (show.audio_language) languages.add(show.audio_language);
          if (show.format) formats.add(show.format);
        }
      }
    }
    return { languages: [...languages].sort(), formats: [...formats].sort() };
  }, [grid.data]);

  const now = Date.now();
  const titles = (grid.data?.titles ?? []).filter((title) =>
    title.venues.some((venue) => venue.shows.some((show) => showMatches(show, filters.language, filters.format, now))),
  );
  const filtered = Boolean(filters.venue || filters.language || filters.format);

  return (
    <div className="home">
      <section className="hero">
        <h1>What's on at {chain.name}</h1>
        <p className="hero-sub">Choose a day, pick a showtime, and choose your own seats.</p>
      </section>

      <section aria-labelledby="now-showing" className="section">
        <h2 id="now-showing">Now showing</h2>
        <DateStrip
          days={filters.days}
          today={filters.today}
          value={filters.date}
          onChange={(day) => filters.set({ date: day === filters.today ? "" : day })}
          locale={chain.locale}
          label="Show date"
        />
        <div className="filters" role="group" aria-label="Filters">
          <label className="field field-inline">
            <span>Venue</span>
            <select value={filters.venue ?? ""} onChange={(event) => filters.set({ venue: event.target.value })}>
              <option value="">All venues</option>
              {items(venues.data).map((venue) => (
                <option key={venue.id} value={venue.id}>
                  {venue.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field field-inline">
            <span>Language</span>
            <select value={filters.language} onChange={(event) => filters.set({ language: event.target.value })}>
              <option value="">All languages</option>
              {options.languages.map((code) => (
                <option key={code} value={code}>
                  {languageName(code, chain.locale)}
                </option>
              ))}
            </select>
          </label>
          <label className="field field-inline">
            <span>Format</span>
            <select value={filters.format} onChange={(event) => filters.set({ format: event.target.value })}>
              <option value="">All formats</option>
              {options.formats.map((code) => (
                <option key={code} value={code}>
                  {formatName(code)}
                </option>
              ))}
            </select>
          </label>
          {filtered && (
            <button
              type="button"
              className="link-button"
              onClick={() => filters.set({ venue: "", language: "", format: "" })}
            >
              Clear filters
            </button>
          )}
        </div>

        {grid.isPending ? (
          <Loading label="Loading showtimes…" />
        ) : grid.isError ? (
          <LoadError error={grid.error} retry={() => grid.refetch()} />
        ) : titles.length === 0 ? (
          <div className="empty">
            <p>{filtered ? "No shows match these filters on this day." : "No more shows on this day."}</p>
            {filters.date !== filters.days[filters.days.length - 1] && (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => filters.set({ date: addDays(filters.date, 1) })}
              >
                See the next day's shows
              </button>
            )}
          </div>
        ) : (
          <div className="title-list">
            {titles.map((title) => (
              <TitleCard key={title.id} title={title} language={filters.language} format={filters.format} />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="coming-soon" className="section">
        <h2 id="coming-soon">Coming soon</h2>
        <ComingSoon />
      </section>
    </div>
  );
}
