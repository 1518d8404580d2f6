import { expect, test } from "@playwright/test";
import { api, chainApi, findShow, HOLDING_AHEAD, origin, seats, twoFreeSeats } from "./support";

const MANAGER = { email: "manager@aurora.test", password: "ticketing-demo" };

test("a customer waits in a show's queue, is admitted, then picks seats and holds them", async ({ browser }) => {
  const chain = "aurora";
  const request = await chainApi(chain);
  // A show no other spec uses (they take the first four): its queue is on meanwhile.
  const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD, skip: 6 });
  const tokens = await request.post(api(chain, "auth/token/"), { data: MANAGER });
  expect(tokens.ok()).toBeTruthy();
  const staff = { Authorization: `Bearer ${((await tokens.json()) as { access: string }).access}` };
  const settings = (enabled: boolean) =>
    request.put(api(chain, `shows/${show.id}/queue-settings/`), {
      headers: staff,
      data: { enabled, admissions_per_second: 1 },
    });

  // The manager turns the queue on at one admission a second; three customers are ahead.
  const on = await settings(true);
  expect(on.ok()).toBeTruthy();
  expect(((await on.json()) as { active: boolean }).active).toBe(true);
  for (const n of [1, 2, 3]) {
    const ahead = await request.post(api(chain, `shows/${show.id}/queue/`), {
      headers: { "X-Cart-Id": `e2e-queue-ahead-${n}-${Date.now()}` },
    });
    expect(ahead.status()).toBe(201);
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    // A hold without an admission is refused while the queue is on.
    const refused = await request.post(api(chain, `shows/${show.id}/holds/`), {
      headers: { "X-Cart-Id": `e2e-queue-refused-${Date.now()}` },
      data: { seats: [(await twoFreeSeats(chain, show.id))[0]] },
    });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("queue_required");

    await page.goto(`${origin(chain)}/shows/${show.id}`);
    const queue = page.locator("[data-queue]");
    await expect(queue).toBeVisible();
    await expect(queue.getByRole("heading", { name: "You are in the queue" })).toBeVisible();
    await expect(page.locator("[data-queue-position]")).toHaveText(/^[1-9]\d*$/);
    await expect(page.locator("[data-queue-wait]")).toContainText(/second|minute|moment/);
    await expect(queue).toContainText("refreshing keeps your place");
    await page.screenshot({ path: "/tmp/shots17/queue.png" });

    // A refresh keeps the place; then the admission comes and the seat map opens.
    await page.reload();
    await expect(page.locator("[data-queue]")).toBeVisible();
    await expect(seats(page).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.locator("[data-queue]")).toHaveCount(0);

    const [firstId, secondId] = await twoFreeSeats(chain, show.id);
    await page.locator(`[data-seat-id="${firstId}"]`).click();
    await page.locator(`[data-seat-id="${secondId}"]`).click();
    await page.getByRole("button", { name: "Hold 2 seats" }).click();
    await expect(page.getByText(/2 seats held/)).toBeVisible();
    await expect(page.locator(`[data-seat-id="${firstId}"]`)).toHaveAttribute("data-state", "held");
  } finally {
    await context.close();
    await settings(false);
  }
});
