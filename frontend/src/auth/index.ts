/**
 * Picks the AuthClient at build time from VITE_AUTH_PROVIDER ("local", the default, or
 * "cognito"). The Cognito implementation is the next step of issue 6; until it exists asking
 * for it fails loudly rather than falling back silently.
 */
import { ApiClient } from "../api/client";
import type { AuthClient } from "./AuthClient";
import { LocalAuthClient } from "./LocalAuthClient";

export type { AuthClient, Session, SignUpInput, SignUpResult } from "./AuthClient";
export { LocalAuthClient } from "./LocalAuthClient";
export { SessionStore } from "./sessionStore";

export function createAuthClient(
  provider: string = import.meta.env.VITE_AUTH_PROVIDER ?? "local",
): AuthClient {
  switch (provider) {
    case "local":
      return new LocalAuthClient(new ApiClient());
    default:
      throw new Error(`Auth provider "${provider}" is not available in this build.`);
  }
}
