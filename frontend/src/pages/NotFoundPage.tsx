import { Link } from "react-router";
import { usePageTitle } from "../hooks/page";

export function NotFoundPage({ what = "page" }: { what?: string }) {
  usePageTitle("Not found");
  return (
    <section className="panel">
      <h1>We could not find that {what}</h1>
      <p>It may have ended, or the link may be mistyped.</p>
      <p>
        <Link className="button" to="/">
          See what's on
        </Link>
      </p>
    </section>
  );
}
