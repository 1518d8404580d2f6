import { expect, test } from "@playwright/test";
import { api, artifact, chainApi, findShow, origin } from "./support";

/**
 * How long the seat map takes to draw, for the largest map of each demo chain (Aurora's
 * IMAX, 392 seats; Bluebird's Gaiety, 424): from the render that first has the seats to
 * the commit (`data-render-ms`), and to the painted frame (`data-paint-ms`), median of
 * five fresh loads. A figure to report, not a timed assertion.
 */
for (const chain of ["aurora", "bluebird"]) {
  test(`${chain}: the largest seat map's drawing time`, async ({ browser }) => {
    const request = await chainApi(chain);
    let best = { id: 0, seats: 0 };
    for (let skip = 0; skip < 12; skip++) {
      const show = await findShow(chain, { minutesAhead: 30, skip }).catch(() => null);
      if (!show) break;
      const map = (await (await request.get(api(chain, `shows/${show.id}/seats/`))).json()) as { seats: unknown[] };
      if (map.seats.length > best.seats) best = { id: show.id, seats: map.seats.length };
    }
    expect(best.seats).toBeGreaterThan(300);
    const runs: { render: number; paint: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin(chain)}/shows/${best.id}`);
      const svg = page.locator("svg[data-paint-ms]");
      await expect(svg).toHaveCount(1);
      runs.push({
        render: Number(await svg.getAttribute("data-render-ms")),
        paint: Number(await svg.getAttribute("data-paint-ms")),
      });
      expect(await page.locator("[data-seat-id]").count()).toBe(best.seats);
      await context.close();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const figures = {
      chain,
      show: best.id,
      seats: best.seats,
      render_ms_median: median(runs.map((r) => r.render)),
      paint_ms_median: median(runs.map((r) => r.paint)),
      runs,
    };
    console.log(
      `${chain}: ${best.seats} seats drawn in ${figures.render_ms_median} ms (render and commit), ` +
        `${figures.paint_ms_median} ms to the painted frame (medians of ${runs.length})`,
    );
    artifact(`seatmap-render-${chain}.json`, JSON.stringify(figures, null, 2));
  });
}
