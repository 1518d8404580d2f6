import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { ApiError, describeError } from "../api/errors";
import type { Hold, Quote, Show } from "../api/types";
import { Countdown } from "../components/Countdown";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Legend, legendOf } from "../seatmap/Legend";
import { LiveSeats, seatSocketUrl } from "../seatmap/live";
import { SeatMap } from "../seatmap/SeatMap";
import { availableByCategory, initialState, mine, reducer, seatName } from "../seatmap/state";
import { listOf, type DeskOrder } from "./api";
import { useDesk } from "./context";
import { changeDue, parseAmount, quickCash, type Command } from "./logic";

export interface SaleScreenProps {
  show: Show;
  step: "seats" | "pay";
  method: "cash" | "card";
  onMethod: (method: "cash" | "card") => void;
  onHeld: (hold: Hold) => void;
  onReleased: () => void;
  onPaid: (order: DeskOrder, given: number | null) => void;
  /** The API wants an open shift first: the screen opens one, then calls `retry`. */
  onShiftRequired: (retry: () => void) => void;
  register: (handler: ((command: Command) => boolean) | null) => void;
}

/** One show's sale: the shared seat map on the left, choosing or paying on the right. */
export function SaleScreen({ show, step, method, onMethod, onHeld, onReleased, onPaid, onShiftRequired, register }: SaleScreenProps) {
  const { config, api } = useDesk();
  const [state, dispatch] = useReducer(reducer, config.hold_max_seats, initialState);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [category, setCategory] = useState<string>("");
  const [quote, setQuote] = useState<Quote | null>(null);
  const [customer, setCustomer] = useState({ name: "", phone: "", email: "" });
  const [given, setGiven] = useState("");
  const liveRef = useRef<LiveSeats | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const givenRef = useRef<HTMLInputElement>(null);
  const payRef = useRef<HTMLButtonElement>(null);

  const categoriesQuery = useQuery({ queryKey: ["desk-categories"], queryFn: () => api.seatCategories(), staleTime: 600_000 });
  const categories = useMemo(() => {
    const map = new Map<string, { name: string; colour: string; rank: number }>();
    for (const c of listOf(categoriesQuery.data)) map.set(c.code, { name: c.name, colour: c.colour, rank: c.rank });
    return map;
  }, [categoriesQuery.data]);

  const loadMap = useCallback(async () => {
    try {
      dispatch({ type: "snapshot", map: await api.seatMap(show.id) });
    } catch (problem) {
      setError(describeError(problem));
    }
  }, [api, show.id]);

  useEffect(() => {
    void loadMap();
    const socket = new LiveSeats(seatSocketUrl(show.id, window.location), {
      snapshot: (map) => dispatch({ type: "snapshot", map }),
      delta: (delta) => dispatch({ type: "delta", version: delta.version, seats: delta.seats }),
      status: () => undefined,
    });
    liveRef.current = socket;
    socket.start();
    return () => socket.stop();
  }, [show.id, loadMap]);

  useEffect(() => {
    if (state.needsSnapshot) void loadMap();
  }, [state.needsSnapshot, loadMap]);

  // Seats held and left behind (the tab closed, another show or order opened) go back
  // on sale at once, not when the hold runs out: a cashier's holds are limited too.
  const heldRef = useRef<string | null>(null);
  const paidRef = useRef(false);
  heldRef.current = paidRef.current ? null : (state.hold?.id ?? null);
  useEffect(() => {
    const leave = () => {
      if (heldRef.current) api.releaseOnExit(heldRef.current);
    };
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
    };
  }, [api]);

  const prices = show.prices ?? {};
  const available = useMemo(
    () => availableByCategory({ seats: state.seats, states: state.states }),
    [state.seats, state.states],
  );
  const codes = useMemo(
    () =>
      Object.keys(prices)
        .filter((code) => code !== "wheelchair" && code !== "couple")
        .sort((a, b) => (categories.get(a)?.rank ?? 0) - (categories.get(b)?.rank ?? 0) || prices[a] - prices[b]),
    [prices, categories],
  );
  const chosenCategory = codes.includes(category) ? category : (codes.find((code) => (available.get(code) ?? 0) > 0) ?? codes[0] ?? "");

  // Each step starts with the keyboard where the next key press goes.
  useEffect(() => {
    if (step === "seats") panelRef.current?.focus();
  }, [step]);
  useEffect(() => {
    if (step !== "pay") return;
    if (method === "cash") givenRef.current?.focus();
    else payRef.current?.focus();
  }, [step, method]);

  const held = (hold: Hold) => {
    dispatch({ type: "held", hold });
    setError(null);
    setQuote(null);
    setGiven("");
    onHeld(hold);
    api
      .request<Quote>(`holds/${hold.id}/quote/`, "POST", {})
      .then(setQuote)
      .catch((problem) => setError(describeError(problem)));
  };

  const holdFailed = (problem: unknown, seatIds: number[]) => {
    dispatch({ type: "holdFailed" });
    if (problem instanceof ApiError && problem.code === "seats_unavailable" && seatIds.length) {
      const taken = Array.isArray(problem.data.seats) ? (problem.data.seats as number[]) : seatIds;
      dispatch({ type: "rejected", seatIds: taken });
    }
    setError(describeError(problem));
  };

  const holdBest = async (count: number) => {
    if (busy || step !== "seats" || !chosenCategory) return;
    setBusy(true);
    setError(null);
    try {
      held(await api.hold(show.id, { best_available: { count, category: chosenCategory } }));
    } catch (problem) {
      holdFailed(problem, []);
    } finally {
      setBusy(false);
    }
  };

  const holdPicked = async () => {
    if (busy || step !== "seats" || !state.selected.length) return;
    const seatIds = [...state.selected];
    setBusy(true);
    setError(null);
    dispatch({ type: "holding", seatIds });
    try {
      held(await api.hold(show.id, { seats: seatIds }));
    } catch (problem) {
      holdFailed(problem, seatIds);
    } finally {
      setBusy(false);
    }
  };

  const release = async () => {
    const hold = state.hold;
    if (!hold) {
      onReleased();
      return;
    }
    setBusy(true);
    try {
      await api.release(hold.id);
    } catch (problem) {
      if (!(problem instanceof ApiError && problem.status === 404)) setError(describeError(problem));
    }
    dispatch({ type: "released" });
    setQuote(null);
    setBusy(false);
    onReleased();
  };

  const total = quote?.total ?? null;
  const givenMinor = parseAmount(given, config.currency);
  const change = total === null ? null : changeDue(givenMinor, total);
  const short = method === "cash" && total !== null && given.trim() !== "" && change === null;

  const pay = async () => {
    const hold = state.hold;
    if (!hold || busy) return;
    if (method === "cash" && given.trim() && change === null) {
      setError("The amount given is less than the total.");
      givenRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const order = await api.sell({
        hold: hold.id,
        provider: method,
        ...(customer.name.trim() && { name: customer.name.trim() }),
        ...(customer.phone.trim() && { phone: customer.phone.trim() }),
        ...(customer.email.trim() && { email: customer.email.trim() }),
      });
      paidRef.current = true;
      heldRef.current = null;
      onPaid(order, method === "cash" ? (givenMinor ?? order.total) : null);
    } catch (problem) {
      if (problem instanceof ApiError && problem.status === 409 && problem.code === "shift_required") {
        onShiftRequired(() => void pay());
      } else {
        setError(describeError(problem));
      }
    } finally {
      setBusy(false);
    }
  };

  const cycleCategory = (stepBy: 1 | -1) => {
    if (!codes.length) return;
    const at = codes.indexOf(chosenCategory);
    setCategory(codes[(at + stepBy + codes.length) % codes.length]);
  };

  const handler = useRef<(command: Command) => boolean>(() => false);
  handler.current = (command) => {
    switch (command.type) {
      case "bestAvailable":
        void holdBest(command.count);
        return true;
      case "nextCategory":
        cycleCategory(command.step);
        return true;
      case "confirm":
        if (step === "seats") void holdPicked();
        else void pay();
        return true;
      case "cash":
        onMethod("cash");
        return true;
      case "card":
        onMethod("card");
        return true;
      case "back":
        if (step === "pay") {
          void release();
          return true;
        }
        return false;
      default:
        return false;
    }
  };
  useEffect(() => {
    register((command) => handler.current(command));
    return () => register(null);
  }, [register]);

  const own = mine(state);
  const ownNames = own.map((id) => {
    const seat = state.byId.get(id);
    return seat ? seatName(seat) : "";
  });
  const zone = show.venue_timezone || config.timezone;
  const free = [...available.values()].reduce((sum, n) => sum + n, 0);
  const money = (minor: number) => formatMoney(minor, config.currency, config.locale);

  return (
    <div className="desk-sale">
      <section className="desk-map" aria-label="Seats">
        <header className="desk-map-head">
          <h2>{show.title_name}</h2>
          <p className="desk-muted">
            {formatDateTime(show.starts_at, zone, config.locale)} · {show.auditorium_name} · {free} seats free
          </p>
        </header>
        {state.version < 0 ? (
          <p className="desk-muted">Loading the seat map…</p>
        ) : (
          <>
            <SeatMap
              state={state}
              categories={categories}
              prices={prices}
              currency={config.currency}
              locale={config.locale}
              label={`Seat map of ${show.auditorium_name}: ${free} seats free. Arrow keys move between seats, Space picks one.`}
              onToggle={(id) => {
                setError(null);
                dispatch({ type: "toggle", id });
              }}
            />
            <Legend
              categories={categories}
              prices={prices}
              currency={config.currency}
              locale={config.locale}
              {...legendOf(state.seats)}
            />
          </>
        )}
      </section>

      <div className="desk-panel" ref={panelRef} tabIndex={-1} aria-label={step === "seats" ? "Choose seats" : "Payment"} role="region">
        {(error || state.notice) && (
          <div className="desk-alert" role="alert">
            {error ?? state.notice?.message}
          </div>
        )}
        {step === "seats" ? (
          <>
            <h3>Best available</h3>
            <div className="desk-categories" role="radiogroup" aria-label="Seat category">
              {codes.map((code) => (
                <button
                  key={code}
                  type="button"
                  role="radio"
                  aria-checked={code === chosenCategory}
                  className={`desk-chip${code === chosenCategory ? " is-active" : ""}`}
                  onClick={() => setCategory(code)}
                  disabled={!available.get(code)}
                >
                  {categories.get(code)?.name ?? code} · {formatMoney(prices[code], config.currency, config.locale)}
                </button>
              ))}
            </div>
            <div className="desk-counts" role="group" aria-label="Number of seats">
              {Array.from({ length: Math.min(9, config.hold_max_seats) }, (_, index) => index + 1).map((count) => (
                <button
                  key={count}
                  type="button"
                  className="desk-count"
                  onClick={() => void holdBest(count)}
                  disabled={busy || (available.get(chosenCategory) ?? 0) < count}
                  aria-label={`Best ${count} ${count === 1 ? "seat" : "seats"}`}
                >
                  {count}
                </button>
              ))}
            </div>
            <h3>Or pick on the map</h3>
            <p className="desk-muted">
              {own.length ? `Picked: ${ownNames.join(", ")}` : "Click seats, or Tab into the map and use the arrows and Space."}
            </p>
            <div className="desk-actions">
              {own.length > 0 && (
                <button type="button" className="desk-button desk-button-quiet" onClick={() => dispatch({ type: "clear" })}>
                  Clear
                </button>
              )}
              <button type="button" className="desk-button" onClick={() => void holdPicked()} disabled={!own.length || busy}>
                {own.length ? `Hold ${own.length} ${own.length === 1 ? "seat" : "seats"}` : "Hold picked seats"}
                <kbd>Enter</kbd>
              </button>
            </div>
          </>
        ) : (
          <form
            className="desk-pay"
            onSubmit={(event) => {
              event.preventDefault();
              void pay();
            }}
          >
            <div className="desk-held">
              <div>
                <strong>
                  {own.length} {own.length === 1 ? "seat" : "seats"}: {ownNames.join(", ")}
                </strong>
                {state.hold && (
                  <Countdown
                    expiresAt={state.hold.expiresAt}
                    label="Held for"
                    warningText="Less than a minute left: take the payment or the seats go back on sale."
                    onExpired={() => {
                      dispatch({ type: "expired" });
                      setError("The hold ran out; the seats were released. Choose again.");
                      onReleased();
                    }}
                  />
                )}
              </div>
              <div className="desk-total">
                <span>Total</span>
                <strong data-total={total ?? ""}>{total === null ? "…" : money(total)}</strong>
              </div>
            </div>
            <fieldset className="desk-customer">
              <legend>Customer (optional)</legend>
              <label className="desk-field">
                <span>Name</span>
                <input value={customer.name} onChange={(e) => setCustomer({ ...customer, name: e.target.value })} autoComplete="off" />
              </label>
              <label className="desk-field">
                <span>Phone</span>
                <input type="tel" value={customer.phone} onChange={(e) => setCustomer({ ...customer, phone: e.target.value })} autoComplete="off" />
              </label>
              <label className="desk-field">
                <span>Email</span>
                <input type="email" value={customer.email} onChange={(e) => setCustomer({ ...customer, email: e.target.value })} autoComplete="off" />
              </label>
            </fieldset>
            <div className="desk-methods" role="radiogroup" aria-label="Payment method">
              {(["cash", "card"] as const).map((value) => (
                <button
                  key={value}
                  type="button"
                  role="radio"
                  aria-checked={method === value}
                  className={`desk-method${method === value ? " is-active" : ""}`}
                  onClick={() => onMethod(value)}
                >
                  {value === "cash" ? "Cash" : "Card"} <kbd>{value === "cash" ? "C" : "K"}</kbd>
                </button>
              ))}
            </div>
            {method === "cash" && (
              <div className="desk-cash">
                <label className="desk-field">
                  <span>Amount given</span>
                  <input
                    ref={givenRef}
                    inputMode="decimal"
                    value={given}
                    onChange={(event) => setGiven(event.target.value)}
                    aria-invalid={short || undefined}
                    aria-describedby="desk-change"
                    autoComplete="off"
                    name="given"
                  />
                </label>
                <p id="desk-change" className={`desk-change${short ? " is-short" : ""}`} aria-live="polite">
                  <span>{short ? "Short by" : "Change due"}</span>
                  <strong data-change={change ?? ""}>
                    {short && total !== null && givenMinor !== null
                      ? money(total - givenMinor)
                      : change !== null
                        ? money(change)
                        : "—"}
                  </strong>
                </p>
                {total !== null && (
                  <div className="desk-quick" role="group" aria-label="Amounts given">
                    {quickCash(total, config.currency).map((amount) => (
                      <button key={amount} type="button" className="desk-chip" onClick={() => setGiven(String(amount / 10 ** config.currency_digits))}>
                        {money(amount)}
                      </button>
                    ))}
                  </div>
                )}
              </div>
            )}
            <div className="desk-actions">
              <button type="button" className="desk-button desk-button-quiet" onClick={() => void release()} disabled={busy}>
                Release seats <kbd>Esc</kbd>
              </button>
              <button type="submit" className="desk-button desk-button-pay" ref={payRef} disabled={busy || total === null}>
                {busy ? "Taking payment…" : method === "cash" ? `Take ${total === null ? "" : money(total)} cash` : `Card paid ${total === null ? "" : money(total)}`}
                <kbd>Enter</kbd>
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
