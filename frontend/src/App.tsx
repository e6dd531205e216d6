/**
 * The site's shell: header with navigation, one <main> holding the page for the current route
 * (a hash route, see src/routing), and the sign-in guard. Pages that need a session send a
 * signed-out customer to sign-in with the route kept as `next`, and come back to it afterwards.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { FocusOnMountContext } from "./app/Page";
import { ChatPanel } from "./chat/ChatPanel";
import { createServices, ServicesProvider, type Services } from "./app/services";
import { ConfirmationPage } from "./pages/ConfirmationPage";
import { DashboardPage } from "./pages/DashboardPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PaymentPage } from "./pages/PaymentPage";
import { RegisterPage } from "./pages/RegisterPage";
import { SignInPage } from "./pages/SignInPage";
import { TicketsPage } from "./pages/TicketsPage";
import { UpgradePage } from "./pages/UpgradePage";
import { hrefFor, isPublic, matchRoute, navigate, paths, useLocation, type Route } from "./routing";

function pageFor(route: Route): ReactNode {
  switch (route.name) {
    case "signIn":
      return <SignInPage next={route.next} expired={route.expired} />;
    case "register":
      return <RegisterPage next={route.next} />;
    case "tickets":
      return <TicketsPage />;
    case "upgrade":
      return <UpgradePage ticket={route.ticket} />;
    case "pay":
      return <PaymentPage orderId={route.orderId} />;
    case "confirmation":
      return <ConfirmationPage orderId={route.orderId} />;
    case "dashboard":
      return <DashboardPage />;
    case "home":
      return null; // redirected below
    case "notFound":
      return <NotFoundPage />;
  }
}

export function App({ services: given }: { services?: Services }) {
  const services = useMemo(() => given ?? createServices(), [given]);
  const { auth } = services;
  const location = useLocation();
  const route = matchRoute(location.path, location.query);
  const [signedIn, setSignedIn] = useState(() => auth.currentToken() !== null);
  const navigated = useRef(false);
  const firstHref = useRef(location.href);

  useEffect(() => auth.subscribe((session) => setSignedIn(session !== null)), [auth]);

  // A layout effect runs before the new page's effects, so the page knows to take focus.
  useLayoutEffect(() => {
    if (location.href !== firstHref.current) navigated.current = true;
  }, [location.href]);

  // Re-check on every navigation: a token that lapsed while the tab was idle counts as signed out.
  useEffect(() => {
    setSignedIn(auth.currentToken() !== null);
  }, [auth, location.href]);

  const mustSignIn = !signedIn && !isPublic(route);
  useEffect(() => {
    if (route.name === "home") navigate(signedIn ? paths.tickets() : paths.signIn(), { replace: true });
    else if (mustSignIn) navigate(paths.signIn(location.href), { replace: true });
  }, [route.name, mustSignIn, signedIn, location.href]);

  function signOut() {
    navigate(paths.signIn());
    void auth.signOut();
  }

  return (
    <ServicesProvider services={services}>
      <FocusOnMountContext.Provider value={navigated}>
        <a className="skip-link" href="#main" onClick={(event) => {
          event.preventDefault();
          document.getElementById("main")?.focus();
        }}>
          Skip to content
        </a>
        <header className="site-header">
          <a className="site-name" href={hrefFor(signedIn ? paths.tickets() : paths.signIn())}>
            Funland ticket upgrades
          </a>
          {signedIn && (
            <nav aria-label="Main">
              <ul>
                <li>
                  <a href={hrefFor(paths.tickets())} aria-current={route.name === "tickets" ? "page" : undefined}>
                    My tickets
                  </a>
                </li>
                <li>
                  <a href={hrefFor(paths.dashboard())} aria-current={route.name === "dashboard" ? "page" : undefined}>
                    My upgrades
                  </a>
                </li>
                <li>
                  <button type="button" className="link-button" onClick={signOut}>
                    Sign out
                  </button>
                </li>
              </ul>
            </nav>
          )}
        </header>
        <main id="main" tabIndex={-1}>
          {mustSignIn ? null : <PageKey key={location.path}>{pageFor(route)}</PageKey>}
        </main>
        {signedIn && <ChatPanel />}
      </FocusOnMountContext.Provider>
    </ServicesProvider>
  );
}

/** Remounts the page when the path changes, so each page starts fresh and focuses its heading. */
function PageKey({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
