import { expect, test } from "@playwright/test";
import { chainApi, closeAll, findShow, newCustomer, origin, QUICK_CHAIN, signedInPage, twoFreeSeats } from "./support";

test("a hold that runs out frees its seats on screen and says so", async ({ browser }) => {
  const chain = QUICK_CHAIN; // holds last 20 seconds here
  const show = await findShow(chain, { minutesAhead: 60 });
  const [seatA, seatB] = await twoFreeSeats(chain, show.id);
  const customer = await signedInPage(browser, chain, await newCustomer(chain, "expiry"));
  const { page } = customer;
  await page.goto(`${origin(chain)}/shows/${show.id}`);
  const a = page.locator(`[data-seat-id="${seatA}"]`);
  const b = page.locator(`[data-seat-id="${seatB}"]`);
  await a.click();
  await b.click();
  await page.getByRole("button", { name: "Hold 2 seats" }).click();
  await expect(a).toHaveAttribute("data-state", "held");
  await expect(a).toHaveAttribute("aria-label", /held for you$/);

  // A minute or less is left from the start: the warning shows at once.
  await expect(page.getByText("Less than a minute left to finish your booking.")).toBeVisible();

  await expect(page.getByText(/ran out, so the seats were released/)).toBeVisible({ timeout: 30_000 });
  for (const seat of [a, b]) {
    await expect(seat).toHaveAttribute("data-state", "available");
    await expect(seat).toHaveAttribute("aria-checked", "false");
  }
  await expect(page.getByRole("button", { name: "Continue to checkout" })).toHaveCount(0);

  // The server agrees: the seats can be held again at once.
  const again = await (await chainApi(chain)).post(`/api/v1/shows/${show.id}/holds/`, {
    data: { seats: [seatA, seatB] },
    headers: { "X-Cart-Id": `e2e-expiry-${Date.now()}-cart` },
  });
  expect(again.status()).toBe(201);
  await closeAll(customer.context);
});
