import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { describeError } from "../api/errors";
import type { Show } from "../api/types";
import { formatMoney } from "../lib/money";
import { dateKey, formatTime } from "../lib/time";
import { listOf, type DeskOrder, type Shift } from "./api";
import { isTyping, takesEnter, useDesk } from "./context";
import { classifyCode, commandFor, NEW_SALE, sale, SHORTCUTS, type Command } from "./logic";
import { OrderCard, printTickets } from "./OrderCard";
import { SaleScreen } from "./SaleScreen";
import { CloseShiftDialog, OpenShiftDialog, useCurrentShift } from "./Shift";
import { rememberVenue, ShowList, storedVenue } from "./ShowList";

type Dialog = { kind: "open"; reason?: string; then?: () => void } | { kind: "close"; shift: Shift } | null;

export function App() {
  const { config, api } = useDesk();
  const [state, dispatch] = useReducer(sale, NEW_SALE);
  const [venue, setVenue] = useState<number | null>(() => storedVenue(config.venues));
  const zone = config.venues.find((v) => v.id === venue)?.timezone ?? config.timezone;
  const [day, setDay] = useState(() => dateKey(new Date(), zone));
  const [show, setShow] = useState<Show | null>(null);
  const [order, setOrder] = useState<DeskOrder | null>(null);
  const [given, setGiven] = useState<number | null>(null);
  const [sendRequest, setSendRequest] = useState<{ channel: "email" | "sms"; serial: number } | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const shift = useCurrentShift();

  // Lookup
  const lookupRef = useRef<HTMLInputElement>(null);
  const [lookup, setLookup] = useState("");
  const [found, setFound] = useState<{ query: string; orders: DeskOrder[]; error: string | null } | null>(null);
  const [searching, setSearching] = useState(false);

  const stepHandler = useRef<((command: Command) => boolean) | null>(null);
  const register = useCallback((handler: ((command: Command) => boolean) | null) => {
    stepHandler.current = handler;
  }, []);

  const newSale = useCallback(() => {
    dispatch({ type: "newSale" });
    setShow(null);
    setOrder(null);
    setGiven(null);
    setSendRequest(null);
  }, []);

  const search = async (text: string) => {
    const code = classifyCode(text);
    const query = code.kind === "reference" ? code.reference : code.kind === "ticket" ? code.claims.seat : code.text;
    if (!query) return;
    setSearching(true);
    try {
      let orders = listOf(await api.findOrders(query));
      // A ticket: the order of that seat on that show (a seat is sold once per show).
      if (code.kind === "ticket") orders = orders.filter((item) => item.show?.id === code.claims.show);
      const what = code.kind === "ticket" ? `ticket ${code.claims.seat}` : query;
      setFound({ query: what, orders, error: null });
      if (code.kind !== "search") setLookup("");
    } catch (problem) {
      setFound({ query, orders: [], error: describeError(problem) });
    } finally {
      setSearching(false);
    }
  };

  const run = (command: Command): boolean => {
    if (dialog) return false;
    if (found && command.type === "back") {
      setFound(null);
      return true;
    }
    if (command.type === "focusLookup") {
      lookupRef.current?.focus();
      lookupRef.current?.select();
      return true;
    }
    if (stepHandler.current?.(command)) return true;
    switch (command.type) {
      case "back":
        if (state.step === "seats") {
          dispatch({ type: "back" });
          setShow(null);
          return true;
        }
        return false;
      case "newSale":
        if (state.step === "done") {
          newSale();
          return true;
        }
        return false;
      case "print":
        if (order) printTickets(api.ticketsPdfUrl(order.id));
        return Boolean(order);
      case "email":
      case "sms":
        if (!order) return false;
        setSendRequest({ channel: command.type, serial: Date.now() });
        return true;
      default:
        return false;
    }
  };
  const runRef = useRef(run);
  runRef.current = run;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const active = document.activeElement;
      const inLookup = active === lookupRef.current;
      if (inLookup && event.key === "Escape") {
        lookupRef.current?.blur();
        if (found) setFound(null);
        event.preventDefault();
        return;
      }
      if (inLookup) return;
      const command = commandFor(state.step, {
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        typing: isTyping(active),
        enterTaken: takesEnter(active),
      });
      if (command && runRef.current(command)) event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [state.step, found]);

  const pickShow = (picked: Show) => {
    setFound(null);
    setShow(picked);
    dispatch({ type: "pickShow", showId: picked.id });
  };

  const money = (minor: number) => formatMoney(minor, config.currency, config.locale);
  const openShift = shift.data ?? null;
  const shortcuts = SHORTCUTS[state.step];

  return (
    <div className="desk">
      <header className="desk-top">
        <div className="desk-brand">
          {config.logo ? <img src={config.logo} alt="" className="desk-logo" /> : <span className="desk-monogram" aria-hidden="true">{config.name.charAt(0)}</span>}
          <div>
            <h1>Box office</h1>
            <p>
              {config.name} · {config.user.name}
            </p>
          </div>
        </div>
        <form
          className="desk-lookup"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            void search(lookup);
          }}
        >
          <label htmlFor="desk-lookup" className="visually-hidden">
            Find an order: name, email, phone, reference, seat, or scan a ticket
          </label>
          <input
            id="desk-lookup"
            ref={lookupRef}
            type="search"
            value={lookup}
            onChange={(event) => setLookup(event.target.value)}
            placeholder="Find an order or scan a ticket"
            autoComplete="off"
            spellCheck={false}
          />
          <kbd className="desk-lookup-key">/</kbd>
          <button type="submit" className="desk-button desk-button-quiet" disabled={searching}>
            Find
          </button>
        </form>
        <div className="desk-shift" aria-live="polite">
          {shift.isPending ? (
            <span className="desk-muted">Shift…</span>
          ) : openShift ? (
            <>
              <span className="desk-shift-state is-open">
                <strong>{openShift.till.name}</strong> · since {formatTime(openShift.opened_at, zone, config.locale)} · float {money(openShift.float)}
              </span>
              <button type="button" className="desk-button desk-button-quiet" onClick={() => setDialog({ kind: "close", shift: openShift })}>
                Close shift
              </button>
            </>
          ) : (
            <>
              <span className="desk-shift-state">No shift open</span>
              <button type="button" className="desk-button" onClick={() => setDialog({ kind: "open" })}>
                Open shift
              </button>
            </>
          )}
        </div>
      </header>

      <main className="desk-main">
        {found && (
          <section className="desk-found" aria-label="Orders found">
            <div className="desk-found-head">
              <h2>
                {found.orders.length} {found.orders.length === 1 ? "order" : "orders"} for “{found.query}”
              </h2>
              <button type="button" className="desk-button desk-button-quiet" onClick={() => setFound(null)}>
                Close <kbd>Esc</kbd>
              </button>
            </div>
            {found.error && (
              <p className="desk-error" role="alert">
                {found.error}
              </p>
            )}
            {found.orders.map((item, index) => (
              <OrderCard key={item.id} order={item} autoFocus={index === 0} />
            ))}
          </section>
        )}
        {state.step === "shows" && (
          <ShowList
            venue={venue}
            onVenue={(id) => {
              setVenue(id);
              rememberVenue(id);
            }}
            day={day}
            onDay={setDay}
            onPick={pickShow}
            active={!found && !dialog}
          />
        )}
        {(state.step === "seats" || state.step === "pay") && show && (
          <SaleScreen
            key={show.id}
            show={show}
            step={state.step}
            method={state.method}
            onMethod={(method) => dispatch({ type: "method", method })}
            onHeld={(hold) => dispatch({ type: "held", holdId: hold.id })}
            onReleased={() => dispatch({ type: "released" })}
            onPaid={(paid, cash) => {
              setOrder(paid);
              setGiven(cash);
              dispatch({ type: "paid", orderId: paid.id });
            }}
            onShiftRequired={(retry) => setDialog({ kind: "open", reason: "Cash and card sales go to a till: open a shift first.", then: retry })}
            register={register}
          />
        )}
        {state.step === "done" && order && (
          <section className="desk-done" aria-labelledby="desk-done-title">
            <h2 id="desk-done-title">Paid · {order.reference}</h2>
            {given !== null && (
              <p className="desk-change desk-change-done">
                <span>Change due</span>
                <strong>{money(Math.max(0, given - order.total))}</strong>
              </p>
            )}
            <OrderCard order={order} autoFocus sendRequest={sendRequest} />
            <button type="button" className="desk-button desk-button-pay" onClick={newSale}>
              New sale <kbd>N</kbd>
            </button>
          </section>
        )}
      </main>

      <footer className="desk-keys" aria-label="Keyboard shortcuts">
        {shortcuts.map((shortcut) => (
          <span key={shortcut.keys}>
            <kbd>{shortcut.keys}</kbd> {shortcut.what}
          </span>
        ))}
      </footer>

      {dialog?.kind === "open" && (
        <OpenShiftDialog
          reason={dialog.reason}
          venue={show?.venue ?? venue}
          onClose={() => setDialog(null)}
          onOpened={() => {
            const then = dialog.then;
            setDialog(null);
            then?.();
          }}
        />
      )}
      {/* The dialog keeps the shift: once closed, it shows the shift's report. */}
      {dialog?.kind === "close" && <CloseShiftDialog shift={dialog.shift} onClose={() => setDialog(null)} />}
    </div>
  );
}
