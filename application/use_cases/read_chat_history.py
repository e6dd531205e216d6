"""A conversation's history, for its owner."""

from __future__ import annotations

from dataclasses import dataclass

from application.conversation.answers import ChatHistory
from application.ports.conversation_memory import ConversationMemory
from application.use_cases.take_chat_turn import unknown_session
from domain.conversations import SessionId
from domain.ids import CustomerId


@dataclass(frozen=True, slots=True)
class ReadChatHistory:
    """Every stored exchange of one of the customer's conversations, oldest first. Memory is
    kept per customer, so another customer's conversation is simply not found."""

    memory: ConversationMemory
    max_events: int = 100

    def __call__(self, customer_id: CustomerId, session_id: str) -> ChatHistory:
        session = SessionId.parse(session_id).value
        events = self.memory.list_events(str(customer_id), session, self.max_events)
        if not events:
            raise unknown_session()
        return ChatHistory(session, tuple(events))
