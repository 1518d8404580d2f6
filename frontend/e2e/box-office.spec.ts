import { expect, test, type Page } from "@playwright/test";
import { artifact, chainApi, findShow, origin, QUICK_CHAIN } from "./support";

/**
 * The box office, as a cashier uses it: signed in to the chain's dashboard as the demo
 * box office user, a shift opened, two seats of a show sold for cash and the tickets
 * opened as one printable PDF, by keyboard alone (no click after signing in). Quickstep's
 * holds last 20 seconds, so the sale must also be quick.
 */

const DEMO_PASSWORD = "ticketing-demo";

/** Presses Tab until the focused element matches, as a keyboard user would. */
async function tabTo(page: Page, selector: string, name?: RegExp, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const hit = await page.evaluate(
      ({ selector, source }) => {
        const element = document.activeElement;
        if (!element || !element.matches(selector)) return false;
        if (!source) return true;
        return new RegExp(source).test((element.getAttribute("aria-label") || element.textContent || "").trim());
      },
      { selector, source: name?.source ?? "" },
    );
    if (hit) return;
  }
  throw new Error(`Tab never reached ${selector} ${name ?? ""}`);
}

const focusedShow = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-show-id") ?? "");

test("a sale of two seats for cash by keyboard alone, ending at the printable PDF", async ({ page, context }) => {
  const chain = QUICK_CHAIN;
  const show = await findShow(chain, { minutesAhead: 20 });

  // Sign in at the dashboard's own login, and land on the box office.
  await page.goto(`${origin(chain)}/dashboard/login/?next=/dashboard/box-office/`);
  await page.locator("#id_username").fill(`boxoffice@${chain}.test`);
  await page.locator("#id_password").fill(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/dashboard\/box-office\/$/);
  await expect(page.getByRole("heading", { name: "Box office" })).toBeVisible();
  await expect(page.locator("kbd", { hasText: "/" }).first()).toBeVisible(); // the shortcuts are on screen

  // Open a shift: the venue's first till, a float of 50.
  await expect(page.getByText("No shift open")).toBeVisible();
  await tabTo(page, "button", /^Open shift$/);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Open a shift" });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('input[name="float"]')).toBeFocused();
  await expect(dialog.locator('select[name="till"] option')).not.toHaveCount(0); // the tills are in
  await page.keyboard.type("50");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.locator(".desk-shift-state.is-open")).toContainText("Box office 1");

  // The day's shows, the next first; the arrows move to the show.
  if (!show.today) {
    await tabTo(page, "button.desk-chip", /^Tomorrow$/);
    await page.keyboard.press("Enter");
  }
  const card = page.locator(`button.show-card[data-show-id="${show.id}"]`);
  await expect(card).toBeVisible();
  if (!(await focusedShow(page))) await tabTo(page, "button.show-card");
  for (let step = 0; step < 30 && (await focusedShow(page)) !== String(show.id); step++) {
    await page.keyboard.press("ArrowDown");
  }
  await expect(card).toBeFocused();

  const started = Date.now();
  await page.keyboard.press("Enter");
  await expect(page.locator("[data-seat-id]").first()).toBeVisible();

  // "2": the best two seats together; the seats are held and payment is next.
  await page.keyboard.press("2");
  const panel = page.getByRole("region", { name: "Payment" });
  await expect(panel).toBeVisible();
  await expect(page.locator('[data-seat-id][aria-checked="true"]')).toHaveCount(2);
  await expect(panel.locator("[data-total]")).not.toHaveText("…");
  const total = Number(await panel.locator("[data-total]").getAttribute("data-total"));
  expect(total).toBeGreaterThan(0);

  // Cash is the default; the amount given is where the keys go. Change due, big.
  await expect(panel.locator('input[name="given"]')).toBeFocused();
  const given = Math.ceil(total / 100 / 10) * 10 + 10; // a round sum above the total
  await page.keyboard.type(String(given));
  await expect(panel.locator("[data-change]")).toHaveAttribute("data-change", String(given * 100 - total));
  await page.screenshot({ path: artifact("box-office-1280x800.png", "") });
  await page.keyboard.press("Enter");

  const paid = page.getByRole("heading", { name: /^Paid · [2-9A-Z]{8}$/ });
  await expect(paid).toBeVisible();
  const seconds = (Date.now() - started) / 1000;
  expect(seconds, "a sale of two seats").toBeLessThan(20);
  artifact("box-office-sale-seconds.txt", `${seconds.toFixed(1)}\n`);

  // P: the order's tickets, one PDF of two pages, in a new tab for the print dialog.
  const pdfResponse = context.waitForEvent("response", (response) => /\/orders\/[^/]+\/tickets\/pdf\/$/.test(response.url()));
  await page.keyboard.press("p");
  const response = await pdfResponse;
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/pdf");
  expect(response.headers()["content-disposition"] ?? "inline").toMatch(/^inline/);
  // The tab shows it in the browser's PDF viewer (whose page is HTML): the same file
  // again, with the same session, for its bytes.
  // (Node does not resolve *.localhost: through 127.0.0.1 with the chain's Host.)
  const cookies = await context.cookies(origin(chain));
  const file = await (await chainApi(chain)).get(new URL(response.url()).pathname, {
    headers: { Cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ") },
  });
  expect(file.headers()["content-type"]).toBe("application/pdf");
  const body = await file.body();
  expect(body.subarray(0, 5).toString()).toBe("%PDF-");
  const pages = body.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
  expect(pages).toHaveLength(2);

  // N: the next customer.
  await page.bringToFront();
  await page.keyboard.press("n");
  await expect(page.getByRole("heading", { name: "Shows" })).toBeVisible();
});
