import { expect, test, type Page } from "@playwright/test";
import { findShow, HOLDING_AHEAD, newCustomer, origin, PASSWORD } from "./support";

/** Presses Tab until the focused element matches, as a keyboard user would. */
async function tabTo(page: Page, target: { selector?: string; name?: RegExp }, limit = 80): Promise<void> {
  const probe = { selector: target.selector ?? "", source: target.name?.source ?? "", flags: target.name?.flags ?? "" };
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const hit = await page.evaluate(({ selector, source, flags }) => {
      const element = document.activeElement;
      if (!element || element === document.body) return false;
      if (selector && !element.matches(selector)) return false;
      if (!source) return true;
      const text = (element.getAttribute("aria-label") || element.textContent || "").trim();
      return new RegExp(source, flags).test(text);
    }, probe);
    if (hit) return;
  }
  throw new Error(`Tab never reached ${JSON.stringify(probe)}`);
}

test("booking with the keyboard alone", async ({ page }) => {
  const chain = "bluebird";
  const show = await findShow(chain, { minutesAhead: HOLDING_AHEAD });
  const customer = await newCustomer(chain, "keyboard");

  await page.goto(`${origin(chain)}/${show.today ? "" : `?date=${show.date}`}`);
  await tabTo(page, { selector: `a[href="/shows/${show.id}"]` });
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/shows/${show.id}$`));

  // Into the map: one tab stop, then arrows; Space chooses.
  await expect(page.locator("[data-seat-id]").first()).toBeVisible();
  await tabTo(page, { selector: "[data-seat-id]" });
  const chosen: string[] = [];
  for (let step = 0; step < 60 && chosen.length < 2; step++) {
    const focused = await page.evaluate(() => ({
      id: document.activeElement?.getAttribute("data-seat-id") ?? "",
      state: document.activeElement?.getAttribute("data-state") ?? "",
    }));
    if (focused.state === "available" && !chosen.includes(focused.id)) {
      await page.keyboard.press("Space");
      chosen.push(focused.id);
    }
    await page.keyboard.press("ArrowRight");
  }
  expect(chosen).toHaveLength(2);
  for (const id of chosen) await expect(page.locator(`[data-seat-id="${id}"]`)).toHaveAttribute("aria-checked", "true");

  await tabTo(page, { selector: "button", name: /^Hold 2 seats$/ });
  await page.keyboard.press("Enter");
  await expect(page.getByText(/2 seats held/)).toBeVisible();
  // Holding replaced the pressed button: the keyboard is on the next step already.
  await expect(page.getByRole("button", { name: "Continue to checkout" })).toBeFocused();
  await page.keyboard.press("Enter");

  // Sign in inside checkout, by keyboard.
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await tabTo(page, { selector: 'input[name="email"]' });
  await page.keyboard.type(customer.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: /^Pay €/ })).toBeEnabled();
  await expect(page.getByRole("heading", { name: "Payment" })).toBeFocused();
  await tabTo(page, { selector: "button", name: /^Pay €/ });
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/\/pay\/sandbox\//);
  await tabTo(page, { selector: "button", name: /^Approve payment$/ });
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: /Payment approved/ })).toBeVisible();
  await tabTo(page, { selector: "a", name: /Back to Bluebird Theatres/ });
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "You're booked!" })).toBeVisible();
  await expect(page.getByRole("img", { name: /QR code of the ticket/ })).toHaveCount(2);
});
