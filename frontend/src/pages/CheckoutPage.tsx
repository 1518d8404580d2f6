import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { endpoints } from "../api";
import { ApiError, describeError } from "../api/errors";
import type { Quote } from "../api/types";
import { Countdown } from "../components/Countdown";
import { Alert, LoadError, Loading, ErrorMessage } from "../components/Status";
import { config } from "../config";
import { categoryName, useCategories } from "../hooks/categories";
import { usePageTitle } from "../hooks/page";
import { useSignedIn } from "../hooks/session";
import { holdForget, holdLoad, holdNoteOrder, holdSave } from "../lib/holdStore";
import { formatMoney } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { ProviderChoice } from "../payments/ProviderChoice";
import { usePay } from "../payments/usePay";
import { RegisterForm } from "./auth/RegisterPage";
import { SignInForm } from "./auth/SignInPage";

const PROMO_ERRORS = new Set([
  "promo_invalid",
  "promo_expired",
  "promo_not_applicable",
  "promo_used_up",
  "promo_sign_in_required",
]);
const HOLD_ENDED = new Set(["hold_not_active", "hold_expired", "hold_not_found", "seats_unavailable"]);

function Breakdown({ quote }: { quote: Quote }) {
  const chain = config();
  const categories = useCategories();
  const money = (value: number) => formatMoney(value, quote.currency, chain.locale);
  return (
    <table className="breakdown">
      <caption className="visually-hidden">Price breakdown</caption>
      <tbody>
        {quote.lines.map((line) => (
          <tr key={line.seat}>
            <th scope="row">
              Seat {line.label} <span className="muted">· {categoryName(categories, line.category)}</span>
            </th>
            <td>{money(line.price)}</td>
          </tr>
        ))}
        {quote.discount > 0 && (
          <tr className="breakdown-discount">
            <th scope="row">Promo code {quote.promo_code}</th>
            <td>−{money(quote.discount)}</td>
          </tr>
        )}
        {quote.fees > 0 && (
          <tr>
            <th scope="row">Booking fees</th>
            <td>{money(quote.fees)}</td>
          </tr>
        )}
        {quote.tax.added > 0 && (
          <tr>
            <th scope="row">Taxes</th>
            <td>{money(quote.tax.added)}</td>
          </tr>
        )}
      </tbody>
      <tfoot>
        <tr className="breakdown-total">
          <th scope="row">Total</th>
          <td>{money(quote.total)}</td>
        </tr>
        {quote.tax.included > 0 && (
          <tr className="breakdown-note">
            <td colSpan={2}>Includes {money(quote.tax.included)} of taxes.</td>
          </tr>
        )}
      </tfoot>
    </table>
  );
}

function SignInToPay({ next }: { next: string }) {
  const [mode, setMode] = useState<"signin" | "register">("signin");
  return (
    <section className="panel" aria-labelledby="signin-to-pay">
      <h2 id="signin-to-pay">Sign in to pay</h2>
      <p className="muted">Your seats stay held while you sign in or create an account.</p>
      <div className="tabs" role="tablist" aria-label="Sign in or create an account">
        <button type="button" role="tab" aria-selected={mode === "signin"} className="tab" onClick={() => setMode("signin")}>
          Sign in
        </button>
        <button type="button" role="tab" aria-selected={mode === "register"} className="tab" onClick={() => setMode("register")}>
          Create an account
        </button>
      </div>
      <div role="tabpanel">
        {mode === "signin" ? <SignInForm next={next} onDone={() => undefined} /> : <RegisterForm next={next} onDone={() => undefined} />}
      </div>
    </section>
  );
}

