/**
 * Keeps the session in memory, mirrored to sessionStorage so a reload in the same tab keeps the
 * customer signed in while closing the tab forgets it. Never a cookie: nothing is sent to any
 * site automatically. A lapsed session without a refresh token is forgotten at once; one with a
 * refresh token is kept (but not handed out) so the AuthClient can still renew it.
 */
import type { Session } from "./AuthClient";

const KEY = "tap.session";
/** Treat a token as expired slightly early, so it does not lapse in flight. */
const SKEW_MS = 30_000;

export class SessionStore {
  private session: Session | null;
  private readonly listeners = new Set<(session: Session | null) => void>();

  constructor(
    private readonly storage: Storage | null = safeSessionStorage(),
    private readonly now: () => number = Date.now,
  ) {
    this.session = this.load();
  }

  /** The session if its access token is still good to send, else null. */
  get(): Session | null {
    if (!this.session || this.session.expiresAt - SKEW_MS > this.now()) return this.session;
    if (!this.session.refreshToken) this.clear();
    return null;
  }

  /** The stored session even when its access token has lapsed (for the refresh token). */
  stored(): Session | null {
    return this.session;
  }

  /** When the access token stops being handed out (epoch ms), or null without a session. */
  usableUntil(): number | null {
    return this.session ? this.session.expiresAt - SKEW_MS : null;
  }

  set(session: Session): void {
    this.session = session;
    this.storage?.setItem(KEY, JSON.stringify(session));
    this.emit();
  }

  clear(): void {
    const had = this.session !== null;
    this.session = null;
    this.storage?.removeItem(KEY);
    if (had) this.emit();
  }

  subscribe(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.session);
  }

  private load(): Session | null {
    try {
      const raw = this.storage?.getItem(KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Partial<Session>;
      if (typeof parsed.accessToken !== "string" || typeof parsed.expiresAt !== "number") return null;
      const session: Session = { accessToken: parsed.accessToken, expiresAt: parsed.expiresAt, email: parsed.email ?? "" };
      if (typeof parsed.refreshToken === "string") session.refreshToken = parsed.refreshToken;
      return session;
    } catch {
      return null;
    }
  }
}

function safeSessionStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled (privacy mode): memory only
  }
}
