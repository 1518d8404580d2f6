import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { useNavigate } from "react-router";
import { endpoints } from "../api";
import { describeError } from "../api/errors";
import type { Order } from "../api/types";
import { Loading } from "../components/Status";
import { config } from "../config";
import { formatMoney } from "../lib/money";
import { payStep, razorpayPay, safeSandboxUrl } from "./pay";

const StripePayment = lazy(() => import("./StripePayment"));

/**
 * Takes the customer through paying an order: to the sandbox's page, into Razorpay
 * Checkout, or into Stripe's element (rendered by `view`). Paid orders go to their
 * confirmation page.
 */
export function usePay() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [stripeOrder, setStripeOrder] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);

  /** The order's own page, asked afresh (it may be the page we are on, after a retry). */
  const confirmation = (order: Order) => {
    setStripeOrder(null);
    void queries.invalidateQueries({ queryKey: ["order", order.id] });
    void queries.invalidateQueries({ queryKey: ["orders"] });
    navigate(`/orders/${order.id}`, { replace: true });
  };

  const pay = async (order: Order) => {
    setError(null);
    const step = payStep(order);
    switch (step.kind) {
      case "done":
        confirmation(order);
        return;
      case "redirect": {
        const url = safeSandboxUrl(step.url);
        if (url) window.location.assign(url);
        else setError("This payment cannot be opened here.");
        return;
      }
      case "stripe":
        setStripeOrder(order);
        return;
      case "razorpay": {
        try {
          const chain = config();
          const answer = await razorpayPay(order, { name: chain.name, colour: chain.primary_colour });
          if (!answer) {
            setError("The payment window was closed. Your seats are still held: you can try again.");
            return;
          }
          try {
            await endpoints.paymentConfirm(order.payment!.id, { ...answer });
          } catch {
            // Razorpay took the money; its webhook settles the order, and the order's
            // page waits for it. Never tell a customer who has paid to pay again.
          }
          confirmation(order);
        } catch (failure) {
          setError(describeError(failure));
        }
        return;
      }
      case "unsupported":
        setError("This way of paying is not available here. Choose another one.");
    }
  };

  const view = stripeOrder ? (
    <Suspense fallback={<Loading label="Loading the card form…" />}>
      <StripePayment
        clientSecret={stripeOrder.payment!.client_secret!}
        publishableKey={stripeOrder.payment!.publishable_key!}
        returnUrl={`${window.location.origin}/orders/${stripeOrder.id}`}
        amountLabel={formatMoney(stripeOrder.total, stripeOrder.currency, config().locale)}
        onPaid={async () => {
          try {
            await endpoints.paymentConfirm(stripeOrder.payment!.id);
          } catch {
            // The webhook settles it anyway; the confirmation page waits for it.
          }
          confirmation(stripeOrder);
        }}
      />
    </Suspense>
  ) : null;

  return { pay, view, error, setError };
}
