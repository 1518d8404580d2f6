import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { endpoints } from "../../api";
import { ApiError, describeError } from "../../api/errors";
import { useAuthActions } from "../../hooks/session";
import { usePageTitle } from "../../hooks/page";
import { AuthFrame, OAuthButtons, TermsNote, useNext, withNext } from "./common";
import { ErrorMessage } from "../../components/Status";
import { TextField } from "../../components/TextField";

export function RegisterForm({ onDone, next }: { onDone: () => void; next: string }) {
  const { signIn } = useAuthActions();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form
        className="form"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = "Enter your name.";
          if (!/^\S+@\S+\.\S+$/.test(email.trim())) local.email = "Enter a valid email address.";
          if (password.length < 10) local.password = "Use at least 10 characters.";
          setErrors(local);
          if (Object.keys(local).length) {
            // The first field to fix gets the focus; its message is its description.
            const first = ["name", "email", "password"].find((field) => local[field]);
            document.querySelector<HTMLInputElement>(`form [name="${first}"]`)?.focus();
            return;
          }
          setBusy(true);
          setError(null);
          try {
            await endpoints.register({ name: name.trim(), email: email.trim(), password });
            signIn(await endpoints.signIn(email.trim(), password));
            onDone();
          } catch (failure) {
            if (failure instanceof ApiError && Object.keys(failure.fieldErrors()).length) {
              setErrors(failure.fieldErrors());
              setError(failure.detail);
            } else {
              setError(describeError(failure));
            }
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorMessage message={error} />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint="At least 10 characters, not only numbers."
        />
        <button type="submit" className="button button-block" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <OAuthButtons next={next} />
    </>
  );
}

export function RegisterPage() {
  usePageTitle("Create an account");
  const next = useNext();
  const navigate = useNavigate();
  return (
    <AuthFrame title="Create an account">
      <RegisterForm next={next} onDone={() => navigate(next, { replace: true })} />
      <p>
        Already have an account? <Link to={withNext("/signin", next)}>Sign in</Link>
      </p>
      <TermsNote />
    </AuthFrame>
  );
}
