/**
 * Money arrives from the API as integer minor units with an ISO 4217 code; it is shown
 * with `Intl.NumberFormat` in the chain's locale. How many decimal places a minor unit
 * has is the server's word (the shell's `currency_digits`: the amounts are integers of
 * its unit), and Intl's for any other currency (2 for INR and EUR, 0 for JPY, 3 for
 * KWD). The two can differ (Intl gives IDR and HUF none), and the server's must win.
 */

const digitsCache = new Map<string, number>();
const formatCache = new Map<string, Intl.NumberFormat>();

/** The server's number of decimal places for a currency (from the chain's config). */
export function setMinorDigits(currency: string, digits: number): void {
  if (!Number.isInteger(digits) || digits < 0 || digits > 4) return;
  digitsCache.set(currency, digits);
  for (const key of [...formatCache.keys()]) if (key.includes(`|${currency}|`)) formatCache.delete(key);
}

export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

function formatter(locale: string, currency: string, whole: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}|${whole}`;
  let format = formatCache.get(key);
  if (!format) {
    const digits = minorDigits(currency);
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: whole ? 0 : digits,
      maximumFractionDigits: digits,
    });
    formatCache.set(key, format);
  }
  return format;
}

/** `formatMoney(42000, "INR", "en-IN")` → "₹420.00". */
export function formatMoney(minor: number, currency: string, locale: string): string {
  return formatter(locale, currency, false).format(minor / 10 ** minorDigits(currency));
}

/**
 * Compact form for prices in legends and on seats: whole amounts drop their zero
 * minor digits ("₹420", "€35"), others keep them ("€35.50").
 */
export function formatPrice(minor: number, currency: string, locale: string): string {
  const scale = 10 ** minorDigits(currency);
  return formatter(locale, currency, minor % scale === 0).format(minor / scale);
}
