import { expect, test, type Page } from "@playwright/test";
import { api, artifact, chainApi, CHAINS, expectAccessible, expectNoSidewaysScroll, findShow, HOLDING_AHEAD, newCustomer, origin, signedInPage, type Customer } from "./support";

const SIZES = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
] as const;

/** A paid booking made through the API, for the confirmation page. */
async function paidOrder(chain: string, customer: Customer, showId: number): Promise<string> {
  const request = await chainApi(chain);
  const headers = { Authorization: `Bearer ${customer.access}` };
  const hold = await request.post(api(chain, `shows/${showId}/holds/`), {
    headers,
    data: { best_available: { count: 2, category: "regular" } },
  });
  expect(hold.status(), await hold.text()).toBe(201);
  const order = await request.post(api(chain, "orders/"), {
    headers,
    data: { hold: (await hold.json()).id, provider: "sandbox" },
  });
  expect(order.status(), await order.text()).toBe(201);
  const body = (await order.json()) as { id: string; payment: { id: string } };
  const paid = await request.post(api(chain, `payments/${body.payment.id}/sandbox/`), {
    headers,
    data: { outcome: "approve" },
  });
  expect((await paid.json()).order_status).toBe("paid");
  return body.id;
}

async function check(page: Page, chain: string, name: string, ready: () => Promise<void>) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await ready();
    await page.evaluate(() => document.fonts.ready);
    artifact(
      `screenshots/${chain}-${name}-${size.width}x${size.height}.png`,
      await page.screenshot({ fullPage: true, animations: "disabled" }),
    );
    await expectAccessible(page, `${chain} ${name} at ${size.width}px`);
    if (size.width === 360) await expectNoSidewaysScroll(page, `${chain} ${name} at 360px`);
  }
}

for (const chain of CHAINS) {
  test.describe(`${chain}: every page`, () => {
    test("signed out: home, a title, a show, sign in, register, forgot password, not found", async ({ browser }) => {
      const show = await findShow(chain, { minutesAhead: 60 });
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin(chain)}/${show.today ? "" : `?date=${show.date}`}`);
      await check(page, chain, "home", async () => {
        await expect(page.locator(".title-card").first()).toBeVisible();
        await expect(page.getByRole("heading", { name: "Coming soon" })).toBeVisible();
      });

      await page.goto(`${origin(chain)}/titles/${show.title}${show.today ? "" : `?date=${show.date}`}`);
      await check(page, chain, "title", async () => {
        await expect(page.getByRole("heading", { name: "Showtimes" })).toBeVisible();
        await expect(page.locator(".showtime").first()).toBeVisible();
      });

      await page.goto(`${origin(chain)}/shows/${show.id}`);
      await check(page, chain, "show", async () => {
        await expect(page.locator("[data-seat-id]").first()).toBeVisible();
      });

      for (const [name, path, heading] of [
        ["signin", "/signin", "Sign in"],
        ["register", "/register", "Create an account"],
        ["forgot-password", "/forgot-password", "Forgot your password?"],
        ["not-found", "/no/such/page", "We could not find that page"],
      ] as const) {
        await page.goto(`${origin(chain)}${path}`);
        await check(page, chain, name, async () => {
          await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
        });
      }
      await context.close();
    });

    test("signed in: checkout, the confirmation with e-tickets, my bookings", async ({ browser }) => {
      const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD, skip: 3 });
      const customer = await newCustomer(chain, `pages-${chain}`);
      const orderId = await paidOrder(chain, customer, show.id);
      const { context, page } = await signedInPage(browser, chain, customer);

      await page.goto(`${origin(chain)}/shows/${show.id}`);
      await expect(page.locator("[data-seat-id]").first()).toBeVisible();
      await page.getByRole("button", { name: /^Best 2 seats$/ }).click();
      await check(page, chain, "show-held", async () => {
        await expect(page.getByText(/2 seats held/)).toBeVisible();
        await expect(page.getByText(/Seats held for/)).toBeVisible();
      });
      await page.getByRole("button", { name: "Continue to checkout" }).click();
      await check(page, chain, "checkout", async () => {
        await expect(page.getByRole("table", { name: "Price breakdown" })).toBeVisible();
      });

      await page.goto(`${origin(chain)}/orders/${orderId}`);
      await check(page, chain, "confirmation", async () => {
        await expect(page.getByRole("img", { name: /QR code of the ticket/ })).toHaveCount(2);
      });

      await page.goto(`${origin(chain)}/orders`);
      await check(page, chain, "orders", async () => {
        await expect(page.locator(`[data-order-id="${orderId}"]`)).toBeVisible();
      });
      await page.locator(`[data-order-id="${orderId}"]`).getByRole("button", { name: "Cancel booking" }).click();
      await check(page, chain, "orders-cancel", async () => {
        await expect(page.getByRole("region", { name: "Cancel this booking" })).toBeVisible();
      });
      await context.close();
    });
  });
}
