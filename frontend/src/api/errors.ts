/**
 * ApiError: an RFC 9457 problem (application/problem+json) from the API, or a failure that never
 * reached it (network), in one shape the components can put into words.
 */

/** Statuses after which trying the same request again can succeed (0 = the network failed). */
const RETRYABLE = new Set([0, 409, 429, 503]);

export interface ApiErrorFields {
  status: number;
  code: string;
  title: string;
  detail: string;
  guidance: string;
  /** Seconds to wait before retrying, from the Retry-After header; null when not given. */
  retryAfter: number | null;
  requestId?: string | null;
  /** Any other members of the problem (decline_code, attempts_left, errors, …). */
  extra?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly guidance: string;
  readonly retryAfter: number | null;
  readonly requestId: string | null;
  readonly extra: Record<string, unknown>;

  constructor(fields: ApiErrorFields) {
    super(fields.detail || fields.title);
    this.name = "ApiError";
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.guidance = fields.guidance;
    this.retryAfter = fields.retryAfter;
    this.requestId = fields.requestId ?? null;
    this.extra = fields.extra ?? {};
  }

  /** True when the same request may succeed later: nothing final was decided. */
  get retryable(): boolean {
    return RETRYABLE.has(this.status);
  }
}

/** Plain words for answers that carry no problem JSON (a proxy's HTML page, an empty body). */
const FALLBACK: Record<number, [string, string]> = {
  0: ["We could not reach the server.", "Check your connection, then try again."],
  401: ["Your session has ended.", "Please sign in again."],
  404: ["We could not find that.", "Check the link or go back to your tickets."],
  409: ["Something else is in progress.", "Wait a moment, then try again."],
  429: ["Too many requests.", "Wait a moment, then try again."],
  503: ["The service is busy right now.", "Nothing was changed. Please try again in a few moments."],
};

/** Seconds from a Retry-After header: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Builds an ApiError from a parsed problem body (or null when the body was not JSON). */
export function problemToError(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
): ApiError {
  const problem = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const [fallbackDetail, fallbackGuidance] = FALLBACK[status] ?? [
    "Something went wrong on our side.",
    "Please try again. If it keeps happening, contact us.",
  ];
  const { type, title, status: _s, detail, code, guidance, request_id, ...extra } = problem;
  const typeCode = text(type).startsWith("/problems/") ? text(type).slice("/problems/".length) : "";
  return new ApiError({
    status,
    code: text(code) || typeCode || `http_${status}`,
    title: text(title) || `HTTP ${status}`,
    detail: text(detail) || fallbackDetail,
    guidance: text(guidance) || (text(detail) ? "" : fallbackGuidance),
    retryAfter: parseRetryAfter(retryAfterHeader),
    requestId: text(request_id) || null,
    extra,
  });
}

/** The error for a request that never got an answer (offline, DNS, connection reset). */
export function networkError(): ApiError {
  return problemToError(0, { code: "network_error", title: "Network error" }, null);
}