export function CheckoutPage() {
  const chain = config();
  usePageTitle("Checkout");
  const holdId = useParams().holdId ?? "";
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const [stored, setStored] = useState(() => holdLoad(holdId));
  // Opened without this tab's memory of the hold (another tab, a reload after a clear):
  // ask the server, which knows the hold by the customer or the cart id.
  const fromServer = useQuery({
    queryKey: ["hold", holdId],
    queryFn: () => endpoints.hold(holdId),
    enabled: !stored,
    retry: false,
  });
  useEffect(() => {
    const hold = fromServer.data;
    if (!stored && hold && hold.status === "active") {
      holdSave(hold);
      setStored(holdLoad(hold.id));
    }
  }, [fromServer.data, stored]);
  const [promoInput, setPromoInput] = useState("");
  const [promo, setPromo] = useState<string | undefined>(undefined);
  const [promoError, setPromoError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const defaultProvider = chain.providers.find((item) => item.default)?.provider ?? chain.providers[0]?.provider ?? "";
  const [provider, setProvider] = useState(defaultProvider);
  const [busy, setBusy] = useState(false);
  const payment = usePay();

  const show = useQuery({
    queryKey: ["show", stored?.show],
    queryFn: () => endpoints.show(stored!.show),
    enabled: Boolean(stored),
  });
  const quote = useQuery({
    queryKey: ["quote", holdId, promo ?? "", signedIn],
    queryFn: async () => {
      try {
        return await endpoints.quote(holdId, promo);
      } catch (error) {
        if (promo && error instanceof ApiError && PROMO_ERRORS.has(error.code)) {
          // The code does not apply: say why, and price without it.
          setPromoError(error.detail);
          setPromo(undefined);
        }
        throw error;
      }
    },
    enabled: Boolean(stored) && !expired,
    retry: false,
    staleTime: 15_000,
  });

  // Signing in swaps the sign-in form for the payment panel: take the keyboard there.
  const payHeading = useRef<HTMLHeadingElement>(null);
  const wasSignedIn = useRef(signedIn);
  useEffect(() => {
    if (signedIn && !wasSignedIn.current) payHeading.current?.focus();
    wasSignedIn.current = signedIn;
  }, [signedIn]);

  const onExpired = () => {
    if (stored) holdForget(stored);
    setExpired(true);
  };

  // Already ordered from this hold (back from the payment page, or in another tab): the
  // order's page says what is next.
  const orderedElsewhere =
    quote.error instanceof ApiError && quote.error.code === "order_exists" && typeof quote.error.data.order === "string"
      ? quote.error.data.order
      : null;
  if (stored?.orderId || orderedElsewhere) {
    return <Navigate to={`/orders/${stored?.orderId ?? orderedElsewhere}`} replace />;
  }

  if (!stored && fromServer.isPending) return <Loading label="Finding your seats…" />;
  const ended =
    expired || !stored || (quote.error instanceof ApiError && HOLD_ENDED.has(quote.error.code)) || (quote.error instanceof ApiError && quote.error.status === 404);
  if (ended) {
    return (
      <section className="panel" aria-labelledby="checkout-title">
        <h1 id="checkout-title">Checkout</h1>
        <Alert kind="warning" live="assertive">
          <p>
            {expired
              ? "Your hold ran out, so the seats were released and can be booked by others."
              : "This hold has ended. The seats may have been released."}
          </p>
          {stored ? (
            <p>
              <Link className="button" to={`/shows/${stored.show}`}>
                Choose seats again
              </Link>
            </p>
          ) : (
            <p>
              <Link className="button" to="/">
                See what's on
              </Link>
            </p>
          )}
        </Alert>
      </section>
    );
  }

  const placeOrder = async () => {
    if (!quote.data || busy) return;
    setBusy(true);
    payment.setError(null);
    try {
      const order = await endpoints.orderCreate({ hold: holdId, provider, promo_code: promo });
      holdNoteOrder(holdId, order.id);
      await payment.pay(order);
    } catch (failure) {
      // The order exists (made in another tab, or made before the gateway failed to
      // answer): paying it, or trying again, goes on on its own page.
      if (failure instanceof ApiError && typeof failure.data.order === "string" && (failure.code === "order_exists" || failure.status === 502)) {
        holdNoteOrder(holdId, failure.data.order);
        navigate(`/orders/${failure.data.order}`, { replace: true });
        return;
      }
      if (failure instanceof ApiError && HOLD_ENDED.has(failure.code)) {
        setExpired(true);
        return;
      }
      payment.setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const data = show.data;
  const zone = data?.venue_timezone || chain.timezone;
  const seats = stored.seats.map((seat) => seat.label || `${seat.row}${seat.number}`);

  return (
    <div className="checkout">
      <h1>Checkout</h1>
      <div className="checkout-grid">
        <section className="panel checkout-summary" aria-labelledby="your-booking">
          <h2 id="your-booking">Your booking</h2>
          {data && (
            <>
              <p className="checkout-title">{data.title_name}</p>
              <p className="muted">{formatDateTime(data.starts_at, zone, chain.locale)}</p>
              <p className="muted">
                {data.venue_name} · {data.auditorium_name}
              </p>
            </>
          )}
          <p>
            <strong>Seats:</strong> {seats.join(", ")}
          </p>
          <Countdown expiresAt={quote.data?.expires_at ?? stored.expires_at} onExpired={onExpired} />
          {quote.isPending ? (
            <Loading label="Working out your total…" />
          ) : quote.isError ? (
            <LoadError error={quote.error} retry={() => quote.refetch()} />
          ) : (
            <Breakdown quote={quote.data} />
          )}
          <form
            className="promo"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              setPromoError(null);
              setPromo(promoInput.trim() || undefined);
            }}
          >
            <label className="field" htmlFor="promo-code">
              <span>Promo code</span>
            </label>
            <span className="promo-row">
              <input
                id="promo-code"
                name="promo"
                value={promoInput}
                onChange={(event) => setPromoInput(event.target.value.toUpperCase())}
                autoComplete="off"
                aria-invalid={Boolean(promoError)}
                aria-describedby={promoError ? "promo-error" : undefined}
              />
              <button type="submit" className="button button-secondary">
                Apply
              </button>
            </span>
            {promoError && (
              <p id="promo-error" className="field-error" role="alert">
                {promoError}
              </p>
            )}
            {promo && quote.data?.promo_code && (
              <p className="field-hint" role="status">
                {quote.data.promo_code} applied.{" "}
                <button type="button" className="link-button" onClick={() => { setPromo(undefined); setPromoInput(""); }}>
                  Remove
                </button>
              </p>
            )}
          </form>
          <p className="small">
            <Link to={`/shows/${stored.show}`}>Change seats</Link>
          </p>
        </section>

        <div className="checkout-pay">
          {!signedIn ? (
            <SignInToPay next={`/checkout/${holdId}`} />
          ) : payment.view ? (
            <section className="panel" aria-labelledby="pay-title">
              <h2 id="pay-title">Pay by card</h2>
              {payment.view}
            </section>
          ) : (
            <section className="panel" aria-labelledby="pay-title">
              <h2 id="pay-title" tabIndex={-1} ref={payHeading}>
                Payment
              </h2>
              {chain.providers.length === 0 ? (
                <Alert kind="error">This chain does not take payments online at the moment.</Alert>
              ) : (
                <ProviderChoice providers={chain.providers} value={provider} onChange={setProvider} legend="How would you like to pay?" />
              )}
              <ErrorMessage message={payment.error} />
              <button
                type="button"
                className="button button-block button-pay"
                onClick={placeOrder}
                disabled={busy || !quote.data || !provider}
              >
                {busy ? "Starting payment…" : quote.data ? `Pay ${formatMoney(quote.data.total, quote.data.currency, chain.locale)}` : "Pay"}
              </button>
              <p className="small muted">
                By paying you agree to {chain.name}'s cancellation policy: you can see what a cancellation would refund
                under My bookings before you confirm it.
              </p>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}
