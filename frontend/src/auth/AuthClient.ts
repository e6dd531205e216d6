/**
 * The site's view of identity, whatever provides it: the local build's /api/auth endpoints or
 * an Amazon Cognito user pool (chosen at build time, see ./index.ts). Implementations keep
 * tokens in memory and sessionStorage only, never in a cookie.
 */

export interface Session {
  accessToken: string;
  /** Epoch milliseconds after which the token must not be sent. */
  expiresAt: number;
  email: string;
  /** Renews the access token without a password (Cognito); absent where the provider has none. */
  refreshToken?: string;
}

export interface SignUpInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export interface SignUpResult {
  /** True when the provider wants a code before the first sign-in (Cognito does, local does not). */
  needsConfirmation: boolean;
}

export interface AuthClient {
  /**
   * True when accounts live apart from the API's customer records (Cognito): after a sign-in the
   * site makes sure the customer has a profile (GET, else POST /api/me). False where signing up
   * already created the customer (the local build).
   */
  readonly separateProfiles: boolean;
  /** Creates the account; throws ApiError (e.g. 409 email taken, 400 invalid fields). */
  signUp(input: SignUpInput): Promise<SignUpResult>;
  /** Confirms a new account with the emailed code; a no-op where no confirmation exists. */
  confirmSignUp(email: string, code: string): Promise<void>;
  /** Sends a new confirmation code (the first one expired or never came); a no-op where none exist. */
  resendConfirmation(email: string): Promise<void>;
  /** Signs in and stores the session; throws ApiError (401 invalid_credentials). */
  signIn(email: string, password: string): Promise<Session>;
  /** A session valid now, renewed if the provider can; null means the customer must sign in. */
  refresh(): Promise<Session | null>;
  /**
   * True when refresh() can get a new access token without a password (a refresh token is kept),
   * even though currentToken() has lapsed. Synchronous, so the shell can tell at once whether
   * to wait for a renewal or to ask for a sign-in.
   */
  canRenew(): boolean;
  /** Forgets the session locally (and at the provider where it has one). Idempotent. */
  signOut(): Promise<void>;
  /** The access token if it is still valid, else null. Synchronous, for every API request. */
  currentToken(): string | null;
  /** Calls back on every sign-in and sign-out; returns the unsubscribe function. */
  subscribe(listener: (session: Session | null) => void): () => void;
}
