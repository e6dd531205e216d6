/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "local" (default) or "cognito": which AuthClient the build uses. */
  readonly VITE_AUTH_PROVIDER?: string;
}
