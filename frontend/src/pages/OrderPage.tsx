import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { endpoints, items } from "../api";
import { ApiError, describeError } from "../api/errors";
import type { Order } from "../api/types";
import { Countdown } from "../components/Countdown";
import { OrderActions } from "../components/OrderActions";
import { Alert, ErrorMessage, LoadError, Loading, Outcome } from "../components/Status";
import { TicketCard } from "../components/Tickets";
import { config } from "../config";
import { categoryName, useCategories } from "../hooks/categories";
import { usePageTitle } from "../hooks/page";
import { useSignedIn } from "../hooks/session";
import { saveBlob } from "../lib/download";
import { holdForget } from "../lib/holdStore";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { payStep } from "../payments/pay";
import { ProviderChoice } from "../payments/ProviderChoice";
import { usePay } from "../payments/usePay";
import { NotFoundPage } from "./NotFoundPage";

/** While the payment is being confirmed, the order is asked about every two seconds. */
function waiting(order: Order | undefined): boolean {
  return Boolean(order && order.status === "pending" && order.payment?.status === "pending");
}

function Retry({ order }: { order: Order }) {
  const chain = config();
  const payment = usePay();
  const [provider, setProvider] = useState(order.payment?.provider ?? chain.providers[0]?.provider ?? "");
  const [busy, setBusy] = useState(false);
  const [ended, setEnded] = useState(false);
  const queries = useQueryClient();
  const declined = order.payment?.status === "failed";

  if (ended) {
    return (
      <Alert kind="warning" live="assertive">
        <p>Your hold ran out, so the seats were released.</p>
        <p>
          <Link className="button" to={`/shows/${order.show.id}`}>
            Choose seats again
          </Link>
        </p>
      </Alert>
    );
  }

  return (
    <section className="panel" aria-labelledby="retry-title">
      <h2 id="retry-title">{declined ? "Your payment did not go through" : "Finish paying"}</h2>
      {declined && (
        <Alert kind="error" live="assertive">
          <p>
            {order.payment?.failure_message || "The payment was declined."} Your seats are still held: you can try
            again.
          </p>
        </Alert>
      )}
      {order.expires_at && (
        <Countdown
          expiresAt={order.expires_at}
          onExpired={() => {
            setEnded(true);
            void queries.invalidateQueries({ queryKey: ["order", order.id] });
          }}
        />
      )}
      {payment.view ?? (
        <>
          {chain.providers.length > 1 && (
            <ProviderChoice providers={chain.providers} value={provider} onChange={setProvider} legend="Pay with" />
          )}
          <ErrorMessage message={payment.error} />
          <button
            type="button"
            className="button button-block button-pay"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              payment.setError(null);
              try {
                // The current attempt can still be paid if it is pending, has what the
                // browser pays it with, and is with the provider chosen; otherwise a new
                // attempt (after a decline, a gateway hiccup, or another provider).
                const current = order.payment;
                const usable =
                  current?.status === "pending" &&
                  current.provider === provider &&
                  payStep(order).kind !== "unsupported";
                if (usable) {
                  await payment.pay(order);
                } else {
                  const next = await endpoints.paymentRetry(order.id, provider);
                  queries.setQueryData(["order", order.id], next);
                  await payment.pay(next);
                }
              } catch (failure) {
                if (failure instanceof ApiError && failure.code === "order_not_pending") {
                  await queries.invalidateQueries({ queryKey: ["order", order.id] });
                } else {
                  payment.setError(describeError(failure));
                }
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? "Starting payment…" : `${declined ? "Try again: pay" : "Pay"} ${formatMoney(order.total, order.currency, chain.locale)}`}
          </button>
        </>
      )}
    </section>
  );
}

export function Tickets({ order, heading = true }: { order: Order; heading?: boolean }) {
  const chain = config();
  const tickets = useQuery({ queryKey: ["tickets", order.id], queryFn: () => endpoints.tickets(order.id) });
  const categories = useCategories();
  const [error, setError] = useState<string | null>(null);
  const zone = order.show.venue_timezone || chain.timezone;
  const when = formatDateTime(order.show.starts_at, zone, chain.locale);
  if (tickets.isPending) return <Loading label="Loading your tickets…" />;
  if (tickets.isError) return <LoadError error={tickets.error} retry={() => tickets.refetch()} />;
  const list = items(tickets.data);
  return (
    <section aria-label={heading ? undefined : `E-tickets for ${order.reference}`} aria-labelledby={heading ? "tickets-title" : undefined} className="section">
      {heading && <h2 id="tickets-title">Your e-tickets</h2>}
      <p className="muted">Show these QR codes at the door, on your phone or printed.</p>
      <ErrorMessage message={error} />
      <ul className="tickets" role="list">
        {list.map((ticket) => (
          <TicketCard
            key={ticket.id}
            ticket={ticket}
            title={order.show.title_name}
            when={when}
            category={categoryName(categories, ticket.category)}
            onPdf={async () => {
              setError(null);
              try {
                saveBlob(await endpoints.ticketPdf(ticket.pdf), `ticket-${order.reference}-${ticket.label}.pdf`);
              } catch (failure) {
                setError(describeError(failure));
              }
            }}
          />
        ))}
      </ul>
    </section>
  );
}

