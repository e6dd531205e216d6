"""Bearer-token authentication for the customer's resources, including the WebSocket."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, WebSocketException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)

from application.errors import AuthenticationError
from application.ports.identity import Principal, TokenVerifier

CLOSE_UNAUTHORIZED = 4401  # the WebSocket close code mirroring HTTP 401


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        # Browsers cannot set headers on a WebSocket; the token comes as a query parameter.
        return connection.query_params.get("access_token") or None
    return None


def _unauthorized(connection: ASGIConnection[Any, Any, Any, Any], message: str) -> Exception:
    """A 401 for HTTP; for a WebSocket, a 4401 close (Litestar would otherwise close it with
    4500, "Internal Server Error", which tells a client to retry rather than sign in again)."""
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        return WebSocketException(detail=message, code=CLOSE_UNAUTHORIZED)
    return NotAuthorizedException(message)


def bearer_authentication(verifier: TokenVerifier) -> type[AbstractAuthenticationMiddleware]:
    """Middleware that puts the verified `Principal` in `request.user`, or answers 401.

    It guards the router of customer resources; health, sign-in, the schema, the JWKS and
    metrics stay outside it. (A class closing over the verifier, because Litestar deep-copies
    middleware arguments and a verifier holds a lock.)
    """

    class BearerTokenAuthentication(AbstractAuthenticationMiddleware):
        async def authenticate_request(
            self, connection: ASGIConnection[Any, Any, Any, Any]
        ) -> AuthenticationResult:
            token = bearer_token(connection)
            if token is None:
                raise _unauthorized(
                    connection, "An access token is required: send 'Authorization: Bearer <token>'."
                )
            try:
                principal: Principal = verifier.verify(token)
            except AuthenticationError as error:
                raise _unauthorized(connection, error.message) from None
            # The token itself rides along: the chat forwards it to the Data Agent, which
            # checks it again and acts for this customer only.
            return AuthenticationResult(user=principal, auth=token)

    return BearerTokenAuthentication
