/**
 * An ApiError in plain words: what happened, what to do next, and a Retry button only when the
 * same request can still succeed (503, 429, 409, or no answer at all). Declines (402) and
 * business rules (422) are final for that attempt, so they get no Retry.
 */
import type { ApiError } from "../api/errors";

export interface ProblemMessageProps {
  error: ApiError;
  onRetry?: () => void;
  /** True while the retry is running, so it cannot be pressed twice. */
  retrying?: boolean;
}

/** Headlines for the codes a customer meets most; the server's detail follows underneath. */
const HEADLINES: Record<string, string> = {
  card_declined: "Your card was declined.",
  insufficient_funds: "Your card was declined: not enough funds.",
  expired_card: "Your card has expired.",
  incorrect_cvc: "The security code did not match.",
  incorrect_number: "The card number is not valid.",
  payment_unavailable: "Payments are not available right now.",
  payment_unconfirmed: "We are still confirming your payment.",
  network_error: "We could not reach the server.",
  invalid_credentials: "We could not sign you in.",
};

function headline(error: ApiError): string {
  const decline = typeof error.extra.decline_code === "string" ? error.extra.decline_code : "";
  return HEADLINES[decline] ?? HEADLINES[error.code] ?? error.detail;
}

export function ProblemMessage({ error, onRetry, retrying = false }: ProblemMessageProps) {
  const title = headline(error);
  const attemptsLeft = typeof error.extra.attempts_left === "number" ? error.extra.attempts_left : null;
  const canRetry = error.retryable && onRetry !== undefined;
  const fieldErrors = Array.isArray(error.extra.errors)
    ? (error.extra.errors as Array<{ field?: unknown; message?: unknown }>)
    : [];

  return (
    <div role="alert" className="problem">
      <p className="problem-title">
        <strong>{title}</strong>
      </p>
      {error.detail && error.detail !== title && <p>{error.detail}</p>}
      {fieldErrors.length > 0 && (
        <ul>
          {fieldErrors.map((item, i) => (
            <li key={i}>
              {String(item.field ?? "")}: {String(item.message ?? "")}
            </li>
          ))}
        </ul>
      )}
      {error.guidance && <p>{error.guidance}</p>}
      {attemptsLeft !== null && (
        <p>
          {attemptsLeft === 0
            ? "No attempts are left for this quote."
            : `You can try ${attemptsLeft} more ${attemptsLeft === 1 ? "time" : "times"} with another card.`}
        </p>
      )}
      {canRetry && error.retryAfter !== null && error.retryAfter > 0 && (
        <p>You can try again in {error.retryAfter} seconds.</p>
      )}
      {canRetry && (
        <button type="button" onClick={onRetry} disabled={retrying}>
          {retrying ? "Trying again…" : "Try again"}
        </button>
      )}
      {error.requestId && <p className="problem-reference">Reference: {error.requestId}</p>}
    </div>
  );
}
