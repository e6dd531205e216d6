/**
 * The site's shell: header with navigation, one <main> holding the page for the current route
 * (a hash route, see src/routing), and two guards. The sign-in guard sends a signed-out
 * customer to sign-in with the route kept as `next` (and comes back to it afterwards), after
 * first trying to renew a lapsed session where the provider can (see app/useSignedIn.ts). The
 * profile guard puts "Complete your profile" in the page's place when the API finds no customer
 * profile for a signed-in Cognito account (see app/ProfileGuard.tsx).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from "react";
import { FocusOnMountContext } from "./app/Page";
import { useProfileGuard } from "./app/ProfileGuard";
import { useSignedIn } from "./app/useSignedIn";
import { ChatPanel } from "./chat/ChatPanel";
import { createServices, ServicesProvider, type Services } from "./app/services";
import { CompleteProfileStep } from "./pages/CompleteProfileStep";
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
  // Re-checked on every navigation: a token that lapsed while the tab was idle is renewed if it
  // can be, else counts as signed out.
  const state = useSignedIn(auth, location.href);
  const signedIn = state === "signed-in";
  const profile = useProfileGuard(services);
  const navigated = useRef(false);
  const firstHref = useRef(location.href);

  // A layout effect runs before the new page's effects, so the page knows to take focus.
  useLayoutEffect(() => {
    if (location.href !== firstHref.current) navigated.current = true;
  }, [location.href]);

  const mustSignIn = state === "signed-out" && !isPublic(route);
  const waiting = state === "renewing" && !isPublic(route);
  useEffect(() => {
    if (state === "renewing") return; // the renewal decides
    if (route.name === "home") navigate(signedIn ? paths.tickets() : paths.signIn(), { replace: true });
    else if (mustSignIn) navigate(paths.signIn(location.href), { replace: true });
  }, [route.name, mustSignIn, signedIn, state, location.href]);

  const askForProfile = signedIn && profile.needed && !isPublic(route);
  function profileSaved() {
    navigated.current = true; // back on the page: it takes focus as after a navigation
    profile.done();
  }

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
          {waiting ? (
            <p role="status" className="loading">
              Signing you back in…
            </p>
          ) : mustSignIn ? null : askForProfile ? (
            <CompleteProfileStep focus="heading" onDone={profileSaved} />
          ) : (
            <PageKey key={`${location.path}#${profile.generation}`}>{pageFor(route)}</PageKey>
          )}
        </main>
        {signedIn && !askForProfile && <ChatPanel />}
      </FocusOnMountContext.Provider>
    </ServicesProvider>
  );
}

/** Remounts the page when the path changes, so each page starts fresh and focuses its heading. */
function PageKey({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
