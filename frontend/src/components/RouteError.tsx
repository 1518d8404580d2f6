import { isRouteErrorResponse, Link, useRouteError } from "react-router";
import { describeError } from "../api/errors";
import { config } from "../config";

/** What a customer sees when a page fails: words and a way on, never a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const chunkFailed =
    error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
  let message = describeError(error);
  if (isRouteErrorResponse(error) && error.status === 404) message = "We could not find that page.";
  if (chunkFailed) message = "A new version of this site is out. Reload the page to continue.";
  return (
    <div className="app">
      <main id="main" className="site-main">
        <section className="panel error-page" role="alert">
          <h1>Sorry, something went wrong</h1>
          <p>{message}</p>
          <p className="actions">
            <button type="button" className="button" onClick={() => window.location.reload()}>
              Reload the page
            </button>
            <Link className="button button-secondary" to="/">
              Back to {config().name}
            </Link>
          </p>
        </section>
      </main>
    </div>
  );
}
