"""What a customer's message asks for, read from its words (the rule-based reasoner's intents).

A message has at most one goal, the first that matches in the order below: a card number in
chat and anything for a person come before everything else, questions ("how much", "which is
cheapest") before actions, so that "how much would it cost to book Non-stop?" is a question.
A message that only adds details ("TKT-12345678", "Non-stop", "Dec 5") has no goal of its own:
the conversation's earlier goal carries on.
"""

from __future__ import annotations

import re
from enum import Enum

from adapters.reasoning.phrases import tiers
from domain.conversations import REDACTED_CARD, escalation_reason, redact_card_numbers


class Goal(Enum):
    CARD = "card"  # typed a card number: refused, never repeated
    ESCALATE = "escalate"  # refund, complaint, legal, a person
    UPDATE_ACCOUNT = "update_account"
    CANCEL = "cancel"
    CHEAPEST = "cheapest"
    PRICE = "price"  # prices and availability: shows, never holds
    TIER_INFO = "tier_info"
    ELIGIBILITY = "eligibility"
    ORDER_STATUS = "order_status"
    PAY = "pay"
    LIST_TICKETS = "list_tickets"
    TICKET_INFO = "ticket_info"
    ACCOUNT = "account"
    CONFIRM = "confirm"  # "yes", "book it": accepts what was proposed
    BOOK = "book"  # hold an upgrade (a quote) once the tier and date are known
    DECLINE = "decline"
    THANKS = "thanks"
    HELP = "help"
    GREET = "greet"


