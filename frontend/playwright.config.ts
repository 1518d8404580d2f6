import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests of the storefront against the real server (`deploy/local/e2e.sh`
 * starts it, with Celery, on E2E_PORT and a database of its own), in Debian's Chromium:
 * Playwright's own browser download cannot reach its host here.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/artifacts/results",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { outputFolder: "e2e/artifacts/report", open: "never" }]],
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    // Far from every demo venue: what the pages say must be the venue's time, not this one.
    timezoneId: "Pacific/Kiritimati",
    locale: "en-US",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      // As root in CI Chromium needs --no-sandbox; the rest keeps it from calling
      // out to Google's hosts, which this machine cannot reach.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
});
