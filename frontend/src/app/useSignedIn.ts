/**
 * Whether the customer is signed in, as the shell needs to know it: "signed-in" with an access
 * token to send, "renewing" while a lapsed token is being renewed with the refresh token (a
 * reload after the token lapsed, or a tab left asleep), and "signed-out". Checked again on every
 * navigation. Only when the renewal fails does the customer go to sign-in, with the route kept
 * and the reason given (`/sign-in?next=…&expired=1`). A provider that cannot renew (the local
 * build) is never "renewing": a lapsed token is signed out at once, as before.
 */
import { useEffect, useRef, useState } from "react";
import type { AuthClient } from "../auth";
import { sendToSignIn } from "./services";

export type SignInState = "signed-in" | "renewing" | "signed-out";

export function useSignedIn(auth: AuthClient, href: string): SignInState {
  const [signedIn, setSignedIn] = useState(() => auth.currentToken() !== null);
  // Starts true when the effect below is about to renew, so the first render redirects nowhere.
  const [renewing, setRenewing] = useState(() => auth.currentToken() === null && auth.canRenew());
  const inFlight = useRef(false);

  useEffect(() => auth.subscribe((session) => setSignedIn(session !== null)), [auth]);

  useEffect(() => {
    if (auth.currentToken() !== null) {
      setSignedIn(true);
      return;
    }
    setSignedIn(false);
    if (inFlight.current) return; // one renewal at a time; its outcome covers this route too
    if (!auth.canRenew()) {
      setRenewing(false);
      return;
    }
    inFlight.current = true;
    setRenewing(true);
    auth
      .refresh()
      .then(
        (session) => {
          if (session) setSignedIn(true);
          else sendToSignIn(auth); // the refresh token was refused (revoked or lapsed)
        },
        // Cognito unreachable or failing: no token to send, so this is a sign-in too.
        () => sendToSignIn(auth),
      )
      .finally(() => {
        inFlight.current = false;
        setRenewing(false);
      });
  }, [auth, href]);

  if (signedIn) return "signed-in";
  return renewing ? "renewing" : "signed-out";
}
