/**
 * The chain's configuration, written by Django into the HTML shell as
 * `<script id="chain-config" type="application/json">`. It is the only source of the
 * chain's name, colours, currency, locale and time zone: nothing is guessed from the
 * browser (a customer in Dubai booking a show in Mumbai sees Mumbai's times).
 */

export interface ProviderInfo {
  provider: "stripe" | "razorpay" | "sandbox" | string;
  methods: string[];
  test_mode: boolean;
  default: boolean;
}

export interface OAuthInfo {
  provider: "google" | "facebook" | string;
  client_id: string;
}

export interface ChainConfig {
  slug: string;
  name: string;
  logo: string | null;
  primary_colour: string;
  accent_colour: string;
  currency: string;
  /** Decimal places of the currency's minor unit, as the server counts them. */
  currency_digits?: number;
  locale: string;
  timezone: string;
  hold_ttl_seconds: number;
  hold_max_seats: number;
  test_mode: boolean;
  providers: ProviderInfo[];
  oauth: OAuthInfo[];
  api: string;
  /** The storefront's look: "cinema" (dark), "classic" (serif, for theatres) or "light". */
  style?: string;
}

const FALLBACK: ChainConfig = {
  slug: "",
  name: "Tickets",
  logo: null,
  primary_colour: "#1f2937",
  accent_colour: "#f59e0b",
  currency: "USD",
  locale: "en",
  timezone: "UTC",
  hold_ttl_seconds: 600,
  hold_max_seats: 10,
  test_mode: true,
  providers: [],
  oauth: [],
  api: "/api/v1/",
};

/** Reads the configuration from the page; a missing or damaged block gives defaults. */
export function readConfig(doc: Document | undefined = globalThis.document): ChainConfig {
  const element = doc?.getElementById("chain-config");
  if (!element?.textContent) return FALLBACK;
  try {
    const parsed = JSON.parse(element.textContent) as Partial<ChainConfig>;
    return { ...FALLBACK, ...parsed };
  } catch {
    return FALLBACK;
  }
}

let current: ChainConfig | null = null;

export function config(): ChainConfig {
  if (current === null) current = readConfig();
  return current;
}

/** Tests set the configuration they need. */
export function setConfig(value: Partial<ChainConfig>): ChainConfig {
  current = { ...FALLBACK, ...value };
  return current;
}
