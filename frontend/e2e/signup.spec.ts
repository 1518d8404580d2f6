import { expect, test } from "@playwright/test";
import { artifact, PORT, uniqueEmail } from "./support";

/** A chain signs itself up on the apex domain: the live subdomain check, the plan's
 * price in the chosen currency, and "check your email" once the form is sent. */
test("a chain signs up on the apex and is told to check its email", async ({ page }) => {
  const apex = `http://localhost:${PORT}`;
  const slug = `zenith-${Date.now().toString(36)}`;
  await page.goto(`${apex}/signup/`);
  const shownAt = Date.now();
  const form = page.locator("#signup-form");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your chain's box office");
  const availability = page.locator("[data-availability]");

  // A demo chain's subdomain is taken, a platform name reserved.
  await form.locator('input[name="slug"]').fill("aurora");
  await expect(availability).toHaveText(`aurora.localhost is taken: choose another name`);
  await form.locator('input[name="slug"]').fill("www");
  await expect(availability).toHaveText(`www.localhost is reserved: choose another name`);

  await page.getByLabel("Chain name").fill("Zenith Screens");
  await form.locator('input[name="slug"]').fill(slug);
  await expect(availability).toHaveText(`${slug}.localhost is available`);
  await page.getByLabel("Your email (the owner's sign-in)").fill(uniqueEmail("signup"));
  await page.getByLabel("Password").fill("a-long-e2e-password-42");
  await page.getByLabel("Currency").selectOption("EUR");
  await page.getByLabel("Time zone").selectOption("Europe/Dublin");
  const growth = page.locator('[data-plan="growth"]');
  await expect(growth).toContainText("€");
  await expect(growth).toContainText("free trial");
  await growth.click();
  await expect(form.locator('input[name="plan"][value="growth"]')).toBeChecked();
  artifact("signup/signup.png", await page.screenshot());

  // No person sends the form within three seconds of seeing it (the bot guard).
  const wait = 3_500 - (Date.now() - shownAt);
  if (wait > 0) await page.waitForTimeout(wait);
  await page.getByRole("button", { name: "Create my chain" }).click();

  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(form).toBeHidden();
  artifact("signup/sent.png", await page.screenshot({ fullPage: true }));
});

test("the sign-up form says what is wrong beside each field", async ({ page }) => {
  await page.goto(`http://localhost:${PORT}/signup/`);
  const shownAt = Date.now();
  await page.getByLabel("Chain name").fill("Bad Sign-up");
  await page.locator('#signup-form input[name="slug"]').fill("bluebird");
  await page.getByLabel("Your email (the owner's sign-in)").fill(uniqueEmail("taken"));
  await page.getByLabel("Password").fill("a-long-e2e-password-42");
  const wait = 3_500 - (Date.now() - shownAt);
  if (wait > 0) await page.waitForTimeout(wait);
  await page.getByRole("button", { name: "Create my chain" }).click();

  await expect(page.locator('[data-error-for="slug"]')).toHaveText(/bluebird\.localhost is taken/);
  await expect(page.locator("#signup-form")).toBeVisible();
});
