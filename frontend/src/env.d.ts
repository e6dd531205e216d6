/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "local" (default) or "cognito": which AuthClient the build uses. */
  readonly VITE_AUTH_PROVIDER?: string;
  /** Cognito build: the user pool id ("eu-west-1_AbC123"); required. */
  readonly VITE_COGNITO_USER_POOL_ID?: string;
  /** Cognito build: the pool's public app client id (no secret); required. */
  readonly VITE_COGNITO_CLIENT_ID?: string;
  /** Cognito build: another user pool API endpoint (a local emulator); AWS's regional one if unset. */
  readonly VITE_COGNITO_ENDPOINT?: string;
  /** Cognito build: "USER_SRP_AUTH" (default) or "USER_PASSWORD_AUTH". */
  readonly VITE_COGNITO_AUTH_FLOW?: string;
}
