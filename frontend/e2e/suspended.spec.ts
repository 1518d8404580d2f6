import { expect, request as requests, test } from "@playwright/test";
import { artifact, origin, PORT } from "./support";

/** A chain onboarded and then suspended by platform staff through the platform API. */
test("a suspended chain's storefront says it is temporarily unavailable", async ({ browser }) => {
  const platform = await requests.newContext({ baseURL: `http://127.0.0.1:${PORT}`, extraHTTPHeaders: { Host: `localhost:${PORT}` } });
  const token = await platform.post("/api/platform/auth/token/", {
    data: { email: "admin@platform.test", password: "ticketing-demo" },
  });
  expect(token.status(), await token.text()).toBe(200);
  const headers = { Authorization: `Bearer ${(await token.json()).access}` };
  const slug = `paused-${Date.now().toString(36)}`;
  const made = await platform.post("/api/platform/tenants/", {
    headers,
    data: {
      name: "Paused Pictures",
      slug,
      owner_email: `owner@${slug}.test`,
      owner_password: "a-long-owner-password-42",
      currency: "EUR",
      timezone: "Europe/Dublin",
      primary_colour: "#7c2d12",
      accent_colour: "#fde68a",
    },
  });
  expect(made.status(), await made.text()).toBe(201);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin(slug)}/`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Paused Pictures");

  const paused = await platform.patch(`/api/platform/tenants/${slug}/`, {
    headers,
    data: { status: "suspended", reason: "e2e: unpaid" },
  });
  expect(paused.status(), await paused.text()).toBe(200);
  const answer = await page.goto(`${origin(slug)}/shows/1`);
  expect(answer?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Paused Pictures is temporarily unavailable");
  await expect(page.getByText("Bookings already made are safe")).toBeVisible();
  for (const size of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
    await page.setViewportSize(size);
    artifact(`screenshots/suspended-${size.width}x${size.height}.png`, await page.screenshot({ fullPage: true }));
  }
  await context.close();
  await platform.dispose();
});
