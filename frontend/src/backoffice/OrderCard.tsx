import { useState } from "react";
import { describeError } from "../api/errors";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import type { DeskOrder } from "./api";
import { useDesk } from "./context";

/** Opens the order's tickets (one PDF) in a new tab, for the browser's print dialog. */
export function printTickets(pdfUrl: string): void {
  window.open(pdfUrl, "_blank", "noopener");
}

/** An order with its reprint and send buttons: after a sale, and in the lookup's results. */
export function OrderCard({
  order,
  autoFocus = false,
  sendRequest,
}: {
  order: DeskOrder;
  autoFocus?: boolean;
  /** A channel asked for by key (E or S): the card sends or asks where to. */
  sendRequest?: { channel: "email" | "sms"; serial: number } | null;
}) {
  const { api, config } = useDesk();
  const [asking, setAsking] = useState<"email" | "sms" | null>(null);
  const [to, setTo] = useState("");
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [lastRequest, setLastRequest] = useState(0);
  const phone = (order as { phone?: string }).phone ?? "";

  const send = async (channel: "email" | "sms", address?: string) => {
    setMessage(null);
    try {
      await api.send(order.id, channel, address || undefined);
      setMessage({ kind: "ok", text: channel === "email" ? `Tickets sent to ${address || order.email}.` : `Ticket link sent to ${address || phone}.` });
      setAsking(null);
      setTo("");
    } catch (problem) {
      setMessage({ kind: "error", text: describeError(problem) });
    }
  };

  const start = (channel: "email" | "sms") => {
    const known = channel === "email" ? order.email : phone;
    if (known) void send(channel);
    else {
      setAsking(channel);
      setTo("");
    }
  };

  if (sendRequest && sendRequest.serial !== lastRequest) {
    setLastRequest(sendRequest.serial);
    start(sendRequest.channel);
  }

  const show = order.show;
  const seats = (order.lines ?? []).map((line) => line.label).join(", ");
  return (
    <article className="desk-order" aria-label={`Order ${order.reference}`}>
      <header>
        <strong className="desk-reference">{order.reference}</strong>
        <span className={`badge badge-${order.status}`}>{order.status}</span>
        <span className="desk-order-total">{formatMoney(order.total, order.currency || config.currency, config.locale)}</span>
      </header>
      <p className="desk-muted">
        {show?.title_name ?? ""}
        {show?.starts_at ? ` · ${formatDateTime(show.starts_at, show.venue_timezone || config.timezone, config.locale)}` : ""}
        {seats ? ` · ${seats}` : ""}
        {order.name ? ` · ${order.name}` : ""}
        {order.email ? ` · ${order.email}` : ""}
        {phone ? ` · ${phone}` : ""}
      </p>
      <div className="desk-actions">
        <button type="button" className="desk-button" onClick={() => printTickets(api.ticketsPdfUrl(order.id))} autoFocus={autoFocus} disabled={order.status !== "paid"}>
          Print tickets <kbd>P</kbd>
        </button>
        <button type="button" className="desk-button desk-button-quiet" onClick={() => start("email")} disabled={order.status !== "paid"}>
          Send by email <kbd>E</kbd>
        </button>
        <button type="button" className="desk-button desk-button-quiet" onClick={() => start("sms")} disabled={order.status !== "paid"}>
          Send by SMS <kbd>S</kbd>
        </button>
      </div>
      {asking && (
        <form
          className="desk-send"
          onSubmit={(event) => {
            event.preventDefault();
            void send(asking, to.trim());
          }}
        >
          <label className="desk-field desk-field-inline">
            <span>{asking === "email" ? "Email address" : "Phone number"}</span>
            <input type={asking === "email" ? "email" : "tel"} value={to} onChange={(event) => setTo(event.target.value)} autoFocus required />
          </label>
          <button type="submit" className="desk-button">
            Send
          </button>
        </form>
      )}
      {message && (
        <p className={message.kind === "ok" ? "desk-ok" : "desk-error"} role={message.kind === "ok" ? "status" : "alert"}>
          {message.text}
        </p>
      )}
    </article>
  );
}
