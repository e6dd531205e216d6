"""One turn of a conversation with the Ticket Agent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from application.conversation.answers import (
    AgentAction,
    AgentResponse,
    TurnTrace,
    next_steps,
    payment_actions,
    remembered_facts,
)
from application.conversation.tool_loop import run_tool_loop
from application.ports.clock import Clock
from application.ports.conversation_memory import (
    ConversationMemory,
    MemoryRecord,
    Role,
    Utterance,
)
from application.ports.data_agent import DataAgentTools
from application.ports.ids import IdGenerator
from application.ports.reasoning import Message, Reasoner, Reply, StopReason, ToolSpec
from domain.conversations import SessionId, escalation_reason, redact_card_numbers
from domain.errors import InvalidInputError, NotFoundError
from domain.ids import CustomerId

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
DELEGATING_TOOLS = frozenset({"data_request"})
HISTORY_TURNS = 10
SYSTEM = (
    "You are the Ticket Agent of {park}. You help a customer upgrade a park ticket to "
    "Standard, Non-stop or Double Fun for a date from a priced calendar. Use the tools to read "
    "the customer's tickets, eligibility, prices and orders, and to hold an upgrade (a quote) "
    "once the customer has chosen a tier and a date. Never invent tickets, prices or dates: "
    "only what the tools return. Never ask for card details: once a quote is made the site "
    "shows its secure payment form. Refunds, complaints, legal questions and requests for a "
    "person go to our team. Answer in short plain sentences.{facts}"
)
CARD_WARNING = (
    "For your safety I removed the card number from your message: I never take card details "
    "in chat. Please pay in the secure payment form."
)
ESCALATION_TEXT = (
    "I have passed this to our customer team: a person will look at it and email you. "
    "Is there anything else I can help with meanwhile?"
)


def customer_namespace(customer_id: CustomerId) -> str:
    """Where a customer's long-term facts live."""
    return f"customers/{customer_id}"


