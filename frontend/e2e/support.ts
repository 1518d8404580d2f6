import { expect, request as requests, type APIRequestContext, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PORT = Number(process.env.E2E_PORT ?? 8765);
export const CHAINS = ["aurora", "bluebird"] as const;
export type Chain = (typeof CHAINS)[number] | string;
/** A chain whose holds last 20 seconds (seeded by `manage.py seed_demo --e2e`). */
export const QUICK_CHAIN = process.env.E2E_QUICK_CHAIN ?? "quickstep";
export const PASSWORD = "a-long-e2e-password-42";

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(here, "artifacts");

export const origin = (chain: Chain) => `http://${chain}.localhost:${PORT}`;
/** An API path; `chainApi(chain)` sends it to the chain's host. */
export const api = (_chain: Chain, path: string) => `/api/v1/${path}`;

const clients = new Map<string, Promise<APIRequestContext>>();

/**
 * The API of one chain, for the tests' own set-up. Browsers resolve `*.localhost` to
 * the loopback address themselves; Node does not, so these requests go to 127.0.0.1
 * and name the chain in the Host header, as a proxy would.
 */
export function chainApi(chain: Chain): Promise<APIRequestContext> {
  let client = clients.get(chain);
  if (!client) {
    client = requests.newContext({
      baseURL: `http://127.0.0.1:${PORT}`,
      extraHTTPHeaders: { Host: `${chain}.localhost:${PORT}` },
    });
    clients.set(chain, client);
  }
  return client;
}

export function artifact(path: string, content: string | Buffer): string {
  const file = join(ARTIFACTS, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

let counter = 0;
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `e2e-${tag}-${Date.now().toString(36)}-${process.pid}-${counter}@example.test`;
}

export interface Customer {
  email: string;
  name: string;
  access: string;
  refresh: string;
}

/** A new customer of the chain, registered and signed in through the API. */
export async function newCustomer(chain: Chain, tag: string): Promise<Customer> {
  const request = await chainApi(chain);
  const email = uniqueEmail(tag);
  const name = `Test ${tag}`;
  const registered = await request.post(api(chain, "auth/register/"), { data: { email, password: PASSWORD, name } });
  expect(registered.status(), await registered.text()).toBe(201);
  const tokens = await request.post(api(chain, "auth/token/"), { data: { email, password: PASSWORD } });
  expect(tokens.status(), await tokens.text()).toBe(200);
  const body = (await tokens.json()) as { access: string; refresh: string };
  return { email, name, ...body };
}

/** A browser page signed in as the customer (the storefront keeps the refresh token). */
export async function signedInPage(browser: Browser, _chain: Chain, customer: Customer, viewport?: { width: number; height: number }) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(
    ([key, value]) => {
      if (!window.localStorage.getItem(key)) window.localStorage.setItem(key, value);
    },
    ["tp.refresh", customer.refresh],
  );
  const page = await context.newPage();
  return { context, page };
}

export interface FoundShow {
  id: number;
  title: number;
  date: string;
  today: boolean;
  startsAt: string;
  timezone: string;
}

export interface GridShow {
  id: number;
  starts_at: string;
  status: string;
  auditorium: { id: number; name: string };
}

function todayIn(zone: string, offsetDays = 0): string {
  const date = new Date(Date.now() + offsetDays * 86400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/**
 * An on-sale show of the chain starting at least `minutesAhead` from now (today or
 * the next days in the chain's zone), optionally in an auditorium with a given name.
 *
 * Tests that hold seats run two at a time, so each takes its own show (`skip`, with
 * `minutesAhead: HOLDING_AHEAD`): Aurora's booking 0, live 1, release 2, pages 3;
 * Bluebird's keyboard 0, decline 1, pages 3.
 */
/** Minutes ahead for the tests that hold seats: past the demo policy's last 4 hours, in
 * which customers cannot cancel, so the booking test can always cancel what it booked
 * (with 2 hours it failed whenever the first such show started within 4). */
export const HOLDING_AHEAD = 300;

export async function findShow(
  chain: Chain,
  options: { auditorium?: string; minutesAhead?: number; skip?: number } = {},
): Promise<FoundShow> {
  const request = await chainApi(chain);
  const tenant = (await (await request.get(api(chain, "tenant/"))).json()) as { timezone: string };
  const found: FoundShow[] = [];
  for (const offset of [0, 1, 2]) {
    const date = todayIn(tenant.timezone, offset);
    const grid = (await (await request.get(api(chain, `showtimes/?date=${date}`))).json()) as {
      titles: { id: number; venues: { shows: GridShow[] }[] }[];
    };
    for (const title of grid.titles) {
      for (const venue of title.venues) {
        for (const show of venue.shows) {
          const soon = Date.parse(show.starts_at) - Date.now() > (options.minutesAhead ?? 60) * 60_000;
          const room = !options.auditorium || show.auditorium.name === options.auditorium;
          if (show.status === "on_sale" && soon && room) {
            found.push({ id: show.id, title: title.id, date, today: offset === 0, startsAt: show.starts_at, timezone: tenant.timezone });
          }
        }
      }
    }
    if (found.length > (options.skip ?? 0)) break;
  }
  const show = found[options.skip ?? 0];
  if (!show) throw new Error(`No show on sale at ${chain} in the next days`);
  return show;
}

/** Seats of the map in a given API state. */
export function seats(page: Page, state?: string): Locator {
  return page.locator(state ? `[data-seat-id][data-state="${state}"]` : "[data-seat-id]");
}

/** Two available seats side by side in one row (ids of adjacent seats), read from the API. */
export async function twoFreeSeats(chain: Chain, showId: number, category = "regular"): Promise<number[]> {
  const request = await chainApi(chain);
  const map = (await (await request.get(api(chain, `shows/${showId}/seats/`))).json()) as {
    seats: { id: number; x: number; y: number; width: number; state: string; category: string; companion: number | null }[];
  };
  // Plain seats only (no wheelchair places or their companions), nearest the middle first.
  const companions = new Set(map.seats.map((seat) => seat.companion).filter(Boolean));
  const midY = Math.max(...map.seats.map((seat) => seat.y)) / 2;
  const free = map.seats
    .filter((seat) => seat.state === "available" && seat.category === category && !seat.companion && !companions.has(seat.id))
    .sort((a, b) => Math.abs(a.y - midY) - Math.abs(b.y - midY) || a.x - b.x);
  for (const seat of free) {
    const next = free.find((other) => other.y === seat.y && other.x === seat.x + seat.width);
    if (next) return [seat.id, next.id];
  }
  throw new Error(`No two free ${category} seats together on show ${showId}`);
}

export async function closeAll(...contexts: BrowserContext[]) {
  for (const context of contexts) await context.close();
}

/**
 * axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A/AA
 * (and axe's best practices), listed by rule and element when there is one.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const scan = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const serious = scan.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
  expect(serious, `axe-core on ${what}`).toEqual([]);
}

/** Nothing wider than the window (no sideways scrolling on a phone). */
export async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  expect(widths.page, `${what} is wider than the window`).toBeLessThanOrEqual(widths.window);
}
