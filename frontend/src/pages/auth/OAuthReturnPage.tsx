import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { endpoints } from "../../api";
import { describeError } from "../../api/errors";
import { Loading } from "../../components/Status";
import { useAuthActions } from "../../hooks/session";
import { usePageTitle } from "../../hooks/page";
import { AuthFrame, oauthRedirectUri, oauthTakeState } from "./common";

/** Google or Facebook sends the customer back here with a code, which we trade for our tokens. */
export function OAuthReturnPage() {
  usePageTitle("Signing in");
  const provider = useParams().provider ?? "";
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { signIn } = useAuthActions();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const saved = oauthTakeState(provider, params.get("state"));
    const code = params.get("code");
    if (params.get("error")) {
      setError("Signing in was cancelled.");
      return;
    }
    if (!saved || !code) {
      setError("This sign-in link is not valid any more. Please start again.");
      return;
    }
    endpoints
      .oauth(provider, { code, redirect_uri: oauthRedirectUri(provider) })
      .then((tokens) => {
        signIn(tokens);
        navigate(saved.next, { replace: true });
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, [provider, params, navigate, signIn]);

  return (
    <AuthFrame title="Signing in">
      {error ? (
        <div className="alert alert-error" role="alert">
          <p>{error}</p>
          <p>
            <Link to="/signin">Back to sign in</Link>
          </p>
        </div>
      ) : (
        <Loading label="Signing you in…" />
      )}
    </AuthFrame>
  );
}
