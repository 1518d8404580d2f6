import { expect, test, type Page } from "@playwright/test";
import { ARTIFACTS, origin } from "./support";

// The chain dashboard as its owner meets it: the home page with today's figures and the
// sales report, each with its Chart.js chart drawn from the page's json_script data.
// The demo seed makes a few paid (test-mode) orders, which the dashboard shows while
// the demo chain takes test payments.
const chain = "aurora";
const OWNER = { email: "owner@aurora.test", password: "ticketing-demo" };

async function signIn(page: Page) {
  await page.goto(`${origin(chain)}/dashboard/login/`);
  await page.locator("#id_username").fill(OWNER.email);
  await page.locator("#id_password").fill(OWNER.password);
  await page.locator("input[type=submit]").click();
  await expect(page).toHaveURL(/\/dashboard\/$/);
}

/** How many of a canvas's pixels are painted (not transparent). */
async function paintedPixels(page: Page, selector: string): Promise<number> {
  const canvas = page.locator(selector);
  await expect(canvas).toBeVisible();
  return canvas.evaluate((element) => {
    const node = element as HTMLCanvasElement;
    const context = node.getContext("2d");
    if (!context || !node.width || !node.height) return 0;
    const pixels = context.getImageData(0, 0, node.width, node.height).data;
    let painted = 0;
    for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted += 1;
    return painted;
  });
}

/** Pixels of the chain's colour (the bars), give or take antialiasing. */
async function barPixels(page: Page, selector: string, hex: string): Promise<number> {
  return page.locator(selector).evaluate((element, colour) => {
    const node = element as HTMLCanvasElement;
    const context = node.getContext("2d");
    if (!context) return 0;
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
    const pixels = context.getImageData(0, 0, node.width, node.height).data;
    let count = 0;
    for (let index = 0; index < pixels.length; index += 4) {
      const near = Math.abs(pixels[index] - r) + Math.abs(pixels[index + 1] - g) + Math.abs(pixels[index + 2] - b);
      if (pixels[index + 3] > 200 && near < 12) count += 1;
    }
    return count;
  }, hex);
}

test("the owner's home page and sales report draw their charts and figures", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await signIn(page);

  // Home: today's figures (the seed sold tickets today), and this week's sales chart.
  const tickets = page.locator('[data-figure="tickets-today"]');
  await expect(tickets).toBeVisible();
  expect(Number((await tickets.textContent())?.replace(/,/g, ""))).toBeGreaterThan(0);
  await expect(page.locator('[data-figure="revenue-today"]')).toContainText("₹");
  await expect(page.locator('[data-figure="revenue-this-week"]')).toContainText("₹");
  for (const name of ["holds-active", "refunds-waiting", "failed-payments"]) {
    await expect(page.locator(`[data-figure="${name}"]`)).toHaveText(/^\d+$/);
  }
  const colour = await page.locator(".tp-home").evaluate((node) =>
    getComputedStyle(node).getPropertyValue("--brand").trim(),
  );
  expect(colour).toMatch(/^#[0-9a-f]{6}$/i);
  await expect.poll(() => paintedPixels(page, 'canvas[data-chart="sales-week"]')).toBeGreaterThan(1000);
  expect(await barPixels(page, 'canvas[data-chart="sales-week"]', colour)).toBeGreaterThan(50);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-home.png` });

  // The sales report, reached from the home page: a chart, a table with totals, exports.
  await page.getByRole("link", { name: "Sales report", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\/reports\/sales\//);
  await expect(page.getByRole("heading", { name: /^Sales, / })).toBeVisible();
  await expect.poll(() => paintedPixels(page, 'canvas[data-chart="sales"]')).toBeGreaterThan(1000);
  expect(await barPixels(page, 'canvas[data-chart="sales"]', colour)).toBeGreaterThan(20);
  const totals = page.locator("tr[data-totals]");
  await expect(totals).toContainText("Total");
  await expect(totals).toContainText("₹");
  await expect(page.locator('a[data-export="csv"]')).toHaveAttribute("href", /format=csv/);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-sales-report.png` });

  // Per title: a horizontal bar per title.
  await page.getByRole("link", { name: "Title", exact: true }).click();
  await expect(page).toHaveURL(/group=title/);
  await expect.poll(() => paintedPixels(page, 'canvas[data-chart="sales"]')).toBeGreaterThan(1000);

  expect(problems).toEqual([]);
});
