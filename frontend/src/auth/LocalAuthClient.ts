/**
 * AuthClient over the local build's identity endpoints (/api/auth/register, /api/auth/login).
 * The local build issues no refresh token, so `refresh` can only hand back a session that is
 * still valid; once it lapses the customer signs in again.
 */
import type { ApiClient } from "../api/client";
import type { AuthClient, Session, SignUpInput, SignUpResult } from "./AuthClient";
import { SessionStore } from "./sessionStore";

export class LocalAuthClient implements AuthClient {
  /** /api/auth/register creates the customer record itself. */
  readonly separateProfiles = false;

  constructor(
    /** A client without a token source: these endpoints take none. */
    private readonly api: ApiClient,
    private readonly store: SessionStore = new SessionStore(),
    private readonly now: () => number = Date.now,
  ) {}

  async signUp(input: SignUpInput): Promise<SignUpResult> {
    await this.api.register({
      email: input.email.trim(),
      password: input.password,
      first_name: input.firstName.trim(),
      last_name: input.lastName.trim(),
    });
    return { needsConfirmation: false };
  }

  async confirmSignUp(): Promise<void> {
    // Local accounts are usable at once.
  }

  async resendConfirmation(): Promise<void> {
    // Nothing to confirm, so no code to send.
  }

  async signIn(email: string, password: string): Promise<Session> {
    const token = await this.api.login(email.trim(), password);
    const session: Session = {
      accessToken: token.access_token,
      expiresAt: this.now() + token.expires_in * 1000,
      email: email.trim().toLowerCase(),
    };
    this.store.set(session);
    return session;
  }

  async refresh(): Promise<Session | null> {
    return this.store.get();
  }

  canRenew(): boolean {
    return false; // no refresh token: a lapsed session means signing in again
  }

  async signOut(): Promise<void> {
    this.store.clear();
  }

  currentToken(): string | null {
    return this.store.get()?.accessToken ?? null;
  }

  subscribe(listener: (session: Session | null) => void): () => void {
    return this.store.subscribe(listener);
  }
}
