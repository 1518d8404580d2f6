/**
 * Paying an order with the chain's provider. The sandbox (the demo's) is a hosted page
 * we send the customer to; Stripe's Payment Element and Razorpay Checkout are loaded
 * only when a chain uses them, so other chains never load their code.
 */

import type { Order } from "../api/types";

export type PayStep =
  | { kind: "done" }
  | { kind: "redirect"; url: string }
  | { kind: "stripe"; clientSecret: string; publishableKey: string }
  | { kind: "razorpay" }
  | { kind: "unsupported"; provider: string };

/** What the customer does next to pay this order. */
export function payStep(order: Order): PayStep {
  const payment = order.payment;
  if (order.status === "paid" || order.total === 0 || !payment) return { kind: "done" };
  if (payment.provider === "sandbox" && typeof payment.sandbox_url === "string") {
    return { kind: "redirect", url: payment.sandbox_url };
  }
  if (payment.provider === "stripe" && payment.client_secret && payment.publishable_key) {
    return { kind: "stripe", clientSecret: payment.client_secret, publishableKey: payment.publishable_key };
  }
  if (payment.provider === "razorpay" && payment.razorpay_order_id) return { kind: "razorpay" };
  return { kind: "unsupported", provider: payment.provider };
}

/** Only our own sandbox page, never an address from elsewhere. */
export function safeSandboxUrl(url: string): string | null {
  return url.startsWith("/pay/sandbox/") ? url : null;
}

const PROVIDER_NAMES: Record<string, string> = {
  sandbox: "Test payment (sandbox)",
  stripe: "Card",
  razorpay: "UPI, cards, net banking or wallet",
};

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

interface RazorpayResponse {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

declare global {
  interface Window {
    Razorpay?: new (options: Record<string, unknown>) => { open(): void; on(event: string, handler: (r: unknown) => void): void };
  }
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) {
      resolve();
      return;
    }
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    const nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
    if (nonce) script.nonce = nonce;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("The payment page could not be loaded."));
    document.head.appendChild(script);
  });
}

/** Opens Razorpay Checkout; resolves with its signed answer, or null when closed. */
export async function razorpayPay(order: Order, options: { name: string; colour: string }): Promise<RazorpayResponse | null> {
  await loadScript("https://checkout.razorpay.com/v1/checkout.js");
  const payment = order.payment!;
  return new Promise((resolve, reject) => {
    if (!window.Razorpay) {
      reject(new Error("The payment page could not be loaded."));
      return;
    }
    const checkout = new window.Razorpay({
      key: payment.key_id,
      order_id: payment.razorpay_order_id,
      amount: payment.amount,
      currency: payment.currency,
      name: options.name,
      description: (payment.description as string | undefined) ?? order.show.title_name,
      prefill: { email: order.email, name: order.name },
      theme: { color: options.colour },
      handler: (response: RazorpayResponse) => resolve(response),
      modal: { ondismiss: () => resolve(null) },
    });
    checkout.open();
  });
}