# Goals a later message that only adds details continues.
TASKS = frozenset(
    {
        Goal.UPDATE_ACCOUNT,
        Goal.CHEAPEST,
        Goal.PRICE,
        Goal.TIER_INFO,
        Goal.ELIGIBILITY,
        Goal.ORDER_STATUS,
        Goal.PAY,
        Goal.LIST_TICKETS,
        Goal.TICKET_INFO,
        Goal.BOOK,
    }
)


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_BOOKING = _words(
    r"\bbook\w*|\breserv\w*|\bhold\b|\bi'?ll take\b|\bi will take\b|\bgo (?:with|for)\b"
    r"|\bi'?d like\b|\bi would like\b|\bi want\b|\bi wanna\b|\bsign me up\b|\bget me\b"
    r"|\bbuy\b|\bpurchase\b|\bupgrad\w*|\bswitch\b|\bchoose\b|\bpick\b|\bselect\b"
)
_BOOK_NOW = _words(r"\b(?:book|reserve|hold)\b")
_RULES: tuple[tuple[Goal, re.Pattern[str]], ...] = (
    (
        Goal.UPDATE_ACCOUNT,
        _words(
            r"\b(?:change|update|correct|fix|set|edit)\b.{0,20}\b(?:e-?mail|(?:first|last|sur)\s*name)\b"
            r"|\bmy new e-?mail\b|\b(?:first|last)\s*name (?:is|should be)\b"
        ),
    ),
    (
        Goal.CANCEL,
        _words(r"\bcancel\w*|\bnever\s?mind\b|\bforget (?:it|that|about it)\b|\bstart over\b"),
    ),
    (
        Goal.CHEAPEST,
        _words(
            r"\bcheap\w*|\bleast expensive\b|\blowest (?:price|cost)|\bbest (?:price|deal|value)"
            r"|\bsave money\b|\baffordabl\w*|\bless expensive\b|\bon a budget\b"
        ),
    ),
    (
        Goal.PRICE,
        _words(
            r"\bhow much\b|\bprice\w*|\bcosts?\b|\bcosting\b|\bfees?\b|\brates?\b"
            r"|\boptions?\b|\bavailab\w*|\bwhat (?:tiers|upgrades)\b|\bwhich (?:tiers|upgrades)\b"
        ),
    ),
    (
        Goal.TIER_INFO,
        _words(
            r"\binclud\w*|\bwhat do (?:i|you|we) get\b|\bcomes? with\b|\bfeatures?\b|\bperks?\b"
            r"|\bbenefits?\b|\bdifferences?\b|\bcompare\b|\bwhat(?:'s| is) in\b"
        ),
    ),
    (
        Goal.ELIGIBILITY,
        _words(
            r"\beligib\w*|\bqualif\w*|\bupgrad(?:e)?able\b|\bpossible to upgrade\b"
            r"|\bcan (?:i|it|this|we|my ticket|this ticket) (?:be )?upgrad\w*"
            r"|\ballowed to upgrade\b"
        ),
    ),
    (
        Goal.ORDER_STATUS,
        _words(
            r"\bstatus\b(?! of (?:my |the |this )?ticket)|\bmy order\b|\b(?:go|gone|went) through\b"
            r"|\bconfirmation code\b|\bis (?:it|my upgrade|my order) confirmed\b|\bdid it work\b"
        ),
    ),
    (Goal.PAY, _words(r"\bpay\w*|\bcheck\s?out\b")),
    (
        Goal.LIST_TICKETS,
        _words(
            r"\bmy tickets\b|\b(?:which|what) tickets\b|\btickets do i have\b"
            r"|\b(?:list|show)\b.{0,12}\btickets\b|\bforg[eo]t\w* my ticket\b"
            r"|\bdon'?t (?:know|have|remember) my ticket\b"
        ),
    ),
    (
        Goal.TICKET_INFO,
        _words(
            r"\b(?:about|details?|info\w*|look\s?up|check)\b.{0,12}\bticket\b"
            r"|\bwhat(?:'s| is) my ticket\b|\bstatus of (?:my |the |this )?ticket\b"
        ),
    ),
    (
        Goal.ACCOUNT,
        _words(r"\bwho am i\b|\bmy (?:account|profile|details|e-?mail(?: address)?)\b"),
    ),
    (
        Goal.CONFIRM,
        _words(
            r"^\W*(?:yes|yep|yeah|yup|sure|confirm\w*|absolutely|definitely)\b"
            r"|\b(?:book|hold|reserve) (?:it|that)\b|\bgo ahead\b|\bplease do\b|\bdo it\b"
            r"|\blet'?s do it\b|\bsounds good\b"
        ),
    ),
    (Goal.BOOK, _BOOKING),
    (Goal.DECLINE, _words(r"^\W*(?:no|nope|nah|not now)\W*(?:thanks?|thank you)?\W*$")),
    (
        Goal.THANKS,
        _words(r"\bthanks?\b|\bthank you\b|\bthx\b|\bcheers\b|\bbye\b|\bthat'?s all\b"),
    ),
    (
        Goal.HELP,
        _words(
            r"\bhelp\b|\bwhat can you do\b|\bhow does (?:this|it) work\b|\bwho are you\b"
            r"|\bwhat do you do\b"
        ),
    ),
    (
        Goal.GREET,
        _words(r"^\W*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening))\b"),
    ),
)
_ABOUT = _words(r"\bwhat\b|\btell me\b|\bexplain\b|\bdescribe\b|\bmore about\b")
# "OK", "great": a yes after a question, thanks otherwise.
_SOFT_YES = _words(r"^\W*(?:ok|okay|great|perfect|fine|alright|all right|cool)\W*$")
_GREETING = _words(r"^\W*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening))")


def goal_of(text: str, proposal_pending: bool = False) -> Goal | None:
    """The goal of one message, or None when it only adds details. `text` is the message with
    its references blanked out (see `phrases.without_references`); card numbers are left in."""
    if REDACTED_CARD in text or redact_card_numbers(text)[1]:
        return Goal.CARD
    if escalation_reason(text) is not None:
        return Goal.ESCALATE
    for goal, pattern in _RULES:
        if pattern.search(text):
            return _question_or_action(goal, text)
    if _SOFT_YES.search(text):
        return Goal.CONFIRM if proposal_pending else Goal.THANKS
    if tiers(text) and _ABOUT.search(text):  # "what is Double Fun?", "tell me about VIP"
        return Goal.TIER_INFO
    return None


def _question_or_action(goal: Goal, text: str) -> Goal:
    # "Book it at that price" is an action; "how much would booking it cost?" a question.
    if goal is Goal.PRICE and "?" not in text and _BOOK_NOW.search(text):
        return Goal.BOOK
    return goal


def greets(text: str) -> bool:
    """The message opens with a greeting (answered with one, whatever else it asks)."""
    return _GREETING.search(text) is not None
