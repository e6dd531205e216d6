/**
 * The test-mode card form. Validates live as the customer types (a field's message shows once
 * the field has been left, then follows every keystroke), shows the brand, and keeps Pay
 * disabled while the card is invalid or a payment is in flight, saying why next to it.
 *
 * Idempotency: one attempt = one set of card details sent for this order. Each attempt gets ONE
 * Idempotency-Key; retrying that attempt (after 503, 429, 409 or a lost connection) sends the
 * same key, so a double click or a retry can never pay twice. A final answer (a decline) or
 * changed card details start a new attempt with a new key.
 */
import { useId, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { ApiError, networkError } from "../api/errors";
import { newIdempotencyKey } from "../api/client";
import type { PaymentCard } from "../api/types";
import { formatMoney } from "../money";
import {
  brandName,
  cvcLength,
  digitsOnly,
  formatCardNumber,
  formatExpiry,
  toPaymentCard,
  validateCard,
  type CardField,
  type CardInput,
} from "../payments/card";
import { ProblemMessage } from "./ProblemMessage";

export interface CardFormProps {
  amountDue: string;
  currency: string;
  /** Sends the payment; rejects with ApiError when the API says no. */
  onPay: (card: PaymentCard, idempotencyKey: string) => Promise<void>;
  /** Injected clock for the expiry check. */
  now?: () => Date;
  /** Injected key generator for tests. */
  newKey?: () => string;
}

interface Attempt {
  key: string;
  fingerprint: string;
  card: PaymentCard;
}

const EMPTY: CardInput = { number: "", expiry: "", cvc: "", name: "" };

const FIELDS: Array<{ field: CardField; label: string; autoComplete: string; numeric: boolean }> = [
  { field: "number", label: "Card number", autoComplete: "cc-number", numeric: true },
  { field: "expiry", label: "Expiry date (MM/YY)", autoComplete: "cc-exp", numeric: true },
  { field: "cvc", label: "Security code", autoComplete: "cc-csc", numeric: true },
  { field: "name", label: "Name on card", autoComplete: "cc-name", numeric: false },
];

export function CardForm({ amountDue, currency, onPay, now = () => new Date(), newKey = newIdempotencyKey }: CardFormProps) {
  const id = useId();
  const [input, setInput] = useState<CardInput>(EMPTY);
  const [touched, setTouched] = useState<Partial<Record<CardField, boolean>>>({});
  const [inFlight, setInFlight] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // Refs, not state: a second click in the same frame must already see them.
  const sending = useRef(false);
  const attempt = useRef<Attempt | null>(null);

  const check = validateCard(input, now());
  const brand = check.brand;
  const shown = (field: CardField) => (touched[field] ? check.errors[field] : undefined);

  function change(field: CardField) {
    return (event: ChangeEvent<HTMLInputElement>) => {
      const raw = event.target.value;
      const value =
        field === "number"
          ? formatCardNumber(raw)
          : field === "expiry"
            ? formatExpiry(raw)
            : field === "cvc"
              ? digitsOnly(raw).slice(0, cvcLength(brand === "unknown" ? "amex" : brand))
              : raw;
      setInput((prev) => ({ ...prev, [field]: value }));
    };
  }

  async function send(current: Attempt) {
    if (sending.current) return;
    sending.current = true;
    setInFlight(true);
    setError(null);
    try {
      await onPay(current.card, current.key);
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : networkError();
      // A final answer closes the attempt: the next Pay is a new attempt with a new key.
      if (!apiError.retryable) attempt.current = null;
      setError(apiError);
    } finally {
      sending.current = false;
      setInFlight(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!check.valid || sending.current) return;
    const card = toPaymentCard(input);
    const fingerprint = JSON.stringify(card);
    if (!attempt.current || attempt.current.fingerprint !== fingerprint) {
      attempt.current = { key: newKey(), fingerprint, card };
    }
    void send(attempt.current);
  }

  function retry() {
    if (attempt.current) void send(attempt.current);
  }

  return (
    <form className="card-form" onSubmit={submit} noValidate aria-busy={inFlight}>
      <p className="test-mode">Test mode: no real money moves. Use card 4242 4242 4242 4242.</p>
      {FIELDS.map(({ field, label, autoComplete, numeric }) => {
        const message = shown(field);
        const inputId = `${id}-${field}`;
        const errorId = `${inputId}-error`;
        const brandId = `${id}-brand`;
        return (
          <div className="field" key={field}>
            <label htmlFor={inputId}>{label}</label>
            <input
              id={inputId}
              name={field}
              value={input[field]}
              onChange={change(field)}
              onBlur={() => setTouched((prev) => ({ ...prev, [field]: true }))}
              autoComplete={autoComplete}
              inputMode={numeric ? "numeric" : "text"}
              placeholder={field === "expiry" ? "MM/YY" : undefined}
              aria-invalid={message ? true : undefined}
              aria-describedby={[field === "number" ? brandId : "", errorId].filter(Boolean).join(" ")}
              disabled={inFlight}
            />
            {field === "number" && (
              <span id={brandId} className="card-brand" data-testid="card-brand">
                {brand === "unknown" ? "" : brandName(brand)}
              </span>
            )}
            {/* Always rendered with a reserved height: an error appearing must not move Pay. */}
            <span id={errorId} className="field-error">
              {message ?? ""}
            </span>
          </div>
        );
      })}
      {error && <ProblemMessage error={error} onRetry={attempt.current ? retry : undefined} retrying={inFlight} />}
      <button type="submit" disabled={!check.valid || inFlight} aria-describedby={`${id}-pay-hint`}>
        {inFlight ? "Paying…" : `Pay ${formatMoney(amountDue, currency)}`}
      </button>
      <span id={`${id}-pay-hint`} className="pay-hint">
        {inFlight ? "Your payment is being processed. Please wait." : check.valid ? "" : "Fill in every field correctly to pay."}
      </span>
    </form>
  );
}
