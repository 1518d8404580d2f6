import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { endpoints, items } from "../api";
import { ApiError } from "../api/errors";
import type { Show } from "../api/types";
import { DateStrip } from "../components/DateStrip";
import { Poster } from "../components/Poster";
import { LoadError, Loading } from "../components/Status";
import { config } from "../config";
import { usePageTitle } from "../hooks/page";
import { formatName, languageName, sentenceCase, showLanguage } from "../lib/labels";
import { addDays, dateKey, formatDay, formatRuntime, formatTime } from "../lib/time";
import { NotFoundPage } from "./NotFoundPage";

function byVenue(shows: Show[]) {
  const groups = new Map<number, { name: string; shows: Show[] }>();
  for (const show of shows) {
    const group = groups.get(show.venue) ?? { name: show.venue_name, shows: [] };
    group.shows.push(show);
    groups.set(show.venue, group);
  }
  return [...groups.entries()].map(([id, group]) => ({
    id,
    ...group,
    shows: group.shows.sort((a, b) => a.starts_at.localeCompare(b.starts_at)),
  }));
}

export function TitlePage() {
  const chain = config();
  const titleId = Number(useParams().titleId);
  const [params, setParams] = useSearchParams();
  const today = dateKey(new Date(), chain.timezone);
  const days = Array.from({ length: 7 }, (_, index) => addDays(today, index));
  const requested = params.get("date") ?? "";
  const date = days.includes(requested) ? requested : today;

  const title = useQuery({
    queryKey: ["title", titleId],
    queryFn: () => endpoints.title(titleId),
    enabled: Number.isInteger(titleId) && titleId > 0,
  });
  const shows = useQuery({
    queryKey: ["shows", { title: titleId, date }],
    queryFn: () => endpoints.shows({ title: titleId, date }),
    enabled: title.isSuccess,
  });
  usePageTitle(title.data?.name);

  if (!Number.isInteger(titleId) || titleId <= 0) return <NotFoundPage />;
  if (title.isPending) return <Loading />;
  if (title.isError) {
    if (title.error instanceof ApiError && title.error.status === 404) return <NotFoundPage what="title" />;
    return <LoadError error={title.error} retry={() => title.refetch()} />;
  }
  const data = title.data;
  const now = Date.now();
  const upcoming = items(shows.data).filter((show) => Date.parse(show.starts_at) > now);
  const directors = (data.credits ?? []).filter((credit) => credit.role === "director");
  const cast = (data.credits ?? []).filter((credit) => credit.role === "cast");
  const facts = [
    data.certificate,
    formatRuntime(data.runtime_minutes),
    data.genres.map(sentenceCase).join(", "),
  ].filter(Boolean);

  return (
    <article className="title-page">
      <div className="title-hero">
        <Poster title={data} size="large" eager />
        <div className="title-hero-text">
          <h1>{data.name}</h1>
          <p className="title-facts">{facts.join(" · ")}</p>
          {data.release_date && Date.parse(data.release_date) > now && (
            <p className="badge badge-accent">
              Opens {formatDay(`${data.release_date}T12:00:00Z`, "UTC", chain.locale)}
            </p>
          )}
          {data.synopsis && <p className="synopsis">{data.synopsis}</p>}
          <dl className="title-credits">
            {data.languages.length > 0 && (
              <>
                <dt>Languages</dt>
                <dd>{data.languages.map((code) => languageName(code, chain.locale)).join(", ")}</dd>
              </>
            )}
            {data.formats.length > 0 && (
              <>
                <dt>Formats</dt>
                <dd>{data.formats.map(formatName).join(", ")}</dd>
              </>
            )}
            {directors.length > 0 && (
              <>
                <dt>Director</dt>
                <dd>{directors.map((credit) => credit.person).join(", ")}</dd>
              </>
            )}
            {cast.length > 0 && (
              <>
                <dt>Cast</dt>
                <dd>{cast.map((credit) => credit.person).join(", ")}</dd>
              </>
            )}
          </dl>
        </div>
      </div>

      <section aria-labelledby="showtimes" className="section">
        <h2 id="showtimes">Showtimes</h2>
        <DateStrip
          days={days}
          today={today}
          value={date}
          onChange={(day) => setParams(day === today ? {} : { date: day }, { replace: true, preventScrollReset: true })}
          locale={chain.locale}
          label="Show date"
        />
        {shows.isPending ? (
          <Loading label="Loading showtimes…" />
        ) : shows.isError ? (
          <LoadError error={shows.error} retry={() => shows.refetch()} />
        ) : upcoming.length === 0 ? (
          <p className="empty">No shows of {data.name} on this day. Try another day.</p>
        ) : (
          byVenue(upcoming).map((venue) => (
            <div className="venue-block" key={venue.id}>
              <h3>{venue.name}</h3>
              <ul className="showtime-list" role="list">
                {venue.shows.map((show) => {
                  const zone = show.venue_timezone || chain.timezone;
                  const time = formatTime(show.starts_at, zone, chain.locale);
                  const language = showLanguage(show.audio_language, show.subtitle_language, chain.locale);
                  return (
                    <li key={show.id}>
                      {show.status === "on_sale" ? (
                        <Link
                          className="showtime"
                          to={`/shows/${show.id}`}
                          aria-label={`${time}, ${show.auditorium_name}, ${formatName(show.format)}, ${language}: choose seats`}
                        >
                          <span className="showtime-time">{time}</span>
                          <span className="showtime-meta">
                            {formatName(show.format)} · {show.auditorium_name}
                          </span>
                          <span className="showtime-meta">{language}</span>
                        </Link>
                      ) : (
                        <span className="showtime is-disabled" aria-disabled="true">
                          <span className="showtime-time">{time}</span>
                          <span className="showtime-meta">
                            {formatName(show.format)} · {show.auditorium_name}
                          </span>
                          <span className="showtime-meta">Booking opens soon</span>
                        </span>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          ))
        )}
      </section>
    </article>
  );
}
