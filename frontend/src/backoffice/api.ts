/**
 * The box office's way to the API: the dashboard's session cookie and its CSRF token
 * (never a customer's bearer token, whatever the storefront left in this browser), JSON
 * in and out, and every failure an `ApiError` whose `detail` the screen shows.
 */

import { ApiError, errorFrom } from "../api/errors";
import type { Hold, Order, Page, SeatCategory, SeatMap, Show } from "../api/types";

export interface Till {
  id: number;
  name: string;
  venue: { id: number; name: string } | null;
  /** The id of the shift open at this till, or null. */
  open_shift: number | null;
}

export interface Shift {
  id: number;
  till: { id: number; name: string };
  opened_at: string;
  opened_by: string;
  opened_by_name?: string;
  float: number;
  status: string;
}

export interface ShiftReport {
  float: number;
  cash_sales: number;
  cash_refunds: number;
  card_sales: number;
  card_refunds: number;
  expected_cash: number;
  counted: number;
  variance: number;
  orders: number;
  tickets: number;
  currency: string;
  [key: string]: unknown;
}

export interface SaleBody {
  hold: string;
  provider: "cash" | "card";
  name?: string;
  phone?: string;
  email?: string;
}

export type DeskOrder = Order & { phone?: string; total: number; currency: string };

export class DeskApi {
  constructor(
    private readonly base: string,
    private readonly csrfToken: string,
    private readonly fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
  ) {}

  url(path: string): string {
    return path.startsWith("/") ? path : `${this.base}${path}`;
  }

  async request<T>(path: string, method = "GET", body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = this.csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError(0, "network", "The server did not answer. Check the connection and try again.");
    }
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  shows(date: string, venue: number | null) {
    const venuePart = venue ? `&venue=${venue}` : "";
    return this.request<Page<Show> | Show[]>(`shows/?date=${date}${venuePart}&limit=200`);
  }
  seatMap(showId: number) {
    return this.request<SeatMap>(`shows/${showId}/seats/`);
  }
  seatCategories() {
    return this.request<SeatCategory[] | Page<SeatCategory>>("seat-categories/");
  }
  hold(showId: number, body: { seats: number[] } | { best_available: { count: number; category: string } }) {
    return this.request<Hold>(`shows/${showId}/holds/`, "POST", body);
  }
  release(holdId: string) {
    return this.request<void>(`holds/${holdId}/`, "DELETE");
  }
  /** Releases a hold as the page goes away (the request outlives the page). */
  releaseOnExit(holdId: string): void {
    void this.fetcher(this.url(`holds/${holdId}/`), {
      method: "DELETE",
      headers: { "X-CSRFToken": this.csrfToken },
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => undefined);
  }
  sell(body: SaleBody) {
    return this.request<DeskOrder>("orders/", "POST", body);
  }
  order(id: string) {
    return this.request<DeskOrder>(`orders/${id}/`);
  }
  findOrders(q: string) {
    return this.request<Page<DeskOrder> | DeskOrder[]>(`orders/?q=${encodeURIComponent(q)}&limit=20`);
  }
  send(orderId: string, channel: "email" | "sms", to?: string) {
    return this.request<unknown>(`orders/${orderId}/send/`, "POST", to ? { channel, to } : { channel });
  }
  ticketsPdfUrl(orderId: string) {
    return this.url(`orders/${orderId}/tickets/pdf/`);
  }
  tills() {
    return this.request<Till[] | Page<Till>>("tills/");
  }
  currentShift() {
    return this.request<Shift>("shifts/current/");
  }
  openShift(till: number, float: number) {
    return this.request<Shift>("shifts/", "POST", { till, float });
  }
  closeShift(id: number, counted: number) {
    return this.request<ShiftReport>(`shifts/${id}/close/`, "POST", { counted });
  }
}

export function listOf<T>(value: T[] | Page<T> | undefined): T[] {
  if (!value) return [];
  return Array.isArray(value) ? value : value.results;
}
