import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { endpoints } from "../../api";
import { ApiError, describeError } from "../../api/errors";
import { useAuthActions } from "../../hooks/session";
import { usePageTitle } from "../../hooks/page";
import { AuthFrame, OAuthButtons, TermsNote, useNext, withNext } from "./common";
import { ErrorMessage } from "../../components/Status";
import { TextField } from "../../components/TextField";

/** The sign-in form, also used inside checkout (there it stays on the page). */
export function SignInForm({ onDone, next }: { onDone: () => void; next: string }) {
  const { signIn } = useAuthActions();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form
        className="form"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          if (!email || !password) {
            setError("Enter your email address and password.");
            return;
          }
          setBusy(true);
          setError(null);
          try {
            signIn(await endpoints.signIn(email.trim(), password));
            onDone();
          } catch (failure) {
            setError(
              failure instanceof ApiError && failure.status === 401
                ? "That email address and password do not match an account here."
                : describeError(failure),
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorMessage message={error} />
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button button-block" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="small">
          <Link to={withNext("/forgot-password", next)}>Forgot your password?</Link>
        </p>
      </form>
      <OAuthButtons next={next} />
    </>
  );
}

export function SignInPage() {
  usePageTitle("Sign in");
  const next = useNext();
  const navigate = useNavigate();
  return (
    <AuthFrame title="Sign in">
      <SignInForm next={next} onDone={() => navigate(next, { replace: true })} />
      <p>
        New here? <Link to={withNext("/register", next)}>Create an account</Link>
      </p>
      <TermsNote />
    </AuthFrame>
  );
}
