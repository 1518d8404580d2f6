import { loadStripe, type Stripe, type StripeElements } from "@stripe/stripe-js";
import { useEffect, useRef, useState } from "react";
import { config } from "../config";
import { ErrorMessage } from "../components/Status";

/**
 * Stripe's Payment Element for one PaymentIntent. A declined card is shown by the
 * element itself and the customer may try another card on the same attempt.
 */
export default function StripePayment({
  clientSecret,
  publishableKey,
  returnUrl,
  amountLabel,
  onPaid,
}: {
  clientSecret: string;
  publishableKey: string;
  returnUrl: string;
  amountLabel: string;
  onPaid: () => void;
}) {
  const mount = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<Stripe | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    loadStripe(publishableKey)
      .then((loaded) => {
        if (cancelled || !loaded || !mount.current) return;
        const created = loaded.elements({
          clientSecret,
          appearance: { theme: "stripe", variables: { colorPrimary: config().primary_colour } },
        });
        created.create("payment").mount(mount.current);
        setStripe(loaded);
        setElements(created);
      })
      .catch(() => setError("The card form could not be loaded. Check your connection and try again."));
    return () => {
      cancelled = true;
    };
  }, [clientSecret, publishableKey]);

  return (
    <form
      className="form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!stripe || !elements) return;
        setBusy(true);
        setError(null);
        const result = await stripe.confirmPayment({
          elements,
          confirmParams: { return_url: returnUrl },
          redirect: "if_required",
        });
        setBusy(false);
        if (result.error) setError(result.error.message ?? "The payment did not go through.");
        else onPaid();
      }}
    >
      <div ref={mount} className="stripe-element" />
      <ErrorMessage message={error} />
      <button type="submit" className="button button-block" disabled={!stripe || busy}>
        {busy ? "Paying…" : `Pay ${amountLabel}`}
      </button>
    </form>
  );
}
