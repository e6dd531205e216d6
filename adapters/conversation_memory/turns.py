"""Turns out of events: a turn starts at each USER message (AgentCore's `get_last_k_turns`
rule), whatever event the messages were stored in."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from application.ports.conversation_memory import MemoryEvent, Role, Utterance

# Events read at first for the last k turns: one event is usually one exchange, so 4k of them
# nearly always hold k USER messages; a session that needs more is read again, four times wider.
_FIRST_WINDOW_PER_TURN = 4


def split_turns(events: Iterable[MemoryEvent]) -> list[list[Utterance]]:
    """The events' messages, in order, cut before each USER message. Messages before the first
    USER message (an assistant's greeting) form a turn of their own."""
    turns: list[list[Utterance]] = []
    for event in events:
        for message in event.messages:
            if not turns or (message.role is Role.USER and turns[-1]):
                turns.append([])
            turns[-1].append(message)
    return turns


def last_turns(newest: Callable[[int], list[MemoryEvent]], k: int) -> list[list[Utterance]]:
    """The last `k` turns, oldest first. `newest(n)` gives the session's newest `n` events,
    oldest first; the window grows until it holds k USER messages (then the k-th last turn
    starts inside it) or the whole session."""
    window = _FIRST_WINDOW_PER_TURN * k
    while True:
        events = newest(window)
        users = sum(m.role is Role.USER for event in events for m in event.messages)
        if users >= k or len(events) < window:
            return split_turns(events)[-k:]
        window *= 4
