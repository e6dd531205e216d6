/**
 * Picks the AuthClient at build time from VITE_AUTH_PROVIDER: "local" (the default) or
 * "cognito". Vite writes the value into the bundle, so the branch not taken is dropped and the
 * local build carries none of the Cognito code. An unknown provider or an incomplete Cognito
 * setting fails loudly (and vite.config.ts refuses to build it in the first place).
 */
import { ApiClient } from "../api/client";
import type { AuthClient } from "./AuthClient";
import { CognitoAuthClient } from "./CognitoAuthClient";
import { cognitoConfigFrom } from "./cognitoConfig";
import { LocalAuthClient } from "./LocalAuthClient";

export type { AuthClient, Session, SignUpInput, SignUpResult } from "./AuthClient";
export { LocalAuthClient } from "./LocalAuthClient";
export { SessionStore } from "./sessionStore";

export function createAuthClient(): AuthClient {
  if (import.meta.env.VITE_AUTH_PROVIDER === "cognito") {
    return new CognitoAuthClient(
      cognitoConfigFrom({
        VITE_COGNITO_USER_POOL_ID: import.meta.env.VITE_COGNITO_USER_POOL_ID,
        VITE_COGNITO_CLIENT_ID: import.meta.env.VITE_COGNITO_CLIENT_ID,
        VITE_COGNITO_ENDPOINT: import.meta.env.VITE_COGNITO_ENDPOINT,
        VITE_COGNITO_AUTH_FLOW: import.meta.env.VITE_COGNITO_AUTH_FLOW,
      }),
    );
  }
  const provider = import.meta.env.VITE_AUTH_PROVIDER ?? "local";
  if (provider !== "local") throw new Error(`Auth provider "${provider}" is not available in this build.`);
  return new LocalAuthClient(new ApiClient());
}
