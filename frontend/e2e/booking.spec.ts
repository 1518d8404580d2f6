import { expect, test } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { api, chainApi, expectAccessible, findShow, HOLDING_AHEAD, newCustomer, origin, PASSWORD, seats, signedInPage, twoFreeSeats, uniqueEmail } from "./support";

/** Reads the QR code in a screenshot back into its text, as a door scanner would. */
function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

test("a customer books two seats from the home page to the e-tickets, then cancels with the refund shown first", async ({ browser }) => {
  const chain = "aurora";
  // A phone-like pixel density, so the QR codes on screen are sharp enough to scan back.
  const context = await browser.newContext({ deviceScaleFactor: 2 });
  const page = await context.newPage();
  const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD, skip: 0 });

  // What's on: the day of the show, then its showtime.
  await page.goto(`${origin(chain)}/`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Aurora Multiplex");
  if (!show.today) {
    // Late in the evening today's shows are over: tomorrow's, then.
    await page.getByRole("radio", { name: /^Tomorrow/ }).click();
    await expect(page).toHaveURL(new RegExp(`date=${show.date}`));
  }
  await page.locator(`a[href="/shows/${show.id}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/shows/${show.id}$`));

  // Two seats side by side on the live map; the time is the venue's, though this
  // browser is in another zone (Playwright's config puts it in Pacific/Kiritimati).
  await expect(seats(page).first()).toBeVisible();
  const venueTime = new Intl.DateTimeFormat("en-IN", {
    timeZone: show.timezone,
    hour: "numeric",
    minute: "2-digit",
  }).format(new Date(show.startsAt));
  await expect(page.getByRole("heading", { level: 1 }).locator("xpath=..")).toContainText(venueTime);
  const [firstId, secondId] = await twoFreeSeats(chain, show.id);
  const first = page.locator(`[data-seat-id="${firstId}"]`);
  const second = page.locator(`[data-seat-id="${secondId}"]`);
  await first.click();
  await second.click();
  await expect(first).toHaveAttribute("aria-checked", "true");
  await expect(second).toHaveAttribute("aria-checked", "true");
  await expect(first).toHaveAttribute("aria-label", /^Row [A-Z], seat \d+, \w+, ₹[\d,]+, available$/);

  await page.getByRole("button", { name: "Hold 2 seats" }).click();
  await expect(page.getByText(/2 seats held/)).toBeVisible();
  await expect(first).toHaveAttribute("data-state", "held");
  await page.getByRole("button", { name: "Continue to checkout" }).click();

  // Checkout: the server's total, then an account made on the spot (the hold is kept).
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Price breakdown" })).toContainText("Total");
  await expectAccessible(page, "checkout, signed out");
  await page.getByRole("tab", { name: "Create an account" }).click();
  await page.getByLabel("Your name").fill("Asha Test");
  await page.getByLabel("Email address").fill(uniqueEmail("booking"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  const pay = page.getByRole("button", { name: /^Pay ₹/ });
  await expect(pay).toBeEnabled();
  const total = (await pay.textContent())!.replace(/^Pay /, "");
  await pay.click();

  // The sandbox's hosted page stands in for the gateway.
  await expect(page).toHaveURL(/\/pay\/sandbox\//);
  await expect(page.getByText("TEST MODE")).toBeVisible();
  await page.getByRole("button", { name: "Approve payment" }).click();
  await page.getByRole("link", { name: /Back to Aurora Multiplex/ }).click();

  // The confirmation with the e-tickets' QR codes, drawn in the browser.
  await expect(page.getByRole("heading", { name: "You're booked!" })).toBeVisible();
  const orderId = page.url().split("/orders/")[1];
  const qr = page.getByRole("img", { name: /QR code of the ticket/ });
  await expect(qr).toHaveCount(2);
  // The tickets as the API gives them, with the page's own session (refresh tokens
  // rotate, so the page is handed the new one).
  const refresh = await page.evaluate(() => localStorage.getItem("tp.refresh"));
  const request = await chainApi(chain);
  const rotated = (await (await request.post(api(chain, "auth/token/refresh/"), { data: { refresh } })).json()) as {
    access: string;
    refresh: string;
  };
  const access = rotated.access;
  await page.evaluate((token) => localStorage.setItem("tp.refresh", token), rotated.refresh);
  const tickets = (await (
    await request.get(api(chain, `orders/${orderId}/tickets/`), { headers: { Authorization: `Bearer ${access}` } })
  ).json()) as { qr: string }[] | { results: { qr: string }[] };
  const payloads = (Array.isArray(tickets) ? tickets : tickets.results).map((ticket) => ticket.qr).sort();
  const scanned = [decodeQr(await qr.nth(0).screenshot()), decodeQr(await qr.nth(1).screenshot())].sort();
  expect(scanned).toEqual(payloads);
  expect(payloads[0]).toMatch(/^TK1\./);

  // My bookings lists it; cancelling shows the refund before anything changes.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My bookings" }).click();
  const card = page.locator(`[data-order-id="${orderId}"]`);
  await expect(card).toContainText("Confirmed");
  await expect(card).toContainText(total);
  await card.getByRole("button", { name: "Cancel booking" }).click();
  const confirm = card.getByRole("region", { name: "Cancel this booking" });
  await expect(confirm).toContainText(/Cancelling now refunds (₹[\d,.]+|nothing)/);
  await expect(card).toContainText("Confirmed"); // nothing changed yet
  await confirm.getByRole("button", { name: "Confirm cancellation" }).click();
  await expect(card).toContainText("Cancelled");
  // Said after the list was refreshed too, and where the keyboard now is.
  const outcome = card.getByRole("status");
  await expect(outcome).toContainText(/Your booking \w+ is cancelled/);
  await expect(outcome).toBeFocused();
  await context.close();
});

test("a declined card can be tried again while the seats are held", async ({ browser }) => {
  const chain = "bluebird";
  const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD, skip: 1 });
  const customer = await newCustomer(chain, "decline");
  const { context, page } = await signedInPage(browser, chain, customer);
  const [a, b] = await twoFreeSeats(chain, show.id);
  await page.goto(`${origin(chain)}/shows/${show.id}`);
  await page.locator(`[data-seat-id="${a}"]`).click();
  await page.locator(`[data-seat-id="${b}"]`).click();
  await page.getByRole("button", { name: "Hold 2 seats" }).click();
  await page.getByRole("button", { name: "Continue to checkout" }).click();
  await page.getByRole("button", { name: /^Pay €/ }).click();

  await page.getByRole("button", { name: "Decline (card refused)" }).click();
  await page.getByRole("link", { name: /Back to Bluebird Theatres/ }).click();
  await expect(page.getByRole("heading", { name: "Your payment did not go through" })).toBeVisible();
  await expectAccessible(page, "a declined payment");
  await expect(page.getByText(/Your seats are still held: you can try again/)).toBeVisible();
  await expect(page.getByText(/Seats held for/)).toBeVisible();
  // Still held for this customer, as the other customers' maps show.
  const seatState = await (await chainApi(chain)).get(api(chain, `shows/${show.id}/seats/`));
  const states = ((await seatState.json()) as { seats: { id: number; state: string }[] }).seats.filter((seat) => [a, b].includes(seat.id));
  expect(states.map((seat) => seat.state)).toEqual(["held", "held"]);

  await page.getByRole("button", { name: /^Try again: pay €/ }).click();
  await expect(page).toHaveURL(/\/pay\/sandbox\//);
  await page.getByRole("button", { name: "Approve payment" }).click();
  await page.getByRole("link", { name: /Back to Bluebird Theatres/ }).click();
  await expect(page.getByRole("heading", { name: "You're booked!" })).toBeVisible();
  await expect(page.getByRole("img", { name: /QR code of the ticket/ })).toHaveCount(2);
  await context.close();
});

test("seats held before signing in can be let go after signing in", async ({ browser }) => {
  const chain = "aurora";
  const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD, skip: 2 });
  const customer = await newCustomer(chain, "release");
  const [a, b] = await twoFreeSeats(chain, show.id);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin(chain)}/shows/${show.id}`);
  await page.locator(`[data-seat-id="${a}"]`).click();
  await page.locator(`[data-seat-id="${b}"]`).click();
  await page.getByRole("button", { name: "Hold 2 seats" }).click();
  await page.getByRole("button", { name: "Continue to checkout" }).click();
  await page.getByLabel("Email address").fill(customer.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: /^Pay ₹/ })).toBeEnabled();

  await page.getByRole("link", { name: "Change seats" }).click();
  await page.getByRole("button", { name: "Release seats" }).click();
  await expect(page.getByText("Your seats were released.")).toBeVisible();
  const map = await (await chainApi(chain)).get(api(chain, `shows/${show.id}/seats/`));
  const states = ((await map.json()) as { seats: { id: number; state: string }[] }).seats
    .filter((seat) => seat.id === a || seat.id === b)
    .map((seat) => seat.state);
  expect(states).toEqual(["available", "available"]);
  await context.close();
});
