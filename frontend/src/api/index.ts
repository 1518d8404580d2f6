/** The storefront's API: one client, and a function per endpoint it uses. */

import { config } from "../config";
import { noteServerDate, serverNow } from "../hooks/clock";
import { ApiClient } from "./client";
import { Session, type Tokens } from "./session";
import type {
  CancelQuote,
  CancelResult,
  Hold,
  Order,
  Page,
  Payment,
  QueuePlace,
  QueueState,
  QueueStatus,
  Quote,
  SeatCategory,
  SeatMap,
  Show,
  ShowtimeGrid,
  Ticket,
  Title,
  User,
  Venue,
} from "./types";

export { ApiError, describeError } from "./errors";

let client: ApiClient | null = null;

export function api(): ApiClient {
  if (!client) {
    // Token lifetimes are judged by the server's clock, not a device's that may be off.
    client = new ApiClient(config().api, new Session(undefined, serverNow), async (input, init) => {
      const response = await globalThis.fetch(input, init);
      noteServerDate(response.headers.get("Date"));
      return response;
    });
  }
  return client;
}

/** Tests swap in a client with a fake fetch. */
export function setApi(value: ApiClient): void {
  client = value;
}

const query = (params: Record<string, string | number | boolean | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
};

export const endpoints = {
  venues: () => api().get<Page<Venue>>(`venues/${query({ limit: 100 })}`, { auth: false }),
  seatCategories: () => api().get<SeatCategory[] | Page<SeatCategory>>("seat-categories/", { auth: false }),
  showtimes: (date: string, venue?: number | null) =>
    api().get<ShowtimeGrid>(`showtimes/${query({ date, venue })}`, { auth: false }),
  titles: (params: { coming_soon?: boolean; limit?: number }) =>
    api().get<Page<Title>>(`titles/${query({ limit: 50, ...params })}`, { auth: false }),
  title: (id: number) => api().get<Title>(`titles/${id}/`, { auth: false }),
  shows: (params: { title?: number; date?: string; venue?: number }) =>
    api().get<Page<Show>>(`shows/${query({ limit: 100, ...params })}`, { auth: false }),
  show: (id: number) => api().get<Show>(`shows/${id}/`, { auth: false }),
  seatMap: (showId: number) => api().get<SeatMap>(`shows/${showId}/seats/`, { auth: false }),

  holdCreate: (
    showId: number,
    body: { seats: number[] } | { best_available: { count: number; category: string } },
    admission?: string | null,
  ) =>
    api().post<Hold>(`shows/${showId}/holds/`, body, admission ? { headers: { "X-Queue-Admission": admission } } : {}),
  queueState: (showId: number) => api().get<QueueState>(`shows/${showId}/queue/`, { auth: false }),
  queueJoin: (showId: number) => api().post<QueuePlace>(`shows/${showId}/queue/`),
  queueStatus: (showId: number, ticket: string) =>
    api().get<QueueStatus>(`shows/${showId}/queue/${encodeURIComponent(ticket)}/`),
  hold: (id: string) => api().get<Hold>(`holds/${id}/`),
  holdRelease: (id: string) => api().delete<void>(`holds/${id}/`),
  quote: (holdId: string, promoCode?: string) =>
    api().post<Quote>(`holds/${holdId}/quote/`, promoCode ? { promo_code: promoCode } : {}),

  orderCreate: (body: { hold: string; provider: string; promo_code?: string }) =>
    api().post<Order>("orders/", body),
  order: (id: string) => api().get<Order>(`orders/${id}/`),
  orders: () => api().get<Page<Order>>(`orders/${query({ limit: 50 })}`),
  paymentRetry: (orderId: string, provider: string) =>
    api().post<Order>(`orders/${orderId}/payments/`, { provider }),
  paymentConfirm: (paymentId: string, data: Record<string, string> = {}) =>
    api().post<Payment>(`payments/${paymentId}/confirm/`, data),
  cancelQuote: (orderId: string) => api().get<CancelQuote>(`orders/${orderId}/cancel/`),
  cancel: (orderId: string) => api().post<CancelResult>(`orders/${orderId}/cancel/`),
  tickets: (orderId: string) => api().get<Ticket[] | Page<Ticket>>(`orders/${orderId}/tickets/`),
  ticketPdf: (path: string) => api().blob(path),

  me: () => api().get<User>("me/"),
  signIn: (email: string, password: string) =>
    api().post<Tokens>("auth/token/", { email, password }, { auth: false }),
  register: (body: { email: string; password: string; name: string }) =>
    api().post<User & Partial<Tokens>>("auth/register/", body, { auth: false }),
  passwordReset: (email: string) =>
    api().post<void>("auth/password-reset/", { email }, { auth: false }),
  oauth: (provider: string, body: { code: string; redirect_uri: string }) =>
    api().post<Tokens & { created: boolean }>(`auth/oauth/${provider}/`, body, { auth: false }),
};

/** Lists come paginated or bare; the storefront wants the items. */
export function items<T>(value: T[] | Page<T> | undefined): T[] {
  if (!value) return [];
  return Array.isArray(value) ? value : value.results;
}
