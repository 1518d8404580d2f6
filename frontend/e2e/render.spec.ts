import { expect, test } from "@playwright/test";
import { api, artifact, chainApi, findShow, origin } from "./support";

/**
 * How long the seat map takes to draw, for the largest map of each demo chain (Aurora's
 * IMAX, 392 seats; Bluebird's Gaiety, 424): from the render that first has the seats to
 * the commit (`data-render-ms`), and to the painted frame (`data-paint-ms`).
 *
 * Two ways a customer meets it: arriving at the show's page cold (a shared link in a
 * new browser: nothing cached, no code compiled yet), and the usual way, choosing a
 * showtime on the title page (the app already running). Medians of five. A figure to
 * report, not a timed assertion: run this spec alone (`--workers=1`) for clean numbers.
 */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const chain of ["aurora", "bluebird"]) {
  test(`${chain}: the largest seat map's drawing time`, async ({ browser }) => {
    const request = await chainApi(chain);
    let best = { id: 0, seats: 0, title: 0, date: "" };
    for (let skip = 0; skip < 12; skip++) {
      const show = await findShow(chain, { minutesAhead: 30, skip }).catch(() => null);
      if (!show) break;
      const map = (await (await request.get(api(chain, `shows/${show.id}/seats/`))).json()) as { seats: unknown[] };
      if (map.seats.length > best.seats) best = { id: show.id, seats: map.seats.length, title: show.title, date: show.date };
    }
    expect(best.seats).toBeGreaterThan(300);

    const read = async (page: import("@playwright/test").Page) => {
      const svg = page.locator("svg[data-paint-ms]");
      await expect(svg).toHaveCount(1);
      expect(await page.locator("[data-seat-id]").count()).toBe(best.seats);
      return { render: Number(await svg.getAttribute("data-render-ms")), paint: Number(await svg.getAttribute("data-paint-ms")) };
    };

    const cold: { render: number; paint: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin(chain)}/shows/${best.id}`);
      cold.push(await read(page));
      await context.close();
    }

    const warm: { render: number; paint: number }[] = [];
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin(chain)}/titles/${best.title}?date=${best.date}`);
    for (let run = 0; run < 6; run++) {
      await page.locator(`a[href="/shows/${best.id}"]`).click();
      const figures = await read(page);
      if (run > 0) warm.push(figures); // the first also loads the page's code
      await page.goBack();
      await expect(page.getByRole("heading", { name: "Showtimes" })).toBeVisible();
    }
    await context.close();

    const figures = {
      chain,
      show: best.id,
      seats: best.seats,
      cold: { render_ms: median(cold.map((r) => r.render)), paint_ms: median(cold.map((r) => r.paint)), runs: cold },
      in_app: { render_ms: median(warm.map((r) => r.render)), paint_ms: median(warm.map((r) => r.paint)), runs: warm },
    };
    console.log(
      `${chain}: ${best.seats} seats. From a showtime link: ${figures.in_app.render_ms} ms to draw, ` +
        `${figures.in_app.paint_ms} ms to the painted frame. Cold, in a new browser: ${figures.cold.render_ms} ms ` +
        `and ${figures.cold.paint_ms} ms (medians of ${warm.length})`,
    );
    artifact(`seatmap-render-${chain}.json`, JSON.stringify(figures, null, 2));
  });
}
