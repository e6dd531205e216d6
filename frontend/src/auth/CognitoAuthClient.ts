/**
 * AuthClient over an Amazon Cognito user pool, for the AWS build. Sign-up asks Cognito for an
 * account (it emails a code), the names wait in sessionStorage for the profile step, and
 * sign-in uses SRP by default or USER_PASSWORD_AUTH when the build says so (moto's SRP accepts
 * any password, so tests of a wrong password need the latter). Tokens live in the SessionStore
 * only (memory + sessionStorage); the access token is renewed with the refresh token shortly
 * before it lapses while the tab is open, and on demand (refresh) when it lapsed while the tab
 * was closed or asleep and the refresh token is still kept (canRenew).
 */
import type { AuthClient, Session, SignUpInput, SignUpResult } from "./AuthClient";
import type { CognitoConfig } from "./cognitoConfig";
import { cognitoProblem, type CognitoStep } from "./cognitoErrors";
import { CognitoIdp, type CognitoTokens } from "./cognitoIdp";
import { rememberProfile } from "./pendingProfile";
import { SessionStore } from "./sessionStore";

/** Renew this long before the store stops handing the token out. */
const RENEW_AHEAD_MS = 30_000;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CognitoAuthClientOptions {
  store?: SessionStore;
  now?: () => number;
  timers?: Timers;
}

const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Cognito pools here use the email as the username; one spelling keeps sign-up and sign-in apart from case. */
function username(email: string): string {
  return email.trim().toLowerCase();
}

export class CognitoAuthClient implements AuthClient {
  /** A Cognito account has no customer record until the profile step creates one. */
  readonly separateProfiles = true;

  private readonly idp: CognitoIdp;
  private readonly store: SessionStore;
  private readonly now: () => number;
  private readonly timers: Timers;
  private renewal: unknown = null;
  private renewing: Promise<Session | null> | null = null;

  constructor(
    private readonly config: CognitoConfig,
    options: CognitoAuthClientOptions = {},
  ) {
    this.idp = new CognitoIdp(config);
    this.now = options.now ?? Date.now;
    this.store = options.store ?? new SessionStore(undefined, this.now);
    this.timers = options.timers ?? browserTimers;
    this.scheduleRenewal(); // a session kept over a reload is renewed like a fresh one
  }

  async signUp(input: SignUpInput): Promise<SignUpResult> {
    const email = username(input.email);
    const names = { firstName: input.firstName.trim(), lastName: input.lastName.trim() };
    const { confirmed } = await this.step("signUp", () =>
      this.idp.signUp(email, input.password, {
        email,
        given_name: names.firstName,
        family_name: names.lastName,
      }),
    );
    rememberProfile(email, names);
    return { needsConfirmation: !confirmed };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.step("confirm", () => this.idp.confirmSignUp(username(email), code.trim()));
  }

  async resendConfirmation(email: string): Promise<void> {
    await this.step("resend", () => this.idp.resendConfirmationCode(username(email)));
  }

  async signIn(email: string, password: string): Promise<Session> {
    const name = username(email);
    const tokens = await this.step("signIn", async () => {
      if (this.config.authFlow === "USER_PASSWORD_AUTH") return this.idp.passwordSignIn(name, password);
      const { srpSignIn } = await import("./cognitoSrp");
      return srpSignIn(this.config, name, password);
    });
    return this.keep(name, tokens, undefined);
  }

  async refresh(): Promise<Session | null> {
    return this.store.get() ?? this.renew();
  }

  canRenew(): boolean {
    return Boolean(this.store.stored()?.refreshToken);
  }

  async signOut(): Promise<void> {
    const session = this.store.get();
    this.cancelRenewal();
    // Forget the session here first, so the site is signed out at once whatever Cognito says.
    this.store.clear();
    if (!session) return;
    try {
      // Revokes the refresh token everywhere. (Not RevokeToken: moto lacks it, and GlobalSignOut
      // also ends the access token.)
      await this.idp.globalSignOut(session.accessToken);
    } catch {
      // Offline or already ended: locally the customer is signed out, and the access token lapses
      // within the hour on its own.
    }
  }

  currentToken(): string | null {
    return this.store.get()?.accessToken ?? null;
  }

  subscribe(listener: (session: Session | null) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Trades the refresh token for a new access token; null when Cognito no longer honours it. */
  private renew(): Promise<Session | null> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<Session | null> {
    const stored = this.store.stored();
    if (!stored?.refreshToken) return null;
    let tokens: CognitoTokens;
    try {
      tokens = await this.idp.refresh(stored.refreshToken);
    } catch (error) {
      const problem = cognitoProblem(error, "refresh");
      if (problem.status === 401 || problem.status === 403) {
        this.cancelRenewal();
        this.store.clear();
        return null;
      }
      throw problem;
    }
    // The store may have moved on (signed out or in as someone else) while the call ran.
    if (this.store.stored()?.refreshToken !== stored.refreshToken) return this.store.get();
    return this.keep(stored.email, tokens, stored.refreshToken);
  }

  private keep(email: string, tokens: CognitoTokens, previousRefresh: string | undefined): Session {
    const session: Session = {
      accessToken: tokens.accessToken,
      expiresAt: this.now() + tokens.expiresIn * 1000,
      email,
    };
    const refreshToken = tokens.refreshToken ?? previousRefresh;
    if (refreshToken) session.refreshToken = refreshToken;
    this.store.set(session);
    this.scheduleRenewal();
    return session;
  }

  private scheduleRenewal(): void {
    this.cancelRenewal();
    const until = this.store.usableUntil();
    if (until === null || !this.store.stored()?.refreshToken || until <= this.now()) return;
    const wait = Math.max(0, until - RENEW_AHEAD_MS - this.now());
    this.renewal = this.timers.setTimeout(() => {
      this.renewal = null;
      // A failed renewal leaves the token to lapse; the next API call then asks for a sign-in.
      this.renew().catch(() => undefined);
    }, wait);
  }

  private cancelRenewal(): void {
    if (this.renewal !== null) this.timers.clearTimeout(this.renewal);
    this.renewal = null;
  }

  private async step<T>(step: CognitoStep, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw cognitoProblem(error, step);
    }
  }
}
