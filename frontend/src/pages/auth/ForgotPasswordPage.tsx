import { useState } from "react";
import { Link } from "react-router";
import { endpoints } from "../../api";
import { describeError } from "../../api/errors";
import { usePageTitle } from "../../hooks/page";
import { AuthFrame, useNext, withNext } from "./common";
import { ErrorMessage } from "../../components/Status";
import { TextField } from "../../components/TextField";

export function ForgotPasswordPage() {
  usePageTitle("Forgot your password?");
  const next = useNext();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <AuthFrame title="Forgot your password?">
      {sent ? (
        <div className="alert alert-success" role="status">
          <p>
            If {email} has an account here, we have sent it a link to choose a new password. The link works for two
            hours.
          </p>
        </div>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            if (!/^\S+@\S+\.\S+$/.test(email.trim())) {
              setError("Enter the email address of your account.");
              return;
            }
            setBusy(true);
            setError(null);
            try {
              await endpoints.passwordReset(email.trim());
              setSent(true);
            } catch (failure) {
              setError(describeError(failure));
            } finally {
              setBusy(false);
            }
          }}
        >
          <p>Enter your email address and we will send you a link to choose a new password.</p>
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
          <button type="submit" className="button button-block" disabled={busy}>
            {busy ? "Sending…" : "Send the link"}
          </button>
        </form>
      )}
      <p>
        <Link to={withNext("/signin", next)}>Back to sign in</Link>
      </p>
    </AuthFrame>
  );
}
