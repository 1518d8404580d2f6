import { Link, useSearchParams } from "react-router";
import { config } from "../../config";

/** Where to go after signing in: a path on this site only, never another origin. */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return "/";
  }
  // Control characters and backslashes ("/%09/evil.example") are never part of our paths.
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith("//")) return "/";
  return value;
}

export function useNext(): string {
  const [params] = useSearchParams();
  return safeNext(params.get("next"));
}

export function withNext(path: string, next: string): string {
  return next === "/" ? path : `${path}?next=${encodeURIComponent(next)}`;
}

// One state per provider: starting Google's sign-in never spoils Facebook's, and back.
const oauthStateKey = (provider: string) => `tp.oauth.${provider}`;

function randomState(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function oauthRedirectUri(provider: string): string {
  return `${window.location.origin}/signin/${provider}`;
}

/** The provider's consent page; it comes back to /signin/<provider> with a code. */
export function oauthStartUrl(provider: string, clientId: string, next: string): string {
  const state = randomState();
  sessionStorage.setItem(oauthStateKey(provider), JSON.stringify({ state, next, provider }));
  const redirect = oauthRedirectUri(provider);
  if (provider === "google") {
    const params = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirect,
      response_type: "code",
      scope: "openid email profile",
      state,
      prompt: "select_account",
    });
    return `https://accounts.google.com/o/oauth2/v2/auth?${params}`;
  }
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirect,
    response_type: "code",
    scope: "email",
    state,
  });
  return `https://www.facebook.com/v19.0/dialog/oauth?${params}`;
}

/** The state we sent, if it matches what came back (else the answer is not ours). */
export function oauthTakeState(provider: string, state: string | null): { next: string } | null {
  const text = sessionStorage.getItem(oauthStateKey(provider));
  sessionStorage.removeItem(oauthStateKey(provider));
  if (!text || !state) return null;
  try {
    const saved = JSON.parse(text) as { state: string; next: string; provider: string };
    return saved.state === state && saved.provider === provider ? { next: safeNext(saved.next) } : null;
  } catch {
    return null;
  }
}

const NAMES: Record<string, string> = { google: "Google", facebook: "Facebook" };

export function OAuthButtons({ next }: { next: string }) {
  const providers = config().oauth.filter((item) => item.provider in NAMES && item.client_id);
  if (!providers.length) return null;
  return (
    <div className="oauth">
      <p className="oauth-or">
        <span>or</span>
      </p>
      {providers.map((item) => (
        <button
          key={item.provider}
          type="button"
          className={`button button-oauth button-${item.provider}`}
          // The state is made when the customer chooses, not when the page draws.
          onClick={() => window.location.assign(oauthStartUrl(item.provider, item.client_id, next))}
        >
          Continue with {NAMES[item.provider]}
        </button>
      ))}
    </div>
  );
}

export function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="panel auth-panel" aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      {children}
    </section>
  );
}

export function TermsNote() {
  return (
    <p className="small muted">
      Your account is with {config().name} only. <Link to="/">Back to what's on</Link>
    </p>
  );
}
