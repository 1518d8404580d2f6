import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { endpoints } from "../api";
import { ApiError, describeError } from "../api/errors";
import type { Hold, SeatMap as SeatMapData } from "../api/types";
import { Countdown } from "../components/Countdown";
import { Alert, LoadError, Loading } from "../components/Status";
import { config } from "../config";
import { useCategoriesState, type Categories } from "../hooks/categories";
import { usePageTitle } from "../hooks/page";
import { holdForget, holdForShow, holdSave } from "../lib/holdStore";
import { formatName, showLanguage } from "../lib/labels";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Legend, legendOf } from "../seatmap/Legend";
import { LiveSeats, seatSocketUrl, type LiveStatus } from "../seatmap/live";
import { SeatList } from "../seatmap/SeatList";
import { SeatMap } from "../seatmap/SeatMap";
import { availableByCategory, initialState, mine, reducer, seatName, selectionTotal } from "../seatmap/state";
import { admissionFor, queueForget, queueLoad } from "../queue/store";
import { WaitingRoom } from "../queue/WaitingRoom";
import { NotFoundPage } from "./NotFoundPage";

function BestSeats({
  categories,
  available,
  prices,
  max,
  busy,
  onAsk,
}: {
  categories: Categories;
  available: Map<string, number>;
  prices: Record<string, number>;
  max: number;
  busy: boolean;
  onAsk: (count: number, category: string) => void;
}) {
  const chain = config();
  const codes = [...available.keys()]
    .filter((code) => prices[code] !== undefined && code !== "wheelchair")
    .sort((a, b) => (categories.get(a)?.rank ?? 0) - (categories.get(b)?.rank ?? 0));
  const [count, setCount] = useState(2);
  const [category, setCategory] = useState("");
  const chosen = codes.includes(category) ? category : (codes[0] ?? "");
  // The API counts places, and a couple seat has two: couples come in even numbers.
  const pairs = chosen === "couple";
  const counts = Array.from({ length: max }, (_, index) => index + 1).filter((n) => !pairs || n % 2 === 0);
  const wanted = counts.includes(count) ? count : (counts[0] ?? 1);
  if (!codes.length) return null;
  return (
    <form
      className="best-seats"
      aria-label="Best available seats"
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen) onAsk(wanted, chosen);
      }}
    >
      <span className="best-seats-title">Or let us pick:</span>
      <label className="field field-inline">
        <span className="visually-hidden">Number of seats</span>
        <select value={wanted} onChange={(event) => setCount(Number(event.target.value))}>
          {counts.map((n) => (
            <option key={n} value={n}>
              {pairs ? `${n} people (${n / 2} couple ${n === 2 ? "seat" : "seats"})` : `${n} ${n === 1 ? "seat" : "seats"}`}
            </option>
          ))}
        </select>
      </label>
      <label className="field field-inline">
        <span className="visually-hidden">Seat category</span>
        <select value={chosen} onChange={(event) => setCategory(event.target.value)}>
          {codes.map((code) => (
            <option key={code} value={code}>
              {categories.get(code)?.name ?? code} · {formatMoney(prices[code], chain.currency, chain.locale)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button button-secondary" disabled={busy}>
        {pairs ? `Best seats for ${wanted}` : `Best ${wanted} ${wanted === 1 ? "seat" : "seats"}`}
      </button>
    </form>
  );
}

export function ShowPage() {
  const chain = config();
  const showId = Number(useParams().showId);
  const navigate = useNavigate();
  const valid = Number.isInteger(showId) && showId > 0;
  const show = useQuery({ queryKey: ["show", showId], queryFn: () => endpoints.show(showId), enabled: valid });
  // The map is drawn once everything it shows is here, not redrawn as each part arrives.
  const { categories, settled: categoriesReady } = useCategoriesState();
  const [state, dispatch] = useReducer(reducer, chain.hold_max_seats, initialState);
  const [mapError, setMapError] = useState<unknown>(null);
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const liveRef = useRef<LiveSeats | null>(null);
  // The waiting room: on when the show says so (and we hold no admission), or when a
  // hold was refused for want of one; off when admitted or when the queue is lost.
  const queueState = useQuery({
    queryKey: ["queue", showId],
    queryFn: () => endpoints.queueState(showId),
    enabled: valid,
  });
  const [queued, setQueued] = useState(false);
  const [queueLost, setQueueLost] = useState(false);
  const inQueue = !queueLost && (queued || (queueState.data?.active === true && !admissionFor(showId)));
  usePageTitle(show.data ? `${show.data.title_name}: choose seats` : "Choose seats");

  const loadMap = useCallback(async () => {
    try {
      const map: SeatMapData = await endpoints.seatMap(showId);
      dispatch({ type: "snapshot", map });
      setMapError(null);
    } catch (error) {
      setMapError(error);
    }
  }, [showId]);

  // First the map over HTTP (fast, cached), then live over the socket.
  useEffect(() => {
    if (!valid) return;
    void loadMap();
    const socket = new LiveSeats(seatSocketUrl(showId, window.location), {
      snapshot: (map) => {
        dispatch({ type: "snapshot", map });
        setMapError(null);
      },
      delta: (delta) => dispatch({ type: "delta", version: delta.version, seats: delta.seats }),
      status: setLive,
    });
    liveRef.current = socket;
    socket.start();
    const wake = () => socket.nudge();
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", wake);
    return () => {
      window.removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", wake);
      socket.stop();
      liveRef.current = null;
    };
  }, [showId, valid, loadMap]);

  // A show that is not (or no longer) on sale has no live map: stop asking for one.
  const notOnSale = mapError instanceof ApiError && (mapError.status === 404 || mapError.status === 409);
  useEffect(() => {
    if (notOnSale) liveRef.current?.stop();
  }, [notOnSale]);

  // A missed delta: ask the socket for a fresh snapshot, or reload over HTTP when it is down.
  useEffect(() => {
    if (!state.needsSnapshot) return;
    if (live === "live") liveRef.current?.requestSnapshot();
    else void loadMap();
  }, [state.needsSnapshot, live, loadMap]);

  // Back from checkout, or reloaded: the customer's hold on this show is still theirs.
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || state.version < 0) return;
    resumed.current = true;
    const stored = holdForShow(showId);
    if (stored) {
      dispatch({
        type: "resumed",
        hold: { id: stored.id, seatIds: stored.seats.map((seat) => seat.id), expiresAt: stored.expires_at },
      });
    }
  }, [state.version, showId]);

  const prices = show.data?.prices ?? {};
  const own = mine(state);

  // Holding or releasing replaces the button that was pressed: the keyboard goes on to
  // the next thing to do (checkout), or back to the bar that says what happened.
  const continueButton = useRef<HTMLButtonElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const focusNext = useRef<"continue" | "bar" | null>(null);
  useEffect(() => {
    // Another render (a live delta) can come between asking and the new state being
    // drawn: the wish waits until what it moves to is there.
    if (focusNext.current === "continue" && state.hold && continueButton.current) {
      continueButton.current.focus();
      focusNext.current = null;
    } else if (focusNext.current === "bar" && !state.hold && bar.current) {
      bar.current.focus();
      focusNext.current = null;
    }
  });

  const afterHold = (hold: Hold) => {
    holdSave(hold);
    focusNext.current = "continue";
    dispatch({ type: "held", hold });
  };

  const queueRequired = (error: unknown): boolean => {
    if (!(error instanceof ApiError && error.code === "queue_required")) return false;
    // An admission that was refused (it ran out): a new place. A ticket still waiting
    // is kept, and so is its place.
    if (queueLoad(showId)?.admission) queueForget(showId);
    setQueueLost(false);
    setQueued(true);
    return true;
  };

  const holdFailed = (error: unknown, seatIds: number[]) => {
    dispatch({ type: "holdFailed" });
    if (queueRequired(error)) return;
    if (error instanceof ApiError && error.code === "seats_unavailable") {
      const taken = Array.isArray(error.data.seats) ? (error.data.seats as number[]) : seatIds;
      dispatch({ type: "rejected", seatIds: taken });
    } else {
      setActionError(describeError(error));
    }
  };

  const holdChosen = async () => {
    if (!state.selected.length || busy) return;
    const seatIds = [...state.selected];
    setBusy(true);
    setActionError(null);
    dispatch({ type: "holding", seatIds });
    try {
      afterHold(await endpoints.holdCreate(showId, { seats: seatIds }, admissionFor(showId)));
    } catch (error) {
      holdFailed(error, seatIds);
    } finally {
      setBusy(false);
    }
  };

  const holdBest = async (count: number, category: string) => {
    if (busy) return;
    setBusy(true);
    setActionError(null);
    try {
      afterHold(await endpoints.holdCreate(showId, { best_available: { count, category } }, admissionFor(showId)));
    } catch (error) {
      dispatch({ type: "holdFailed" });
      if (queueRequired(error)) return;
      if (error instanceof ApiError && error.code === "seats_unavailable") {
        setActionError(
          `There are not ${count} good seats together in ${categories.get(category)?.name ?? category} any more. Try fewer seats or another category.`,
        );
      } else {
        setActionError(describeError(error));
      }
    } finally {
      setBusy(false);
    }
  };

  const release = async () => {
    if (!state.hold || busy) return;
    const hold = state.hold;
    setBusy(true);
    setActionError(null);
    try {
      await endpoints.holdRelease(hold.id);
    } catch (error) {
      // Already gone (lapsed, or released in another tab) is what we wanted anyway;
      // the map is asked afresh so that it shows what the server holds.
      if (!(error instanceof ApiError && error.status === 404)) {
        setActionError(describeError(error));
        setBusy(false);
        return;
      }
      void loadMap();
    }
    holdForget({ id: hold.id, show: showId });
    focusNext.current = "bar";
    dispatch({ type: "released" });
    setBusy(false);
  };

  const expire = useCallback(() => {
    if (state.hold) holdForget({ id: state.hold.id, show: showId });
    dispatch({ type: "expired" });
  }, [state.hold, showId]);

  const available = useMemo(
    () => availableByCategory({ seats: state.seats, states: state.states }),
    [state.seats, state.states],
  );

  if (!valid) return <NotFoundPage what="show" />;
  if (show.isError) {
    if (show.error instanceof ApiError && show.error.status === 404) return <NotFoundPage what="show" />;
    return <LoadError error={show.error} retry={() => show.refetch()} />;
  }
  if (show.isPending) return <Loading label="Loading the show…" />;

  const data = show.data;
  const zone = data.venue_timezone || chain.timezone;
  const when = formatDateTime(data.starts_at, zone, chain.locale);
  const freeCount = [...available.values()].reduce((sum, n) => sum + n, 0);
  const ownLabels = own.map((id) => {
    const seat = state.byId.get(id);
    return seat ? seatName(seat) : "";
  });
  const subtotal = selectionTotal(state, prices);

  return (
    <div className="show-page">
      <header className="show-header">
        <p className="show-header-back">
          <Link to={`/titles/${data.title}`}>← {data.title_name}</Link>
        </p>
        <h1>{data.title_name}</h1>
        <p className="show-facts">
          <span>{when}</span>
          <span>
            {data.venue_name} · {data.auditorium_name}
          </span>
          <span>
            {formatName(data.format)} · {showLanguage(data.audio_language, data.subtitle_language, chain.locale)}
          </span>
        </p>
      </header>

      {inQueue && !notOnSale ? (
        <WaitingRoom
          showId={showId}
          onAdmitted={() => {
            setQueued(false);
            void queueState.refetch();
          }}
          onUnavailable={() => setQueueLost(true)}
        />
      ) : notOnSale ? (
        <Alert kind="warning">
          Seats for this show are not on sale. <Link to={`/titles/${data.title}`}>See other showtimes</Link>.
        </Alert>
      ) : mapError && state.version < 0 ? (
        <LoadError error={mapError} retry={() => void loadMap()} />
      ) : state.version < 0 || !categoriesReady ? (
        <Loading label="Loading the seat map…" />
      ) : (
        <>
          <div className="seat-map-status">
            <span className={`live-dot live-${live}`} aria-hidden="true" />
            <span className="small muted">
              {live === "live" ? "Live: seats update as others book" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
            </span>
            <span className="small muted"> · {freeCount} seats free</span>
          </div>
          <div className="notices" aria-live="assertive" aria-atomic="true">
            {state.notice && (
              <div className={`alert ${state.notice.kind === "released" ? "alert-info" : "alert-warning"}`} key={state.notice.serial}>
                <p>{state.notice.message}</p>
                <button type="button" className="link-button" onClick={() => dispatch({ type: "dismiss" })}>
                  Dismiss
                </button>
              </div>
            )}
            {actionError && (
              <div className="alert alert-error">
                <p>{actionError}</p>
              </div>
            )}
            {mapError !== null && (
              <div className="alert alert-warning">
                <p>The seat map could not be brought up to date; it may be out of date. {describeError(mapError)}</p>
                <button type="button" className="link-button" onClick={() => void loadMap()}>
                  Try again
                </button>
              </div>
            )}
          </div>
          <SeatMap
            state={state}
            categories={categories}
            prices={prices}
            currency={chain.currency}
            locale={chain.locale}
            label={`Seat map of ${data.auditorium_name}: ${freeCount} seats free. Use the arrow keys to move between seats and Space to choose one.`}
            onToggle={(id) => {
              setActionError(null);
              dispatch({ type: "toggle", id });
            }}
            onRendered={(ms) => performance.mark("seat-map-rendered", { detail: { ms } })}
          />
          <Legend
            categories={categories}
            prices={prices}
            currency={chain.currency}
            locale={chain.locale}
            {...legendOf(state.seats)}
          />
          {!state.hold && (
            <BestSeats
              categories={categories}
              available={available}
              prices={prices}
              max={chain.hold_max_seats}
              busy={busy}
              onAsk={holdBest}
            />
          )}
          <SeatList
            state={state}
            categories={categories}
            prices={prices}
            currency={chain.currency}
            locale={chain.locale}
            onToggle={(id) => dispatch({ type: "toggle", id })}
          />
        </>
      )}

      {!(inQueue && !notOnSale) && (
        <div className="booking-bar" role="region" aria-label="Your seats" tabIndex={-1} ref={bar}>
          {state.hold ? (
            <div className="booking-bar-inner">
              <div className="booking-bar-text">
                <strong>
                  {own.length} {own.length === 1 ? "seat" : "seats"} held: {ownLabels.join(", ")}
                </strong>
                <Countdown expiresAt={state.hold.expiresAt} onExpired={expire} />
              </div>
              <div className="booking-bar-actions">
                <button type="button" className="button button-secondary" onClick={release} disabled={busy}>
                  Release seats
                </button>
                <button
                  type="button"
                  className="button"
                  ref={continueButton}
                  onClick={() => navigate(`/checkout/${state.hold!.id}`)}
                >
                  Continue to checkout
                </button>
              </div>
            </div>
          ) : (
            <div className="booking-bar-inner">
              <div className="booking-bar-text">
                {own.length ? (
                  <>
                    <strong>
                      {own.length} {own.length === 1 ? "seat" : "seats"}: {ownLabels.join(", ")}
                    </strong>
                    <span className="muted">{formatMoney(subtotal, chain.currency, chain.locale)} before fees</span>
                  </>
                ) : (
                  <span className="muted">Choose up to {chain.hold_max_seats} seats on the map.</span>
                )}
              </div>
              <div className="booking-bar-actions">
                {own.length > 0 && (
                  <button type="button" className="button button-secondary" onClick={() => dispatch({ type: "clear" })}>
                    Clear
                  </button>
                )}
                <button type="button" className="button" onClick={holdChosen} disabled={!own.length || busy}>
                  {busy ? "Holding…" : own.length ? `Hold ${own.length} ${own.length === 1 ? "seat" : "seats"}` : "Hold seats"}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** The seat picker, started afresh for each show (its state is that show's). */
export function KeyedShowPage() {
  const showId = useParams().showId;
  return <ShowPage key={showId} />;
}
