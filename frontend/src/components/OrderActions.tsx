import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { endpoints } from "../api";
import { describeError } from "../api/errors";
import type { CancelQuote, Order } from "../api/types";
import { config } from "../config";
import { saveBlob } from "../lib/download";
import { icsFile } from "../lib/ics";
import { formatMoney } from "../lib/money";
import { ErrorMessage } from "./Status";

export function calendarFile(order: Order): Blob {
  const chain = config();
  const start = order.show.starts_at;
  const end = order.show.ends_at ?? new Date(Date.parse(start) + 3 * 3600_000).toISOString();
  const seats = order.lines.map((line) => line.label).join(", ");
  const text = icsFile(
    {
      uid: `${order.id}@${window.location.host}`,
      start,
      end,
      summary: order.show.title_name,
      location: `${order.show.venue_name}, ${order.show.auditorium_name}`,
      description: `Seats ${seats}. Booking ${order.reference}. Show your tickets at the door.`,
      url: `${window.location.origin}/orders/${order.id}`,
    },
    chain.name,
  );
  return new Blob([text], { type: "text/calendar;charset=utf-8" });
}

/**
 * Tickets as PDF, the booking in a calendar, and cancelling with the refund shown first.
 * Once cancelled the order is no longer paid and these actions go away, so the outcome
 * is handed to the page (`onCancelled`), which keeps saying it.
 */
export function OrderActions({ order, onCancelled }: { order: Order; onCancelled: (message: string) => void }) {
  const chain = config();
  const queries = useQueryClient();
  const [quote, setQuote] = useState<CancelQuote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  const money = (value: number) => formatMoney(value, order.currency, chain.locale);
  const started = Date.parse(order.show.starts_at) <= Date.now();

  const downloadAll = async () => {
    setError(null);
    try {
      saveBlob(await endpoints.ticketPdf(`orders/${order.id}/tickets/pdf/`), `tickets-${order.reference}.pdf`);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const askCancel = async () => {
    setBusy(true);
    setError(null);
    try {
      setQuote(await endpoints.cancelQuote(order.id));
      requestAnimationFrame(() => confirmRef.current?.focus());
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await endpoints.cancel(order.id);
      setQuote(null);
      onCancelled(
        result.refund > 0
          ? `Your booking ${order.reference} is cancelled. ${money(result.refund)} is on its way back to you.`
          : `Your booking ${order.reference} is cancelled.`,
      );
      await queries.invalidateQueries({ queryKey: ["orders"] });
      await queries.invalidateQueries({ queryKey: ["order", order.id] });
      await queries.invalidateQueries({ queryKey: ["tickets", order.id] });
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="order-actions">
      <div className="order-buttons">
        <button type="button" className="button button-secondary" onClick={downloadAll}>
          Download tickets (PDF)
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => saveBlob(calendarFile(order), `booking-${order.reference}.ics`)}
        >
          Add to calendar
        </button>
        {order.status === "paid" && !started && !quote && (
          <button type="button" className="button button-danger-outline" onClick={askCancel} disabled={busy}>
            Cancel booking
          </button>
        )}
      </div>
      {quote && (
        <div className="cancel-confirm" role="region" aria-label="Cancel this booking" tabIndex={-1} ref={confirmRef}>
          {quote.allowed ? (
            <>
              <p>
                <strong>
                  {quote.refund > 0
                    ? `Cancelling now refunds ${money(quote.refund)}`
                    : "Cancelling now refunds nothing"}
                </strong>{" "}
                ({quote.refund_percent}% of what you paid, under {chain.name}'s cancellation policy).
              </p>
              {quote.detail && <p className="muted small">{quote.detail}</p>}
              <div className="order-buttons">
                <button type="button" className="button button-danger" onClick={cancel} disabled={busy}>
                  {busy ? "Cancelling…" : `Confirm cancellation`}
                </button>
                <button type="button" className="button button-secondary" onClick={() => setQuote(null)}>
                  Keep my booking
                </button>
              </div>
            </>
          ) : (
            <>
              <p>{quote.detail || "This booking can no longer be cancelled."}</p>
              <button type="button" className="button button-secondary" onClick={() => setQuote(null)}>
                OK
              </button>
            </>
          )}
        </div>
      )}
      <ErrorMessage message={error} />
    </div>
  );
}
