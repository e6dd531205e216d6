"""Who a Data Agent request acts for: the customer of its bearer token, verified like the API's.

The MCP SDK's bearer-auth middleware guards the MCP endpoint: a request with no token, or one
our verifier refuses, gets HTTP 401 and reaches no tool. A verified token's principal then sits
in the SDK's request context, where the tools read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from application.errors import AuthenticationError
from application.ports.identity import Principal, TokenVerifier
from application.use_cases.customers import IdentifyCustomer
from domain.ids import CustomerId

MAX_REMEMBERED_CUSTOMERS = 100_000

# The principal the natural-language tool's inner calls act for (see `acting_for`).
_acting_for: ContextVar[Principal | None] = ContextVar("data_agent_acting_for", default=None)


def auth_settings(issuer: str) -> AuthSettings:
    """A resource server that trusts our issuer's tokens; no OAuth endpoints of its own."""
    return AuthSettings(issuer_url=issuer, resource_server_url=None)  # type: ignore[arg-type]


class BearerTokens:
    """The SDK's token verifier, backed by ours (signature, issuer, client, use and expiry,
    against our clock). Expiry is ours to judge, so the SDK is given none to judge again."""

    def __init__(self, verifier: Callable[[], TokenVerifier]) -> None:
        self._verifier = verifier

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            principal = self._verifier().verify(token)
        except AuthenticationError:
            return None
        return AccessToken(
            token=token,
            client_id=principal.client_id or "",
            scopes=[],
            subject=principal.subject,
            claims={"email": principal.email, "token_use": principal.token_use},
        )


def current_principal() -> Principal | None:
    """The verified principal of the request being handled, if it came through the guard (or
    the one an enclosing `acting_for` names)."""
    bound = _acting_for.get()
    if bound is not None:
        return bound
    access = get_access_token()
    if access is None or access.subject is None:
        return None
    claims = access.claims or {}
    return Principal(
        subject=access.subject,
        email=claims.get("email"),
        token_use=str(claims.get("token_use", "")),
        client_id=access.client_id or None,
    )


@contextmanager
def acting_for(principal: Principal) -> Iterator[None]:
    """Tool calls made within act for `principal`. The natural-language tool makes its inner
    calls this way, naming the principal of its own request, so that they act for that
    customer by construction rather than by whatever context reaches them across threads."""
    token = _acting_for.set(principal)
    try:
        yield
    finally:
        _acting_for.reset(token)


def unauthorized() -> AuthenticationError:
    """The refusal of a tool reached without a verified principal (only possible when the
    server is run without its bearer guard)."""
    return AuthenticationError(
        "unauthorized",
        "This tool acts for a customer, and the request named none.",
        "Send the customer's token as 'Authorization: Bearer <token>'.",
    )


class KnownCustomers:
    """The customer a principal speaks for, remembered per subject: a subject's customer never
    changes (customers are not deleted), and finding it costs a transaction otherwise."""

    def __init__(self, identify: Callable[[], IdentifyCustomer]) -> None:
        self._identify = identify
        self._known: dict[str, CustomerId] = {}
        self._lock = Lock()

    def __call__(self, principal: Principal) -> CustomerId:
        with self._lock:
            known = self._known.get(principal.subject)
        if known is not None:
            return known
        customer_id = self._identify()(principal)
        with self._lock:
            if len(self._known) >= MAX_REMEMBERED_CUSTOMERS:
                self._known.clear()
            self._known[principal.subject] = customer_id
        return customer_id
