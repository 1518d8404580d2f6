import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { config } from "../config";
import { useAuthActions, useMe, useSignedIn } from "../hooks/session";

function Brand() {
  const chain = config();
  return (
    <Link to="/" className="brand" aria-label={`${chain.name}, home`}>
      {chain.logo ? (
        <img className="brand-logo" src={chain.logo} alt="" width="36" height="36" />
      ) : (
        <span className="brand-mark" aria-hidden="true">
          {chain.name.slice(0, 1)}
        </span>
      )}
      <span className="brand-name">{chain.name}</span>
    </Link>
  );
}

function Account() {
  const signedIn = useSignedIn();
  const me = useMe();
  const { signOut } = useAuthActions();
  const navigate = useNavigate();
  const location = useLocation();
  if (!signedIn) {
    const next = location.pathname === "/signin" ? "" : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return (
      <Link className="nav-link nav-signin" to={`/signin${next}`}>
        Sign in
      </Link>
    );
  }
  return (
    <span className="account">
      <span className="account-name" title={me.data?.email}>
        {me.data?.name?.split(" ")[0] || me.data?.email || "Signed in"}
      </span>
      <button
        type="button"
        className="link-button"
        onClick={async () => {
          await signOut();
          navigate("/");
        }}
      >
        Sign out
      </button>
    </span>
  );
}

export function Layout() {
  const chain = config();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a navigation, move focus to the new page so keyboard and screen-reader users
  // start at its content, not at the link they followed.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {chain.test_mode && (
        <div className="test-mode" role="note">
          Test mode: bookings here are for trying things out, and no real money moves.
        </div>
      )}
      <header className="site-header">
        <div className="site-header-inner">
          <Brand />
          <nav aria-label="Main" className="site-nav">
            <NavLink className="nav-link" to="/" end>
              What's on
            </NavLink>
            <NavLink className="nav-link" to="/orders">
              My bookings
            </NavLink>
            <Account />
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="site-main">
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          {chain.name} · Times are shown in each venue's local time · Prices in {chain.currency}
        </p>
      </footer>
    </div>
  );
}
