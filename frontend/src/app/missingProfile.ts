/**
 * Notices the API's 403 customer_not_registered: the identity signed in (Cognito) but has no
 * customer profile yet, e.g. the customer left the "Complete your profile" step and reloaded.
 * The API client reports every such answer here, and the shell (ProfileGuard.tsx) listens and
 * asks for the names instead of leaving the page on an error it cannot fix.
 */
import { ApiClient, type ApiClientOptions, type RequestOptions } from "../api/client";
import { ApiError } from "../api/errors";

export function isMissingProfile(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && error.code === "customer_not_registered";
}

/** A tiny publish/subscribe for "the API says this customer has no profile". */
export class MissingProfileSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * The ApiClient with the signal: every method goes through `request`, so one override covers
 * them all. The error is still thrown, so the caller (a page, or the sign-in page's own profile
 * check) decides for itself what it means there.
 */
export class ProfileAwareApiClient extends ApiClient {
  constructor(
    options: ApiClientOptions,
    private readonly signal: MissingProfileSignal,
  ) {
    super(options);
  }

  override async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await super.request<T>(method, path, options);
    } catch (error) {
      if (isMissingProfile(error)) this.signal.notify();
      throw error;
    }
  }
}