@dataclass(frozen=True, slots=True)
class ChatCommand:
    """A customer's message; `session_id` None starts a new conversation. `bearer_token` is the
    customer's own token, passed to the Data Agent so that it acts for them and no one else."""

    customer_id: CustomerId
    bearer_token: str
    message: str
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class TakeChatTurn:
    """Answer one message: recall the conversation and what we know of the customer, let the
    reasoner call the Data Agent's tools (a bounded number of steps), answer in plain words,
    and remember the turn. Card numbers typed in chat are removed before anything is stored or
    reasoned about; refunds, complaints, legal matters and requests for a person are escalated.

    Raises `InvalidInputError` (empty or too long a message, a malformed session id),
    `NotFoundError` (a session id that is not one of the customer's conversations) and
    `ReasoningUnavailableError` / `ServiceUnavailableError` when the reasoner or the Data
    Agent cannot answer at all (never an invented answer instead).
    """

    memory: ConversationMemory
    reasoner: Reasoner
    tools: DataAgentTools
    clock: Clock
    ids: IdGenerator
    park_name: str
    max_steps: int = 6

    def __call__(self, command: ChatCommand) -> AgentResponse:
        actor = str(command.customer_id)
        text, cards = redact_card_numbers(_clean(command.message))
        session, history = self._session(actor, command.session_id)
        new = command.session_id is None
        facts = self.memory.search_long_term(customer_namespace(command.customer_id), text, 5)
        escalation = escalation_reason(text)
        trace = TurnTrace()
        if escalation is not None:
            reply = Reply(ESCALATION_TEXT, (), StopReason.END_TURN, confidence=1.0)
            log.info("conversation escalated", extra={"session": session, "reason": escalation})
        else:
            system = SYSTEM.format(park=self.park_name, facts=_facts_text(facts))
            reply = self._reason(system, [*history, Message("user", text)], command, trace)
        answer = reply.text.strip() or "Sorry, I have no answer to that. Could you rephrase it?"
        if cards:  # whatever the reasoner said: the customer must know it was not kept
            answer = f"{CARD_WARNING} {answer}"
        if new and facts and escalation is None:
            answer = f"Welcome back! {answer}"
        # A fallback answer (the model failed) is flagged for a person too, as the reasoner's
        # own escalations are.
        escalated = escalation is not None or reply.escalate or reply.fallback
        actions = payment_actions(trace)
        if escalated:
            reason = escalation or ("assistant_fallback" if reply.fallback else "assistant")
            actions.append(AgentAction("escalate", {"reason": reason}))
        self._remember(command.customer_id, session, text, answer, trace)
        return AgentResponse(
            session_id=session,
            response_text=answer,
            actions=tuple(actions),
            next_steps=tuple(next_steps(actions, trace, escalated, self.clock.now())),
            confidence_score=round(_confidence(reply, trace, cards), 2),
            escalated=escalated,
        )

    # -- the steps -------------------------------------------------------------------------

    def _session(self, actor: str, given: str | None) -> tuple[str, list[Message]]:
        """The conversation's id and its recent turns; a new one when none is given."""
        if given is None:
            return SessionId.from_hex(self.ids.new_id().hex).value, []
        session = SessionId.parse(given).value
        history = self._history(actor, session)
        if not history:
            raise unknown_session()  # ids are only ever handed out by us
        return session, history

    def _history(self, actor: str, session: str) -> list[Message]:
        messages = []
        for turn in self.memory.last_turns(actor, session, HISTORY_TURNS):
            for utterance in turn:
                if utterance.role is Role.USER:
                    messages.append(Message("user", utterance.text))
                elif utterance.role is Role.ASSISTANT:
                    messages.append(Message("assistant", utterance.text))
        return messages

    def _reason(
        self, system: str, messages: list[Message], command: ChatCommand, trace: TurnTrace
    ) -> Reply:
        # The Ticket Agent reasons itself: the Data Agent's own natural-language tool would hide
        # the structured results that the actions (the payment form) are read from.
        tools: Sequence[ToolSpec] = [
            tool
            for tool in self.tools.list_tools(command.bearer_token)
            if tool.name not in DELEGATING_TOOLS
        ]
        outcome = run_tool_loop(
            self.reasoner,
            system,
            messages,
            tools,
            lambda call: self.tools.call(call.id, call.name, call.arguments, command.bearer_token),
            self.max_steps,
        )
        trace.calls.extend(outcome.calls)
        if outcome.reply is not None:
            return outcome.reply
        log.warning("conversation turn used every step", extra={"steps": self.max_steps})
        return Reply(
            "Sorry, that took me too many steps. Could you ask in a simpler way?",
            (),
            StopReason.OTHER,
            confidence=0.2,
        )

    def _remember(
        self, customer_id: CustomerId, session: str, text: str, answer: str, trace: TurnTrace
    ) -> None:
        now = self.clock.now()
        turn = [Utterance(Role.USER, text), Utterance(Role.ASSISTANT, answer)]
        self.memory.add_turns(str(customer_id), session, turn, now)
        for fact in remembered_facts(trace):
            self.memory.put_long_term(customer_namespace(customer_id), fact, now)


def _clean(message: str) -> str:
    text = message.strip()
    if not text:
        raise InvalidInputError(
            "empty_message", "The message is empty.", "Type a question or a ticket number."
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInputError(
            "message_too_long",
            f"A message is at most {MAX_MESSAGE_CHARS} characters.",
            "Split it into shorter messages.",
        )
    if "\x00" in text:  # no memory keeps it (PostgreSQL cannot): refused before any tool runs
        raise InvalidInputError(
            "invalid_message",
            "The message contains a NUL character.",
            "Remove it and send the message again.",
        )
    return text


def _facts_text(facts: Sequence[MemoryRecord]) -> str:
    lines = [fact.text for fact in facts]
    return ("\nWhat we know about this customer: " + " ".join(lines)) if lines else ""


def _confidence(reply: Reply, trace: TurnTrace, cards: int) -> float:
    """The reasoner's own confidence, lowered when tools refused, when the fallback answered,
    or when the customer typed a card number (something went off the expected path)."""
    score = reply.confidence
    if trace.errors():
        score *= 0.8
    if reply.fallback:
        score *= 0.5
    if cards:
        score *= 0.9
    return max(0.0, min(1.0, score))


def unknown_session() -> NotFoundError:
    return NotFoundError(
        "conversation_not_found",
        "There is no such conversation.",
        "Start a new conversation by leaving out the session id.",
    )
