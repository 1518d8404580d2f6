// The apex's sign-up form (dashboards/templates/signup/signup.html), server-rendered with
// everything it offers. This island adds: the subdomain's availability as the user types
// (debounced), the plans' prices in the chosen currency, the browser's own time zone,
// sending the form to the API with per-field errors, and "check your email" after.
// No inline script: the page keeps the strict CSP.
import "./signup.css";

export interface Price {
  currency: string;
  monthly_fee_text: string;
  per_ticket_text: string;
}

export interface PlanOption {
  code: string;
  name: string;
  prices: Price[];
}

export interface PageData {
  plans: PlanOption[];
  domain: string;
}

export interface Availability {
  slug: string;
  available: boolean;
  reason: "" | "invalid" | "reserved" | "taken";
}

export const DEBOUNCE_MS = 300;

// What the live message under the subdomain says.
export function availabilityText(result: Availability, domain: string): string {
  const host = `${result.slug}.${domain}`;
  if (result.available) return `${host} is available`;
  if (result.reason === "reserved") return `${host} is reserved: choose another name`;
  if (result.reason === "taken") return `${host} is taken: choose another name`;
  return "Use 3 to 40 lower-case letters, digits and single dashes, starting with a letter";
}

// A plan's price line in one currency, or why there is none.
export function priceText(plan: PlanOption, currency: string): string {
  const price = plan.prices.find((p) => p.currency === currency);
  if (!price) return `Not offered in ${currency}`;
  return `${price.monthly_fee_text} a month + ${price.per_ticket_text} a ticket`;
}

// A subdomain from a chain's name ("Aurora Multiplex" → "aurora-multiplex").
export function slugFrom(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

type FieldErrors = Record<string, { code: string; detail: string }>;

function start(form: HTMLFormElement): void {
  const source = document.getElementById("signup-data");
  const data = JSON.parse(source?.textContent ?? "{}") as PageData;
  const field = <T extends HTMLElement>(name: string) =>
    form.elements.namedItem(name) as T | null;
  const slug = field<HTMLInputElement>("slug");
  const name = field<HTMLInputElement>("name");
  const currency = field<HTMLSelectElement>("currency");
  const zone = field<HTMLSelectElement>("timezone");
  const message = form.querySelector<HTMLElement>("[data-availability]");
  if (!slug || !name || !currency || !zone || !message) return;

  // The browser's zone, when the list offers it.
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (own && Array.from(zone.options).some((option) => option.value === own)) zone.value = own;

  let slugTouched = false;
  let timer: number | undefined;
  let asked = 0;
  const check = () => {
    const value = slug.value.trim().toLowerCase();
    window.clearTimeout(timer);
    if (!value) {
      message.textContent = "Lower-case letters, digits and dashes.";
      message.dataset.state = "";
      return;
    }
    timer = window.setTimeout(async () => {
      const ticket = ++asked;
      try {
        const response = await fetch(
          `/api/platform/signup/availability/?slug=${encodeURIComponent(value)}`,
          { headers: { Accept: "application/json" } },
        );
        if (!response.ok) throw new Error(String(response.status));
        const result = (await response.json()) as Availability;
        if (ticket !== asked) return; // an answer to an older question
        message.textContent = availabilityText(result, data.domain);
        message.dataset.state = result.available ? "available" : "unavailable";
      } catch {
        if (ticket === asked) {
          message.textContent = "Could not check the name just now; it is checked when you send.";
          message.dataset.state = "";
        }
      }
    }, DEBOUNCE_MS);
  };
  slug.addEventListener("input", () => {
    slugTouched = slug.value !== "";
    check();
  });
  name.addEventListener("input", () => {
    if (!slugTouched) {
      slug.value = slugFrom(name.value);
      check();
    }
  });

  const showPrices = () => {
    for (const plan of data.plans) {
      const line = form.querySelector<HTMLElement>(`[data-price-for="${plan.code}"]`);
      if (line) line.textContent = priceText(plan, currency.value);
    }
  };
  currency.addEventListener("change", showPrices);
  showPrices();

  const errorSlots = () => form.querySelectorAll<HTMLElement>("[data-error-for]");
  const showErrors = (errors: FieldErrors, fallback: string) => {
    let shown = false;
    for (const slot of errorSlots()) {
      const error = errors[slot.dataset.errorFor ?? ""];
      slot.hidden = !error;
      slot.textContent = error?.detail ?? "";
      const input = field<HTMLInputElement>(slot.dataset.errorFor ?? "");
      if (input && "setAttribute" in input) {
        if (error) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
      shown ||= Boolean(error);
    }
    const all = form.querySelector<HTMLElement>('[data-error-for="form"]');
    if (all) {
      all.hidden = shown;
      all.textContent = shown ? "" : fallback;
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (button) button.disabled = true;
    const body = Object.fromEntries(new FormData(form).entries());
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const answer = (await response.json().catch(() => ({}))) as {
        detail?: string;
        errors?: FieldErrors;
      };
      if (response.status === 202) {
        form.hidden = true;
        const done = document.getElementById("signup-done");
        if (done) {
          done.hidden = false;
          done.focus?.();
        }
        return;
      }
      const errors: FieldErrors = {};
      for (const [key, value] of Object.entries(answer.errors ?? {})) {
        // Our refusals carry {code, detail}; DRF's field errors are lists of strings.
        errors[key] = Array.isArray(value)
          ? { code: "invalid", detail: String(value[0]) }
          : (value as { code: string; detail: string });
      }
      showErrors(errors, answer.detail ?? "Something went wrong: please try again.");
    } catch {
      showErrors({}, "Could not reach the platform: please try again.");
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// Nothing to start where there is no page (the unit tests run in Node).
if (typeof document !== "undefined") {
  const form = document.getElementById("signup-form");
  if (form instanceof HTMLFormElement) start(form);
}
