/**
 * The chat endpoints' wire shapes beyond ChatReply, and the two actions the site acts on, read
 * defensively: an action whose data is not what we expect is simply not shown.
 */
import type { ApiClient } from "../api/client";
import type { ChatAction } from "../api/types";
import { toMinorUnits } from "../money";

export interface ChatHistoryMessage {
  role: "user" | "assistant";
  text: string;
}

export interface ChatHistoryEvent {
  id: string;
  at: string;
  messages: ChatHistoryMessage[];
}

/** GET /api/chat/{session_id}: the conversation, its owner only (404 for anyone else). */
export interface ChatHistory {
  session_id: string;
  events: ChatHistoryEvent[];
}

export function fetchChatHistory(api: ApiClient, sessionId: string, signal?: AbortSignal): Promise<ChatHistory> {
  return api.request("GET", `/api/chat/${encodeURIComponent(sessionId)}`, { signal });
}

export interface PaymentFormAction {
  type: "show_payment_form";
  orderId: string;
  amountDue: string;
  currency: string;
  tier: string;
  date: string;
  expiresAt: string | null;
}

export interface EscalateAction {
  type: "escalate";
  reason: string;
}

export type KnownAction = PaymentFormAction | EscalateAction;

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function validAmount(amount: string): boolean {
  try {
    toMinorUnits(amount);
    return true;
  } catch {
    return false;
  }
}

/** The actions the site knows how to show; unknown types and malformed data are dropped. */
export function knownActions(actions: ChatAction[] | undefined): KnownAction[] {
  const known: KnownAction[] = [];
  for (const action of actions ?? []) {
    const data = (action.data ?? {}) as Record<string, unknown>;
    if (action.type === "show_payment_form") {
      const orderId = str(data.order_id);
      const amountDue = str(data.amount_due);
      const tier = str(data.tier);
      const date = str(data.date);
      if (!orderId || !amountDue || !tier || !date || !validAmount(amountDue)) continue;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) continue;
      known.push({
        type: "show_payment_form",
        orderId,
        amountDue,
        currency: str(data.currency) ?? "USD",
        tier,
        date,
        expiresAt: str(data.expires_at),
      });
    } else if (action.type === "escalate") {
      known.push({ type: "escalate", reason: str(data.reason) ?? "" });
    }
  }
  return known;
}
