import { describe, expect, it } from "vitest";
import type { Order, Payment } from "../api/types";
import { payStep, safeSandboxUrl } from "./pay";

const payment = (extra: Partial<Payment>): Payment => ({
  id: "p1", provider: "sandbox", status: "pending", amount: 37080, currency: "INR", test_mode: true,
  method: "", failure_code: "", failure_message: "", refunded: 0, created_at: "", ...extra,
});
const order = (extra: Partial<Order>): Order =>
  ({ id: "o1", status: "pending", total: 37080, payment: payment({}), ...extra }) as Order;

describe("how an order is paid", () => {
  it("sends sandbox payments to the hosted page", () => {
    expect(payStep(order({ payment: payment({ sandbox_url: "/pay/sandbox/p1/?t=x" }) }))).toEqual({
      kind: "redirect",
      url: "/pay/sandbox/p1/?t=x",
    });
  });

  it("mounts Stripe's element with the client secret", () => {
    expect(
      payStep(order({ payment: payment({ provider: "stripe", client_secret: "pi_1_secret", publishable_key: "pk_test" }) })),
    ).toEqual({ kind: "stripe", clientSecret: "pi_1_secret", publishableKey: "pk_test" });
  });

  it("opens Razorpay for a Razorpay order", () => {
    expect(payStep(order({ payment: payment({ provider: "razorpay", razorpay_order_id: "order_1" }) }))).toEqual({
      kind: "razorpay",
    });
  });

  it("has nothing to pay for free or paid orders", () => {
    expect(payStep(order({ total: 0, payment: null }))).toEqual({ kind: "done" });
    expect(payStep(order({ status: "paid" }))).toEqual({ kind: "done" });
  });

  it("follows only our own sandbox page", () => {
    expect(safeSandboxUrl("/pay/sandbox/p1/?t=x")).toBe("/pay/sandbox/p1/?t=x");
    expect(safeSandboxUrl("https://evil.example/pay/sandbox/")).toBeNull();
    expect(safeSandboxUrl("//evil.example/x")).toBeNull();
  });
});
