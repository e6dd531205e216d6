/**
 * "Ask our assistant": a collapsible chat with the Ticket Agent (POST /api/chat). The
 * conversation survives a reload through its id (sessionStorage); the words come back from
 * GET /api/chat/{id}, already stripped of card numbers by the server, and the latest actions
 * from sessionStorage (see chatStorage.ts). What the customer types is
 * kept in memory only, with anything card-like hidden on screen. The agent's actions become
 * buttons (pay for the upgrade it held) or a note (a person will follow up).
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError, networkError } from "../api/errors";
import type { ChatReply } from "../api/types";
import { useServices } from "../app/services";
import { longDate } from "../dates";
import { formatMoney } from "../money";
import { ProblemMessage } from "../components/ProblemMessage";
import { navigate, paths } from "../routing";
import { tierName } from "../words";
import { fetchChatHistory, knownActions, type KnownAction, type PaymentFormAction } from "./chatApi";
import {
  clearChatSession,
  isSessionId,
  loadChatActions,
  loadChatSession,
  saveChatActions,
  saveChatSession,
} from "./chatStorage";
import { hideCardNumbers } from "./redact";
import "./chat.css";

interface Turn {
  key: string;
  role: "user" | "assistant";
  text: string;
  actions: KnownAction[];
}

type Failure =
  | { kind: "send"; error: ApiError; message: string }
  | { kind: "history"; error: ApiError; sessionId: string };

const ESCALATION_NOTE = "A person from our team will follow up with you about this.";

let turnCounter = 0;
function nextKey(): string {
  turnCounter += 1;
  return `turn-${turnCounter}`;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : networkError();
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

export function paymentLabel(action: PaymentFormAction): string {
  return `Pay ${formatMoney(action.amountDue, action.currency)} for ${tierName(action.tier)} on ${longDate(action.date)}`;
}

export function ChatPanel() {
  const { api, auth } = useServices();
  const id = useId();
  const bodyId = `${id}-body`;
  const inputId = `${id}-input`;
  const [open, setOpen] = useState(false);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [nextSteps, setNextSteps] = useState<string[]>([]);
  const [draft, setDraft] = useState("");
  const [sending, setSending] = useState(false);
  const [loadingHistory, setLoadingHistory] = useState(() => loadChatSession() !== null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const sessionRef = useRef<string | null>(loadChatSession());
  const inputRef = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // Signing out forgets the conversation: the next customer in this tab starts afresh.
  useEffect(
    () =>
      auth.subscribe((session) => {
        if (session === null) {
          clearChatSession();
          sessionRef.current = null;
        }
      }),
    [auth],
  );

  const loadHistory = useCallback(
    async (sessionId: string, signal?: AbortSignal) => {
      setLoadingHistory(true);
      setFailure(null);
      try {
        const history = await fetchChatHistory(api, sessionId, signal);
        const restored: Turn[] = [];
        for (const event of history.events ?? []) {
          for (const message of event.messages ?? []) {
            if ((message.role === "user" || message.role === "assistant") && typeof message.text === "string") {
              restored.push({ key: nextKey(), role: message.role, text: message.text, actions: [] });
            }
          }
        }
        const saved = loadChatActions(sessionId);
        const assistantTurns = restored.filter((turn) => turn.role === "assistant");
        const owner = saved ? assistantTurns[saved.assistantTurn] : undefined;
        if (saved && owner) owner.actions = knownActions(saved.actions);
        setTurns(restored);
      } catch (error) {
        if (isAbort(error)) return;
        const problem = asApiError(error);
        if (problem.status === 404) {
          // Not ours (another customer's, or gone): start a new conversation.
          clearChatSession();
          sessionRef.current = null;
          setTurns([]);
        } else {
          setFailure({ kind: "history", error: problem, sessionId });
        }
      } finally {
        if (!signal?.aborted) setLoadingHistory(false);
      }
    },
    [api],
  );

  useEffect(() => {
    const sessionId = sessionRef.current;
    if (!sessionId) return;
    const controller = new AbortController();
    void loadHistory(sessionId, controller.signal);
    return () => controller.abort();
  }, [loadHistory]);

  function accept(reply: ChatReply) {
    if (isSessionId(reply.session_id)) {
      sessionRef.current = reply.session_id;
      saveChatSession(reply.session_id);
    }
    const actions = knownActions(reply.actions);
    if (actions.length > 0 && sessionRef.current) {
      // Turns are sent one at a time, so this render's turns hold every earlier reply.
      const assistantTurn = turns.filter((turn) => turn.role === "assistant").length;
      saveChatActions(sessionRef.current, { assistantTurn, actions: reply.actions ?? [] });
    }
    setTurns((current) => [
      ...current,
      { key: nextKey(), role: "assistant", text: String(reply.response_text ?? ""), actions },
    ]);
    setNextSteps(Array.isArray(reply.next_steps) ? reply.next_steps.filter((s) => typeof s === "string") : []);
    const escalated = actions.some((action) => action.type === "escalate");
    setAnnouncement(`Assistant: ${reply.response_text}${escalated ? ` ${ESCALATION_NOTE}` : ""}`);
  }

  async function send(message: string) {
    setSending(true);
    setFailure(null);
    try {
      let reply: ChatReply;
      try {
        reply = await api.chat(message, sessionRef.current ?? undefined);
      } catch (error) {
        // The server no longer knows this conversation: start a new one with the same question.
        if (!(error instanceof ApiError && error.status === 404 && sessionRef.current)) throw error;
        clearChatSession();
        sessionRef.current = null;
        reply = await api.chat(message);
      }
      if (mounted.current) accept(reply);
    } catch (error) {
      if (mounted.current) setFailure({ kind: "send", error: asApiError(error), message });
    } finally {
      if (mounted.current) setSending(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // A card number typed here never leaves the browser: payments happen on the payment page.
    const message = hideCardNumbers(draft.trim());
    if (!message || sending) return;
    setDraft("");
    setTurns((current) => [...current, { key: nextKey(), role: "user", text: message, actions: [] }]);
    inputRef.current?.focus();
    void send(message);
  }

  function retry() {
    if (!failure) return;
    if (failure.kind === "send") void send(failure.message);
    else void loadHistory(failure.sessionId);
  }

  const latestAssistant = [...turns].reverse().find((turn) => turn.role === "assistant");

  return (
    <aside className="chat-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="chat-title">
        <button
          type="button"
          className="chat-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((value) => !value)}
        >
          Ask our assistant
        </button>
      </h2>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <div id={bodyId} className="chat-body" hidden={!open}>
        {loadingHistory && <p role="status">Loading your conversation…</p>}
        {turns.length === 0 && !loadingHistory && (
          <p className="chat-hint">Ask about your tickets, upgrade prices and dates, or an order.</p>
        )}
        {turns.length > 0 && (
          <ol className="chat-messages" aria-label="Conversation">
            {turns.map((turn) => (
              <li key={turn.key} className={`chat-message chat-${turn.role}`}>
                <span className="chat-role">{turn.role === "user" ? "You" : "Assistant"}:</span>{" "}
                <span className="chat-text">{turn.text}</span>
                {turn.actions.length > 0 && <ChatActions actions={turn.actions} />}
              </li>
            ))}
          </ol>
        )}
        {nextSteps.length > 0 && latestAssistant && (
          <section className="chat-next-steps" aria-labelledby={`${id}-next`}>
            <h3 id={`${id}-next`}>Next steps</h3>
            <ul>
              {nextSteps.map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ul>
          </section>
        )}
        {sending && <p role="status">The assistant is answering…</p>}
        {failure && <ProblemMessage error={failure.error} onRetry={retry} retrying={sending || loadingHistory} />}
        <form className="chat-form" onSubmit={onSubmit}>
          <label htmlFor={inputId}>Your question</label>
          <div className="chat-input-row">
            <input
              ref={inputRef}
              id={inputId}
              type="text"
              autoComplete="off"
              maxLength={2000}
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
            />
            <button type="submit" disabled={sending}>
              {sending ? "Sending…" : "Send"}
            </button>
          </div>
          <p className="chat-hint">Never type card details here; you pay on the secure payment page.</p>
        </form>
      </div>
    </aside>
  );
}

function ChatActions({ actions }: { actions: KnownAction[] }) {
  const escalated = actions.some((action) => action.type === "escalate");
  return (
    <div className="chat-actions">
      {actions.map((action, i) =>
        action.type === "show_payment_form" ? (
          <button key={i} type="button" onClick={() => navigate(paths.pay(action.orderId))}>
            {paymentLabel(action)}
          </button>
        ) : null,
      )}
      {escalated && <p className="chat-escalated">{ESCALATION_NOTE}</p>}
    </div>
  );
}
