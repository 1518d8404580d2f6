import { expect, test } from "@playwright/test";
import { PORT } from "./support";

// The platform console as platform staff meet it (issue 16): the home's figures, the
// chain list, and onboarding a chain from the "Add chain" form, refusals on their field.
const CONSOLE = `http://localhost:${PORT}/console/`;
const STAFF = { email: "admin@platform.test", password: "ticketing-demo" };

test("platform staff see the figures, and onboard a chain from the console", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(CONSOLE);
  await page.locator("#id_username").fill(STAFF.email);
  await page.locator("#id_password").fill(STAFF.password);
  await page.locator("input[type=submit]").click();
  await expect(page).toHaveURL(/\/console\/$/);

  // The demo's chains are active; the lists are there, empty or not.
  const active = Number(await page.locator('[data-figure="chains-active"]').innerText());
  expect(active).toBeGreaterThanOrEqual(2);
  for (const name of ["chains-suspended", "signups-waiting", "tickets-month", "gross-month", "unpaid-invoices"]) {
    await expect(page.locator(`[data-figure="${name}"]`)).toBeVisible();
  }
  for (const name of ["unpaid-invoices", "near-suspension", "signups-waiting"]) {
    await expect(page.locator(`[data-list="${name}"]`)).toHaveCount(1);
  }
  await expect(page.locator('[data-chart="revenue"]').first()).toBeVisible();

  await page.getByRole("link", { name: "All chains" }).click();
  await expect(page.locator("#result_list")).toContainText("aurora.localhost");

  // A taken subdomain: the service's words, on the slug's row.
  await page.goto(`${CONSOLE}tenants/tenant/add/`);
  const slug = `e2e-console-${Date.now().toString(36)}`;
  await page.locator("#id_name").fill("Console Cinemas");
  await page.locator("#id_slug").fill("aurora");
  await page.locator("#id_owner_email").fill(`owner@${slug}.test`);
  await page.locator("#id_owner_password").fill("a-long-console-password-42");
  await page.getByRole("button", { name: /onboard the chain/i }).click();
  await expect(page.locator(".field-slug .errorlist")).toHaveText("A chain with the slug 'aurora' exists.");

  await page.locator("#id_slug").fill(slug);
  await page.locator("#id_owner_password").fill("a-long-console-password-42");
  await page.getByRole("button", { name: /onboard the chain/i }).click();
  await expect(page).toHaveURL(/\/console\/tenants\/tenant\/\d+\/change\//);
  await expect(page.locator("#content")).toContainText(`${slug}.localhost`);
  await expect(page.locator("#content")).toContainText("No usage yet");
  expect(problems).toEqual([]);
});
