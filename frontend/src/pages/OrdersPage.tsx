import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { endpoints, items } from "../api";
import type { Order } from "../api/types";
import { OrderActions } from "../components/OrderActions";
import { LoadError, Loading, Outcome } from "../components/Status";
import { config } from "../config";
import { usePageTitle } from "../hooks/page";
import { useSignedIn } from "../hooks/session";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Tickets } from "./OrderPage";

const STATUS_WORDS: Record<string, string> = {
  pending: "Awaiting payment",
  paid: "Confirmed",
  cancelled: "Cancelled",
  refunded: "Refunded",
  expired: "Not paid in time",
};

function OrderCard({ order }: { order: Order }) {
  const chain = config();
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const zone = order.show.venue_timezone || chain.timezone;
  const upcoming = Date.parse(order.show.starts_at) > Date.now();
  return (
    <li className={`order-card status-${order.status}`} aria-labelledby={`order-${order.id}`} data-order-id={order.id}>
      <div className="order-card-head">
        <h3 id={`order-${order.id}`}>
          <Link to={`/orders/${order.id}`}>{order.show.title_name}</Link>
        </h3>
        <span className={`badge badge-${order.status}`}>{STATUS_WORDS[order.status] ?? order.status}</span>
      </div>
      <p>{formatDateTime(order.show.starts_at, zone, chain.locale)}</p>
      <p className="muted">
        {order.show.venue_name} · {order.show.auditorium_name} · Seats {order.lines.map((line) => line.label).join(", ")}
      </p>
      <p className="muted small">
        {formatMoney(order.total, order.currency, chain.locale)}
        {order.refunded > 0 && ` · ${formatMoney(order.refunded, order.currency, chain.locale)} refunded`} · Reference{" "}
        {order.reference}
      </p>
      <Outcome message={outcome} />
      {order.status === "pending" && (
        <p>
          <Link className="button button-small" to={`/orders/${order.id}`}>
            Finish paying
          </Link>
        </p>
      )}
      {order.status === "paid" && (
        <>
          {upcoming && <OrderActions order={order} onCancelled={setOutcome} />}
          <button
            type="button"
            className="link-button"
            aria-expanded={open}
            aria-controls={`tickets-${order.id}`}
            onClick={() => setOpen(!open)}
          >
            {open ? "Hide tickets" : `Show ${order.lines.length === 1 ? "ticket" : `${order.lines.length} tickets`}`}
          </button>
          <div id={`tickets-${order.id}`} hidden={!open}>
            {open && <Tickets order={order} heading={false} />}
          </div>
        </>
      )}
    </li>
  );
}

export function OrdersPage() {
  usePageTitle("My bookings");
  const signedIn = useSignedIn();
  const orders = useQuery({ queryKey: ["orders"], queryFn: endpoints.orders, enabled: signedIn });
  if (!signedIn) {
    return (
      <section className="panel">
        <h1>My bookings</h1>
        <p>Sign in to see your bookings and tickets.</p>
        <p>
          <Link className="button" to="/signin?next=%2Forders">
            Sign in
          </Link>
        </p>
      </section>
    );
  }
  if (orders.isPending) return <Loading label="Loading your bookings…" />;
  if (orders.isError) return <LoadError error={orders.error} retry={() => orders.refetch()} />;
  const list = items(orders.data).filter((order) => order.status !== "expired" || Date.parse(order.created_at) > Date.now() - 86400_000);
  const now = Date.now();
  const upcoming = list
    .filter((order) => Date.parse(order.show.starts_at) > now)
    .sort((a, b) => a.show.starts_at.localeCompare(b.show.starts_at));
  const past = list.filter((order) => Date.parse(order.show.starts_at) <= now);
  return (
    <div className="orders-page">
      <h1>My bookings</h1>
      {list.length === 0 && (
        <p className="empty">
          No bookings yet. <Link to="/">See what's on</Link>
        </p>
      )}
      {upcoming.length > 0 && (
        <section aria-labelledby="upcoming-title" className="section">
          <h2 id="upcoming-title">Upcoming</h2>
          <ul className="order-list" role="list">
            {upcoming.map((order) => (
              <OrderCard key={order.id} order={order} />
            ))}
          </ul>
        </section>
      )}
      {past.length > 0 && (
        <section aria-labelledby="past-title" className="section">
          <h2 id="past-title">Past</h2>
          <ul className="order-list" role="list">
            {past.map((order) => (
              <OrderCard key={order.id} order={order} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
