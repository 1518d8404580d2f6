/**
 * What the dashboard's page hands the box office screen (`#box-office-config`, written
 * by `dashboards/box_office.py`): the chain's money, zone and colours, its venues, the
 * CSRF token the API's session sign-in wants, and who is selling.
 */

export interface DeskVenue {
  id: number;
  name: string;
  timezone: string;
}

export interface BoxOfficeConfig {
  name: string;
  logo: string | null;
  primary_colour: string;
  accent_colour: string;
  currency: string;
  currency_digits: number;
  locale: string;
  timezone: string;
  hold_max_seats: number;
  api: string;
  csrf_token: string;
  venues: DeskVenue[];
  user: { name: string; email: string; role: string };
}

const FALLBACK: BoxOfficeConfig = {
  name: "Box office",
  logo: null,
  primary_colour: "#1f2937",
  accent_colour: "#f59e0b",
  currency: "USD",
  currency_digits: 2,
  locale: "en",
  timezone: "UTC",
  hold_max_seats: 10,
  api: "/api/v1/",
  csrf_token: "",
  venues: [],
  user: { name: "", email: "", role: "" },
};

export function readBoxOfficeConfig(doc: Document = document): BoxOfficeConfig {
  const text = doc.getElementById("box-office-config")?.textContent;
  if (!text) return FALLBACK;
  try {
    return { ...FALLBACK, ...(JSON.parse(text) as Partial<BoxOfficeConfig>) };
  } catch {
    return FALLBACK;
  }
}
