/**
 * Only the conversation's id is kept in sessionStorage, never a message: the history comes back
 * from the server (which has already removed any card number) when the panel mounts again. The
 * server's history holds words only, so the latest reply's actions (the button that pays for the
 * upgrade the agent held: an order id, an amount, a tier and a date) are kept beside the id,
 * with the number of the assistant turn they belong to, to put that button back after a reload.
 */
import type { ChatAction } from "../api/types";

export const CHAT_SESSION_KEY = "tap.chat.session";

const SESSION_ID = /^sess-[0-9a-f]{32}$/;

export function isSessionId(value: unknown): value is string {
  return typeof value === "string" && SESSION_ID.test(value);
}

export function loadChatSession(): string | null {
  try {
    const value = sessionStorage.getItem(CHAT_SESSION_KEY);
    return isSessionId(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveChatSession(sessionId: string): void {
  if (!isSessionId(sessionId)) return; // anything else is not ours to keep
  try {
    sessionStorage.setItem(CHAT_SESSION_KEY, sessionId);
  } catch {
    // storage full or blocked: the conversation just will not survive a reload
  }
}

export function clearChatSession(): void {
  try {
    sessionStorage.removeItem(CHAT_SESSION_KEY);
    sessionStorage.removeItem(CHAT_ACTIONS_KEY);
  } catch {
    // nothing to do
  }
}

export const CHAT_ACTIONS_KEY = "tap.chat.actions";

export interface SavedActions {
  /** Which assistant turn of the conversation they came with (0 is the first). */
  assistantTurn: number;
  /** As the API sent them; checked again (knownActions) when they are put back. */
  actions: ChatAction[];
}

export function saveChatActions(sessionId: string, saved: SavedActions): void {
  try {
    sessionStorage.setItem(CHAT_ACTIONS_KEY, JSON.stringify({ sessionId, ...saved }));
  } catch {
    // storage full or blocked: the button just will not survive a reload
  }
}

export function loadChatActions(sessionId: string): SavedActions | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(CHAT_ACTIONS_KEY) ?? "null") as unknown;
    if (!parsed || typeof parsed !== "object") return null;
    const { sessionId: owner, assistantTurn, actions } = parsed as Record<string, unknown>;
    if (owner !== sessionId || !Number.isInteger(assistantTurn) || !Array.isArray(actions)) return null;
    return { assistantTurn: assistantTurn as number, actions: actions as ChatAction[] };
  } catch {
    return null;
  }
}
