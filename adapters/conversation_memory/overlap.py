"""Word-overlap search: the local stand-in for AgentCore Memory's semantic search.

A record's score is the share of the query's words it contains (1.0: all of them), words
compared after Unicode normalisation and case folding, punctuation ignored. Records are ranked
by score, ties newest first; every record of the namespace is a candidate, as with a semantic
search, which also ranks the poor matches after the good ones. A query without words scores
every record 0, so the ranking is then simply newest first.

It knows no synonyms: "cheap" does not find "low price". The service's semantic search would;
code that depends on that must be tested against the service.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from application.ports.conversation_memory import MemoryRecord

_WORD = re.compile(r"\w+")
FULL_MATCH = 1.0  # the score `put_long_term` reports: a record matches its own text fully


@dataclass(frozen=True, slots=True)
class StoredFact:
    """A long-term record as an adapter keeps it."""

    id: str
    namespace: str
    text: str
    at: datetime


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def score(query_words: frozenset[str], text: str) -> float:
    if not query_words:
        return 0.0
    return len(query_words & words(text)) / len(query_words)


def rank(facts: Iterable[StoredFact], query: str, top_k: int) -> list[MemoryRecord]:
    """The best `top_k` facts for `query`, best first; equal scores newest first, then by text
    so that the order never depends on storage."""
    wanted = words(query)
    scored = [(score(wanted, fact.text), fact) for fact in facts]
    scored.sort(key=lambda pair: pair[1].text)
    scored.sort(key=lambda pair: (pair[0], pair[1].at), reverse=True)
    return [
        MemoryRecord(fact.id, fact.namespace, fact.text, value) for value, fact in scored[:top_k]
    ]
