/**
 * The pure part of an order's live progress (WS /api/upgrades/{id}/events): reading a message
 * off the wire and folding it into the steps quoted → paying → confirmed → email sent.
 *
 * The server sends the order as it is now ({type: "snapshot", event: null, at, order}), then one
 * {type: "event", event, at, order} per event, each with the order after it. A snapshot is the
 * truth and always applies (so a reload or a reconnect resumes where the order is). An event
 * already seen (same name and time) or one behind the furthest step reached is a replay and is
 * ignored; so is anything that is not a well-formed message.
 */
import type { Order, OrderStatus } from "../api/types";

export type StepKey = "quoted" | "paying" | "confirmed" | "email_sent";
export type Outcome = "cancelled" | "expired" | "failed" | "refunded";

export const STEPS: readonly StepKey[] = ["quoted", "paying", "confirmed", "email_sent"];

export interface Decline {
  code: string | null;
  attemptsLeft: number;
}

export interface ProgressMessage {
  type: "snapshot" | "event";
  event: string | null;
  at: string;
  order: Order;
}

/** What the page shows; `rank` and `seen` are bookkeeping for replays. */
export interface ProgressState {
  order: Order | null;
  step: StepKey | null;
  /** Set after a declined payment until the next attempt starts. */
  declined: Decline | null;
  /** How the order ended without an email (cancelled, expired, out of attempts, refunded). */
  outcome: Outcome | null;
  /** Nothing more will come: the socket is (to be) closed and not reopened. */
  final: boolean;
  lastEvent: string | null;
  rank: number;
  seen: readonly string[];
}

export const INITIAL: ProgressState = {
  order: null,
  step: null,
  declined: null,
  outcome: null,
  final: false,
  lastEvent: null,
  rank: -1,
  seen: [],
};

const OUTCOMES: ReadonlySet<OrderStatus> = new Set<OrderStatus>(["cancelled", "expired", "failed", "refunded"]);
const FINAL_RANK = 5;

/** How far along each event puts the order (declines and new attempts share "paying"). */
const EVENT_RANK: Record<string, { rank: number; step: StepKey }> = {
  quoted: { rank: 0, step: "quoted" },
  payment_processing: { rank: 1, step: "paying" },
  payment_declined: { rank: 1, step: "paying" },
  payment_succeeded: { rank: 2, step: "paying" },
  confirmed: { rank: 3, step: "confirmed" },
  email_sent: { rank: 4, step: "email_sent" },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The message in a frame, or null for anything malformed (never throws). */
export function parseMessage(data: unknown): ProgressMessage | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const { type, event, at, order } = value;
  if (type !== "snapshot" && type !== "event") return null;
  if (type === "event" && typeof event !== "string") return null;
  if (!isRecord(order) || typeof order.id !== "string" || typeof order.status !== "string") return null;
  return {
    type,
    event: typeof event === "string" ? event : null,
    at: typeof at === "string" ? at : "",
    order: order as unknown as Order,
  };
}

function declineOf(order: Order): Decline {
  return { code: order.last_decline_code ?? null, attemptsLeft: order.attempts_left ?? 0 };
}

/** Where an order stands by itself (for a snapshot, or an event this site does not know). */
function fromOrder(order: Order): Pick<ProgressState, "step" | "declined" | "outcome" | "final" | "rank"> {
  if (OUTCOMES.has(order.status)) {
    const step = order.confirmation_code ? "confirmed" : order.last_decline_code ? "paying" : "quoted";
    return { step, declined: null, outcome: order.status as Outcome, final: true, rank: FINAL_RANK };
  }
  switch (order.status) {
    case "pending":
      return order.last_decline_code
        ? { step: "paying", declined: declineOf(order), outcome: null, final: false, rank: 1 }
        : { step: "quoted", declined: null, outcome: null, final: false, rank: 0 };
    case "processing":
      return { step: "paying", declined: null, outcome: null, final: false, rank: 1 };
    case "confirmed":
      return order.email_status === "sent"
        ? { step: "email_sent", declined: null, outcome: null, final: true, rank: 4 }
        : { step: "confirmed", declined: null, outcome: null, final: false, rank: 3 };
    default:
      return { step: null, declined: null, outcome: null, final: false, rank: 0 };
  }
}

/** The state after one message; the same state object when the message changes nothing. */
export function advance(state: ProgressState, message: ProgressMessage): ProgressState {
  if (state.final) return state;
  if (message.type === "snapshot") {
    return { ...state, ...fromOrder(message.order), order: message.order, lastEvent: null };
  }
  const name = message.event ?? "";
  const key = `${name}@${message.at}`;
  if (state.seen.includes(key)) return state;
  const seen = [...state.seen, key].slice(-50);

  let next: Pick<ProgressState, "step" | "declined" | "outcome" | "final" | "rank">;
  const known = EVENT_RANK[name];
  if (name === "cancelled" || name === "expired") {
    next = { ...fromOrder(message.order), outcome: name, final: true, rank: FINAL_RANK };
  } else if (known) {
    next = {
      step: known.step,
      declined: name === "payment_declined" ? declineOf(message.order) : null,
      outcome: null,
      final: name === "email_sent",
      rank: known.rank,
    };
    // Out of attempts (or otherwise ended) after this event: that is the end.
    if (OUTCOMES.has(message.order.status)) next = { ...next, outcome: message.order.status as Outcome, final: true, rank: FINAL_RANK };
  } else {
    next = fromOrder(message.order);
  }
  if (next.rank < state.rank) return { ...state, seen }; // a replay from before where we are
  return { ...state, ...next, order: message.order, lastEvent: name, seen };
}

/** A short text for the step the order is at, announced to screen readers as it changes. */
export function describe(state: Pick<ProgressState, "step" | "declined" | "outcome" | "lastEvent">): string {
  switch (state.outcome) {
    case "cancelled":
      return "The upgrade was cancelled.";
    case "expired":
      return "The price hold expired before payment.";
    case "failed":
      return "The payment was declined and no attempts are left.";
    case "refunded":
      return "The upgrade was refunded.";
  }
  switch (state.step) {
    case "quoted":
      return "Quote held, waiting for payment.";
    case "paying":
      if (state.declined) {
        const left = state.declined.attemptsLeft;
        return `Card declined. ${left === 1 ? "1 attempt" : `${left} attempts`} left.`;
      }
      return state.lastEvent === "payment_succeeded" ? "Payment accepted, confirming." : "Payment in progress.";
    case "confirmed":
      return "Upgrade confirmed. Sending the confirmation email.";
    case "email_sent":
      return "Confirmation email sent.";
    default:
      return "";
  }
}
