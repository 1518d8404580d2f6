/**
 * The one way the storefront talks to the API: JSON in and out, the access token
 * attached and refreshed when needed (one refresh at a time, however many requests
 * wait on it), the cart id on every request, and every failure turned into an
 * `ApiError` with words a customer can read.
 */

import { ApiError, errorFrom } from "./errors";
import { Session, type Tokens } from "./session";

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  /** Send the access token when signed in (default). `false` for public reads. */
  auth?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class ApiClient {
  readonly session: Session;
  private readonly base: string;
  private readonly fetcher: Fetch;
  private refreshing: Promise<string | null> | null = null;

  constructor(base: string, session: Session, fetcher?: Fetch) {
    this.base = base.endsWith("/") ? base : `${base}/`;
    this.session = session;
    this.fetcher = fetcher ?? ((input, init) => globalThis.fetch(input, init));
  }

  /**
   * Where a path goes: relative paths under the API root, and absolute ones (such as a
   * ticket's `pdf`) only within it, so the customer's token never goes anywhere else.
   */
  url(path: string): string {
    if (!path.startsWith("/")) return this.base + path;
    if (!path.startsWith(this.base) || path.startsWith("//")) {
      throw new ApiError(0, "path_refused", "That address is not part of this site's API.");
    }
    return path;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(path, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A binary answer (a PDF), fetched with the customer's token. */
  async blob(path: string, options: RequestOptions = {}): Promise<Blob> {
    const response = await this.send(path, options);
    return response.blob();
  }

  get<T>(path: string, options: Omit<RequestOptions, "method" | "body"> = {}) {
    return this.request<T>(path, { ...options, method: "GET" });
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, "method" | "body"> = {}) {
    return this.request<T>(path, { ...options, method: "POST", body: body ?? {} });
  }

  delete<T>(path: string, options: Omit<RequestOptions, "method" | "body"> = {}) {
    return this.request<T>(path, { ...options, method: "DELETE" });
  }

  /** Signs in with a token pair from the API (password, registration or Google). */
  signIn(tokens: Tokens): void {
    this.session.set(tokens);
  }

  async signOut(): Promise<void> {
    const refresh = this.session.refreshToken;
    this.session.clear();
    if (refresh) {
      try {
        await this.send("auth/logout/", { method: "POST", body: { refresh }, auth: false });
      } catch {
        // Signed out here either way; the token lapses on its own.
      }
    }
  }

  private async send(path: string, options: RequestOptions): Promise<Response> {
    this.url(path); // refuses a foreign address before any token is fetched
    const wantsAuth = options.auth !== false && this.session.signedIn;
    let token = wantsAuth ? await this.accessToken() : null;
    let response = await this.attempt(path, options, token);
    if (response.status === 401 && token) {
      // The access token was refused (revoked, or the clock is off): refresh once.
      this.session.dropAccess();
      token = await this.accessToken(true);
      if (token) response = await this.attempt(path, options, token);
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      if (error.status === 401 && wantsAuth) this.session.clear();
      throw error;
    }
    return response;
  }

  private async attempt(path: string, options: RequestOptions, token: string | null) {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "X-Cart-Id": this.session.cartId(),
      ...options.headers,
    };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    try {
      return await this.fetcher(this.url(path), {
        method: options.method ?? "GET",
        headers,
        body,
        signal: options.signal,
        credentials: "same-origin",
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "network", "We could not reach the box office. Check your connection and try again.");
    }
  }

  /** A usable access token, refreshing it when it is missing or nearly expired. */
  async accessToken(force = false): Promise<string | null> {
    if (!force) {
      const fresh = this.session.freshAccess();
      if (fresh) return fresh;
    }
    if (!this.session.signedIn) return null;
    if (!this.refreshing) {
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async refresh(): Promise<string | null> {
    const used = this.session.refreshToken;
    if (!used) return null;
    let response: Response;
    try {
      response = await this.fetcher(this.url("auth/token/refresh/"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh: used }),
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError(0, "network", "We could not reach the box office. Check your connection and try again.");
    }
    if (response.ok) {
      const tokens = (await response.json()) as Partial<Tokens>;
      if (tokens.access) {
        this.session.set({ access: tokens.access, refresh: tokens.refresh ?? used });
        return tokens.access;
      }
    }
    // Only a refusal of the token itself signs the customer out. A throttled (429) or
    // failing server keeps the session: the customer is still who they were.
    if (response.status !== 401 && response.status !== 400) throw await errorFrom(response);
    // Refused. Another tab may have rotated the token meanwhile: try the newer one once.
    const newer = this.session.refreshToken;
    if (newer && newer !== used) return this.refresh();
    this.session.clear();
    return null;
  }
}
