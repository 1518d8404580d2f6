/**
 * The shapes the storefront reads. They follow API.md and the OpenAPI schema
 * (`schema.d.ts`, generated from `/api/schema/`); `contract.ts` makes the compiler
 * check that each of these agrees with the generated one.
 */

export type SeatState = "available" | "held" | "sold" | "blocked";

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Title {
  id: number;
  slug: string;
  kind: string;
  name: string;
  synopsis: string;
  runtime_minutes: number | null;
  certificate: string;
  minimum_age: number | null;
  genres: string[];
  languages: string[];
  formats: string[];
  release_date: string | null;
  poster_url: string;
  trailer_url: string;
  is_active: boolean;
  poster: string | null;
  credits?: { person: string; role: string; character?: string }[];
}

export interface Venue {
  id: number;
  name: string;
  address_line1: string;
  address_line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  timezone: string;
}

export interface Show {
  id: number;
  title: number;
  title_name: string;
  auditorium: number;
  auditorium_name: string;
  venue: number;
  venue_name: string;
  venue_timezone: string;
  starts_at: string;
  ends_at: string;
  local_date: string;
  format: string;
  audio_language: string;
  subtitle_language: string;
  attributes: string[];
  prices: Record<string, number>;
  currency: string;
  status: string;
  sales_open_at: string | null;
  sales_close_at: string | null;
}

export interface GridShow {
  id: number;
  auditorium: { id: number; name: string };
  starts_at: string;
  ends_at: string;
  format: string;
  audio_language: string;
  subtitle_language: string;
  attributes: string[];
  status: string;
  prices: Record<string, number>;
}

export interface GridTitle {
  id: number;
  name: string;
  slug: string;
  kind: string;
  certificate: string;
  runtime_minutes: number | null;
  genres: string[];
  languages: string[];
  poster_url: string;
  poster?: string | null;
  venues: { id: number; name: string; timezone: string; shows: GridShow[] }[];
}

export interface ShowtimeGrid {
  date: string;
  titles: GridTitle[];
}

export interface SeatCategory {
  id: number;
  code: string;
  name: string;
  rank: number;
  colour: string;
}

export interface Seat {
  id: number;
  label: string;
  section: string;
  row: string;
  number: number;
  category: string;
  x: number;
  y: number;
  width: number;
  state: SeatState;
  companion: number | null;
  wheelchair: boolean;
}

export interface SeatMap {
  version: number;
  seats: Seat[];
  screen?: { y: number; label: string };
}

export interface SeatDelta {
  type: "delta";
  version: number;
  seats: { id: number; state: SeatState }[];
}

export interface HeldSeat {
  id: number;
  label: string;
  row: string;
  number: number;
  category: string;
  section: string;
}

export interface Hold {
  id: string;
  show: number;
  status: string;
  seats: HeldSeat[];
  expires_at: string;
  cart_id: string;
}

export interface TaxSplit {
  added: number;
  included: number;
}

export interface QuoteLine {
  seat: number;
  label: string;
  category: string;
  price: number;
  discount: number;
  fee: number;
  tax: TaxSplit;
  total: number;
}

export interface Quote {
  hold: string;
  currency: string;
  expires_at: string;
  lines: QuoteLine[];
  subtotal: number;
  discount: number;
  fees: number;
  tax: TaxSplit;
  total: number;
  promo_code: string | null;
}

export interface Payment {
  id: string;
  provider: string;
  status: "pending" | "succeeded" | "failed" | "cancelled" | "refunded" | string;
  amount: number;
  currency: string;
  test_mode: boolean;
  method: string;
  failure_code: string;
  failure_message: string;
  refunded: number;
  created_at: string;
  // What the client pays with, for the buyer of a pending payment only.
  sandbox_url?: string;
  client_secret?: string;
  publishable_key?: string;
  key_id?: string;
  razorpay_order_id?: string;
  [key: string]: unknown;
}

export interface OrderLine {
  id: number;
  seat: number;
  label: string;
  category: string;
  status?: string;
  price: number;
  discount?: number;
  fee?: number;
  tax: TaxSplit;
  total: number;
  refunded: number;
}

export type OrderStatus = "pending" | "paid" | "cancelled" | "refunded" | "expired";

export interface Order {
  id: string;
  reference: string;
  status: OrderStatus;
  reason: string;
  channel: string;
  email: string;
  name: string;
  show: {
    id: number;
    title: number;
    title_name: string;
    title_kind?: string;
    venue: number;
    venue_name: string;
    venue_timezone?: string;
    auditorium: number;
    auditorium_name: string;
    starts_at: string;
    ends_at?: string;
    format?: string;
    poster?: string | null;
  };
  lines: OrderLine[];
  currency: string;
  subtotal: number;
  discount: number;
  fees: number;
  tax: TaxSplit;
  total: number;
  refunded: number;
  promo_code: string | null;
  payment: Payment | null;
  expires_at: string | null;
  created_at: string;
  paid_at: string | null;
}

export interface Ticket {
  id: string;
  seat: number;
  label: string;
  category: string;
  status: string;
  serial: number;
  qr: string;
  checked_in_at: string | null;
  revoke_reason: string;
  pdf: string;
}

export interface CancelQuote {
  allowed: boolean;
  code: string;
  detail: string;
  refund: number;
  currency: string;
  refund_percent: number;
  hours_before: number;
  cutoff_at: string | null;
}

export interface CancelResult {
  status: string;
  refund: number;
  currency: string;
  refund_id: string | null;
  refund_status: string | null;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: string;
  date_joined: string;
  email_verified: boolean;
}

/** A show's waiting room (API.md "Waiting room"). */
export interface QueueState {
  active: boolean;
  waiting: number;
  estimated_wait_s: number;
}

export interface QueuePlace {
  ticket: string;
  position: number;
  estimated_wait_s: number;
  cart_id: string | null;
}

export interface QueueStatus {
  admitted: boolean;
  position?: number;
  estimated_wait_s?: number;
  admission?: string;
  expires_at?: string;
}
