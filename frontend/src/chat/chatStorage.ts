/**
 * Only the conversation's id is kept in sessionStorage, never a message: the history comes back
 * from the server (which has already removed any card number) when the panel mounts again.
 */

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
  } catch {
    // nothing to do
  }
}
