/**
 * The API client and the auth client the pages use, handed down by context so tests can build
 * them over a fake fetch. A 401 from any API call ends the session and sends the customer to
 * sign-in, keeping where they were so they come back to it. A 403 customer_not_registered is
 * announced on `missingProfile` for the shell (see ProfileGuard.tsx).
 */
import { createContext, useContext, type ReactNode } from "react";
import type { ApiClient } from "../api/client";
import { createAuthClient, type AuthClient } from "../auth";
import { currentHref, navigate, paths } from "../routing";
import { MissingProfileSignal, ProfileAwareApiClient } from "./missingProfile";

export interface Services {
  api: ApiClient;
  auth: AuthClient;
  /** Fires when an API call answers 403 customer_not_registered. */
  missingProfile: MissingProfileSignal;
}

/** Sends the customer to sign-in with the current route kept as `next`, then forgets the session. */
export function sendToSignIn(auth: AuthClient): void {
  const here = currentHref();
  if (!here.startsWith("/sign-in") && !here.startsWith("/register")) {
    navigate(paths.signIn(here === "/" ? null : here, true), { replace: true });
  }
  void auth.signOut();
}

export function createServices(auth: AuthClient = createAuthClient()): Services {
  const missingProfile = new MissingProfileSignal();
  const api = new ProfileAwareApiClient({ tokens: auth, onUnauthorized: () => sendToSignIn(auth) }, missingProfile);
  return { api, auth, missingProfile };
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs a ServicesProvider");
  return services;
}
