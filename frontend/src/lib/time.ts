/**
 * Times are shown in the venue's time zone (the API gives an IANA name with every
 * show), never the browser's: a show at 19:30 in Dublin reads 19:30 everywhere.
 */

const cache = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions) {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let value = cache.get(key);
  if (!value) {
    value = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    cache.set(key, value);
  }
  return value;
}

const asDate = (value: string | Date) => (typeof value === "string" ? new Date(value) : value);

/** "19:30" or "7:30 pm", as the locale writes it. */
export function formatTime(value: string | Date, timeZone: string, locale: string): string {
  return format(locale, timeZone, { hour: "numeric", minute: "2-digit" }).format(asDate(value));
}

/** "Sat, 5 Dec". */
export function formatDay(value: string | Date, timeZone: string, locale: string): string {
  return format(locale, timeZone, { weekday: "short", day: "numeric", month: "short" }).format(
    asDate(value),
  );
}

/** "Saturday 5 December 2026, 19:30". */
export function formatDateTime(value: string | Date, timeZone: string, locale: string): string {
  return format(locale, timeZone, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
  }).format(asDate(value));
}

/** The calendar date ("2026-12-05") of an instant in a time zone. */
export function dateKey(value: string | Date, timeZone: string): string {
  const parts = format("en-CA", timeZone, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(asDate(value));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Adds days to a "YYYY-MM-DD" key (calendar arithmetic, no time zone involved). */
export function addDays(key: string, days: number): string {
  const [year, month, day] = key.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return date.toISOString().slice(0, 10);
}

/** How a "YYYY-MM-DD" key reads: "Today", "Tomorrow" or "Mon 7 Dec". */
export function dayLabel(key: string, today: string, locale: string): { top: string; bottom: string } {
  const [year, month, day] = key.split("-").map(Number);
  const noon = new Date(Date.UTC(year, month - 1, day, 12));
  const weekday = format(locale, "UTC", { weekday: "short" }).format(noon);
  const date = format(locale, "UTC", { day: "numeric", month: "short" }).format(noon);
  if (key === today) return { top: "Today", bottom: date };
  if (key === addDays(today, 1)) return { top: "Tomorrow", bottom: date };
  return { top: weekday, bottom: date };
}

/** "9:59" for a countdown; never negative. */
export function formatCountdown(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, "0")}`;
}

/** "2 h 28 min" from minutes. */
export function formatRuntime(minutes: number | null | undefined): string {
  if (!minutes) return "";
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return `${rest} min`;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
