/**
 * The shell's profile guard. Where accounts live apart from customer records (Cognito), a
 * customer can be signed in with no profile yet: they left "Complete your profile" and reloaded,
 * or closed the tab in between. Every API call then answers 403 customer_not_registered, which
 * no page can put right, so the shell shows the profile step in the page's place and, once it is
 * saved, the page they were on again, loaded afresh.
 */
import { useCallback, useEffect, useState } from "react";
import { currentHref, isPublic, matchRoute, parseHref } from "../routing";
import type { Services } from "./services";

export interface ProfileGuard {
  /** True while the shell must ask for the names instead of showing the page. */
  needed: boolean;
  /** Bumped when the profile is saved, so the page remounts and loads again. */
  generation: number;
  done(): void;
}

function onPublicPage(): boolean {
  const here = parseHref(currentHref());
  return isPublic(matchRoute(here.path, here.query));
}

export function useProfileGuard({ auth, missingProfile }: Pick<Services, "auth" | "missingProfile">): ProfileGuard {
  const [needed, setNeeded] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    // The local build creates the customer at registration: there, this 403 is a real refusal.
    if (!auth.separateProfiles) return undefined;
    return missingProfile.subscribe(() => {
      // Sign-in and registration check the profile themselves (pages/profileStep.ts).
      if (!onPublicPage()) setNeeded(true);
    });
  }, [auth, missingProfile]);

  // After a sign-out the next customer's profile is a question of its own.
  useEffect(
    () =>
      auth.subscribe((session) => {
        if (session === null) setNeeded(false);
      }),
    [auth],
  );

  const done = useCallback(() => {
    setNeeded(false);
    setGeneration((n) => n + 1);
  }, []);

  return { needed, generation, done };
}
