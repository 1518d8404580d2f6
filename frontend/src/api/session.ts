/**
 * Who is signed in, and the anonymous cart.
 *
 * The refresh token is kept in localStorage (this chain's origin only), the access
 * token in memory: a reload costs one refresh. Refresh tokens rotate, so when two
 * tabs refresh at once the loser finds that the other already stored a newer token
 * and uses it instead of signing the customer out. The cart id names the anonymous
 * holds of this browser (`X-Cart-Id`); it goes along when the customer signs in, so a
 * hold made before signing in is kept.
 */

export interface Tokens {
  access: string;
  refresh: string;
}

const REFRESH_KEY = "tp.refresh";
const CART_KEY = "tp.cart";

type Listener = () => void;

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function memoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

function defaultStore(): KeyValueStore {
  try {
    const store = globalThis.localStorage;
    if (store) {
      store.getItem(CART_KEY);
      return store;
    }
  } catch {
    // Storage refused (a private window's policy): keep the session in memory.
  }
  return memoryStore();
}

/** Seconds since the epoch at which a JWT expires, or 0 when it cannot be read. */
export function tokenExpiry(token: string): number {
  try {
    const payload = token.split(".")[1];
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp : 0;
  } catch {
    return 0;
  }
}

function randomId(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class Session {
  private access: string | null = null;
  private listeners = new Set<Listener>();
  private readonly store: KeyValueStore;
  private readonly now: () => number;

  constructor(store: KeyValueStore = defaultStore(), now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  get refreshToken(): string | null {
    return this.store.getItem(REFRESH_KEY);
  }

  get signedIn(): boolean {
    return this.refreshToken !== null;
  }

  /** The access token if it is good for at least another 30 seconds. */
  freshAccess(): string | null {
    if (!this.access) return null;
    return tokenExpiry(this.access) * 1000 - this.now() > 30_000 ? this.access : null;
  }

  set(tokens: Tokens): void {
    const was = this.signedIn;
    this.access = tokens.access;
    this.store.setItem(REFRESH_KEY, tokens.refresh);
    if (!was) this.emit();
  }

  clear(): void {
    const was = this.signedIn;
    this.access = null;
    this.store.removeItem(REFRESH_KEY);
    if (was) this.emit();
  }

  /** Forget a rejected access token but keep the refresh token. */
  dropAccess(): void {
    this.access = null;
  }

  cartId(): string {
    let id = this.store.getItem(CART_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = randomId();
      this.store.setItem(CART_KEY, id);
    }
    return id;
  }

  /** A new anonymous cart (after signing out, the next person starts afresh). */
  resetCart(): void {
    this.store.setItem(CART_KEY, randomId());
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Another tab changed the stored refresh token. Signing in or out there is followed
   * here; a rotation is not (our access token stays good, and our next refresh reads
   * the newer refresh token from storage).
   */
  external(oldValue: string | null, newValue: string | null): void {
    if ((oldValue === null) === (newValue === null)) return;
    this.access = null;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
