/**
 * A typed fetch client for the API. JSON in and out; any non-2xx answer is thrown as an ApiError
 * built from its problem JSON; the bearer token comes from the auth client on every request, so
 * a refreshed token is picked up without rebuilding the client.
 */
import { ApiError, networkError, problemToError } from "./errors";
import type {
  ChatReply,
  CreateUpgradeCommand,
  Customer,
  Order,
  PaymentCard,
  RegisterRequest,
  Ticket,
  TokenResponse,
  UpgradeOptions,
} from "./types";

/** Where the client gets the current access token; the AuthClient is one. */
export interface TokenSource {
  currentToken(): string | null;
  /** True when a new token can be had without the customer (a Cognito refresh token). */
  canRenew?(): boolean;
  /** Gets a new token; null when that failed. */
  refresh?(): Promise<{ accessToken: string } | null>;
}

export interface ApiClientOptions {
  /** Prefix for every path; "" means same origin (the built site and the dev proxy). */
  baseUrl?: string;
  tokens?: TokenSource;
  fetch?: typeof fetch;
  /** Called on every 401, so the app can send the customer back to sign-in. */
  onUnauthorized?: (error: ApiError) => void;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Sent as Idempotency-Key: the same key and body replay the first answer on the server. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A fresh Idempotency-Key; one per attempt, reused only when retrying that same attempt. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenSource | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly onUnauthorized: ((error: ApiError) => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.tokens = options.tokens;
    // Bound so a test double or window.fetch keeps its `this`.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onUnauthorized = options.onUnauthorized;
  }

  /**
   * Sends one request; resolves with the parsed JSON (undefined for 204), throws ApiError.
   * Where the token source can renew (Cognito), a token that lapsed (a tab asleep past its
   * scheduled renewal) is renewed first, and a 401 is retried once with a new token: the
   * server refused the request before doing anything, so sending it again is safe.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const renewable = this.tokens?.canRenew?.() ?? false;
    let token = this.tokens?.currentToken() ?? null;
    if (!token && renewable) token = await this.renew();
    try {
      return await this.send<T>(method, path, options, token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !renewable) throw error;
      const fresh = await this.renew();
      if (!fresh || fresh === token) {
        this.onUnauthorized?.(error);
        throw error;
      }
      return this.send<T>(method, path, options, fresh, true);
    }
  }

  private async renew(): Promise<string | null> {
    try {
      return (await this.tokens?.refresh?.())?.accessToken ?? null;
    } catch {
      return null;
    }
  }

  private async send<T>(
    method: string,
    path: string,
    options: RequestOptions,
    token: string | null,
    lastTry = false,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    if (token) headers.Authorization = `Bearer ${token}`;

    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        credentials: "omit", // tokens travel in the header only, never in cookies
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
      throw networkError();
    }

    const body = await readJson(response);
    if (response.ok) return body as T;
    const error = problemToError(response.status, body, response.headers.get("Retry-After"));
    // A renewable session gets one more try (see `request`), which reports the 401 itself.
    const renewable = !lastTry && (this.tokens?.canRenew?.() ?? false);
    if (error.status === 401 && !renewable) this.onUnauthorized?.(error);
    throw error;
  }

  private url(path: string, query?: RequestOptions["query"]): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(name, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }

  // --- identity (local build) ---
  login(email: string, password: string): Promise<TokenResponse> {
    return this.request("POST", "/api/auth/login", { body: { email, password } });
  }
  register(request: RegisterRequest): Promise<Customer> {
    return this.request("POST", "/api/auth/register", { body: request });
  }
  me(): Promise<Customer> {
    return this.request("GET", "/api/me");
  }
  /** Creates the customer record of a signed-in identity that has none (Cognito sign-ups). */
  createProfile(profile: { first_name: string; last_name: string }): Promise<Customer> {
    return this.request("POST", "/api/me", { body: profile });
  }

  // --- tickets and options ---
  tickets(): Promise<Ticket[]> {
    return this.request("GET", "/api/tickets");
  }
  upgradeOptions(ref: string, range: { start?: string; days?: number } = {}): Promise<UpgradeOptions> {
    return this.request("GET", `/api/tickets/${encodeURIComponent(ref)}/upgrade-options`, {
      query: range,
    });
  }

  // --- orders ---
  createUpgrade(command: CreateUpgradeCommand, idempotencyKey: string): Promise<Order> {
    return this.request("POST", "/api/upgrades", { body: command, idempotencyKey });
  }
  orders(): Promise<Order[]> {
    return this.request("GET", "/api/upgrades");
  }
  order(id: string): Promise<Order> {
    return this.request("GET", `/api/upgrades/${encodeURIComponent(id)}`);
  }
  pay(orderId: string, card: PaymentCard, idempotencyKey: string): Promise<Order> {
    return this.request("POST", `/api/upgrades/${encodeURIComponent(orderId)}/payment`, {
      body: { card },
      idempotencyKey,
    });
  }
  cancel(orderId: string): Promise<Order> {
    return this.request("POST", `/api/upgrades/${encodeURIComponent(orderId)}/cancel`);
  }
  refund(orderId: string): Promise<Order> {
    return this.request("POST", `/api/upgrades/${encodeURIComponent(orderId)}/refund`);
  }

  // --- chat ---
  chat(message: string, sessionId?: string): Promise<ChatReply> {
    return this.request("POST", "/api/chat", { body: { message, session_id: sessionId } });
  }
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}
