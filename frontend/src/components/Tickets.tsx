import { useMemo } from "react";
import type { Ticket } from "../api/types";
import { qrDrawing } from "../lib/qr";

/** One e-ticket: its QR code, drawn here from the signed payload, and its seat. */
export function TicketCard({
  ticket,
  title,
  when,
  category,
  onPdf,
}: {
  ticket: Ticket;
  title: string;
  when: string;
  category: string;
  onPdf: () => void;
}) {
  const drawing = useMemo(() => qrDrawing(ticket.qr), [ticket.qr]);
  const valid = ticket.status === "valid";
  return (
    <li className={`ticket${valid ? "" : " is-void"}`} data-ticket-id={ticket.id}>
      <svg
        className="ticket-qr"
        viewBox={`0 0 ${drawing.size} ${drawing.size}`}
        role="img"
        aria-label={`QR code of the ticket for seat ${ticket.label}`}
        data-qr={ticket.qr}
        shapeRendering="crispEdges"
      >
        <rect width={drawing.size} height={drawing.size} fill="#fff" />
        <path d={drawing.path} fill="#000" />
      </svg>
      <div className="ticket-text">
        <p className="ticket-seat">Seat {ticket.label}</p>
        <p className="muted small">
          {title} · {when}
        </p>
        <p className="muted small">
          {category}
          {ticket.serial > 1 && ` · re-issued (${ticket.serial})`}
        </p>
        {ticket.checked_in_at && <p className="badge">Used</p>}
        {!valid && <p className="badge badge-danger">{ticket.revoke_reason || ticket.status}</p>}
        <button type="button" className="link-button" onClick={onPdf}>
          Download this ticket (PDF)
        </button>
      </div>
    </li>
  );
}