const ENDED_WORDS: Record<string, string> = {
  cancelled: "This booking is cancelled.",
  expired: "This booking was not paid in time, so the seats were released.",
  refunded: "This booking was refunded.",
};

export function OrderPage() {
  const chain = config();
  const orderId = useParams().orderId ?? "";
  const [params] = useSearchParams();
  const signedIn = useSignedIn();
  const queries = useQueryClient();
  const order = useQuery({
    queryKey: ["order", orderId],
    queryFn: () => endpoints.order(orderId),
    enabled: signedIn,
    refetchInterval: (query) => (waiting(query.state.data) ? 2_000 : false),
  });
  const data = order.data;
  const [outcome, setOutcome] = useState<string | null>(null);
  usePageTitle(data?.status === "paid" ? "Booking confirmed" : "Your booking");

  // Back from Stripe's redirect (3-D Secure): ask our server to check with Stripe now.
  const confirmed = useRef(false);
  useEffect(() => {
    if (confirmed.current || !data?.payment || !params.get("payment_intent")) return;
    confirmed.current = true;
    endpoints
      .paymentConfirm(data.payment.id)
      .catch(() => undefined)
      .finally(() => void queries.invalidateQueries({ queryKey: ["order", orderId] }));
  }, [data, params, queries, orderId]);

  // A paid or ended order has no hold to come back to.
  useEffect(() => {
    if (data && data.status !== "pending") {
      for (let i = sessionStorage.length - 1; i >= 0; i--) {
        const key = sessionStorage.key(i);
        if (!key?.startsWith("tp.hold.") || key.startsWith("tp.hold.show.")) continue;
        try {
          const stored = JSON.parse(sessionStorage.getItem(key) ?? "{}") as { orderId?: string; id: string; show: number };
          if (stored.orderId === data.id) holdForget(stored);
        } catch {
          // Not ours to read.
        }
      }
    }
  }, [data]);

  if (!signedIn) {
    return (
      <section className="panel">
        <h1>Your booking</h1>
        <p>Sign in to see this booking and its tickets.</p>
        <p>
          <Link className="button" to={`/signin?next=${encodeURIComponent(`/orders/${orderId}`)}`}>
            Sign in
          </Link>
        </p>
      </section>
    );
  }
  if (order.isPending) return <Loading label="Loading your booking…" />;
  if (order.isError) {
    if (order.error instanceof ApiError && (order.error.status === 404 || order.error.status === 400)) {
      return <NotFoundPage what="booking" />;
    }
    return <LoadError error={order.error} retry={() => order.refetch()} />;
  }

  const o = order.data;
  const zone = o.show.venue_timezone || chain.timezone;
  const money = (value: number) => formatMoney(value, o.currency, chain.locale);
  const seats = o.lines.map((line) => line.label).join(", ");

  return (
    <div className="order-page">
      {o.status === "paid" ? (
        <div className="confirmed" role="status">
          <h1>You're booked!</h1>
          <p>
            Booking reference <strong className="reference">{o.reference}</strong>. We have emailed your tickets to{" "}
            {o.email}.
          </p>
        </div>
      ) : (
        <h1>Your booking</h1>
      )}

      <section className="panel order-summary" aria-label="Booking details">
        <p className="checkout-title">
          <Link to={`/titles/${o.show.title}`}>{o.show.title_name}</Link>
        </p>
        <p>{formatDateTime(o.show.starts_at, zone, chain.locale)}</p>
        <p className="muted">
          {o.show.venue_name} · {o.show.auditorium_name}
        </p>
        <p>
          <strong>Seats:</strong> {seats}
        </p>
        <p>
          <strong>Total:</strong> {money(o.total)}
          {o.refunded > 0 && <span className="muted"> · {money(o.refunded)} refunded</span>}
        </p>
        <p className="muted small">Reference {o.reference}</p>
      </section>

      {o.status === "pending" && waiting(o) && o.payment?.provider === "sandbox" && (
        <Alert kind="info">
          <p>We are waiting for your payment.</p>
        </Alert>
      )}
      {o.status === "pending" && <Retry order={o} />}
      <Outcome message={outcome} />
      {o.status === "paid" && (
        <>
          <OrderActions order={o} onCancelled={setOutcome} />
          <Tickets order={o} />
        </>
      )}
      {ENDED_WORDS[o.status] && (
        <Alert kind="warning">
          <p>{ENDED_WORDS[o.status]}</p>
          {o.refunded > 0 && <p>{money(o.refunded)} has been refunded to the way you paid.</p>}
        </Alert>
      )}
      <p>
        <Link to="/orders">All my bookings</Link>
      </p>
    </div>
  );
}
