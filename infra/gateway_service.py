"""The dummy payment gateway as an HTTP service (`tap gateway`): Stripe's shape, no money.

It serves a `DummyPaymentGateway` so the app can be run against a gateway in another process,
over a real network, with its faults switched on and off at runtime: the retries, the circuit
breaker and reconciliation then meet real timeouts and refused connections, not mocks.

Routes (JSON in, JSON out):

- `POST /v1/charges` (header `Idempotency-Key`), body `{amount: "31.25", currency, card: {number,
  exp_month, exp_year, cvc, name}, description, metadata}` -> 200 charge `{id, amount, currency,
  brand, last4, idempotency_key, created_at, metadata, refunded}`.
- `POST /v1/refunds` (header `Idempotency-Key`), body `{charge_id}` -> 200 refund `{id,
  charge_id, amount, currency, idempotency_key, created_at}`.
- `GET /v1/charges/{id}` -> 200 charge or 404; `GET /v1/charges?idempotency_key=...` or
  `?created_since=<ISO 8601 with offset>` -> 200 `{"data": [charge, ...]}`, oldest first.
- `GET /admin/faults`, `PUT /admin/faults` (body: every `Faults` field, missing ones reset to
  no fault) -> 200 faults. They need `Authorization: Bearer <admin token>` (401 without it);
  when the service was started without an admin token they always answer 403, so faults can
  only be injected where someone chose to allow it.
- `GET /health` -> `{"status": "ok"}`.

Every error is one shape, Stripe's: `{"error": {"type", "code", "message", "guidance"}}`.

- 400 `invalid_request_error`: a malformed body, a missing `Idempotency-Key`, a bad query.
- 401 `authentication_error`, 403 `permission_error`: the admin routes.
- 402 `card_error`: a decline; `code` is the decline code (`card_declined`, ...).
- 404 `invalid_request_error`: no such charge (or route).
- 409 `idempotency_error` (`idempotency_key_reused`) or `invalid_request_error`
  (`charge_already_refunded`).
- 503 `api_error` with `Retry-After`: nothing was processed (an outage, an injected error, the
  processing-error test card); retrying with the same key is safe.
- 504 `api_error`: the timeout fault. The work WAS done; the answer is held back `hang_seconds`
  first, so a client's read timeout fires before it, as with a real gateway that stalls.

Card numbers and CVCs are never logged, echoed or put in an error: a card only reaches the
engine, and the engine keeps only a keyed digest of it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
import uvicorn
from litestar import Controller, Litestar, Request, Response, get, post, put
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody
from litestar.types import ExceptionHandlersMap

from adapters.clock import SystemClock
from adapters.payments.dummy import DummyPaymentGateway, Faults
from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    ServiceUnavailableError,
)
from application.ports.payments import Charge, ChargeRequest, Refund, RefundRequest
from domain.cards import PaymentCard
from domain.errors import DomainError, InvalidInputError, NotFoundError
from domain.money import Money

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
T = TypeVar("T")
IdempotencyKey = Annotated[
    str, HeaderParameter(name="Idempotency-Key", min_length=1, max_length=255)
]


# -- wire formats -------------------------------------------------------------------------------


class CardIn(msgspec.Struct, forbid_unknown_fields=True):
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str = ""


class ChargeIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: str
    currency: str
    card: CardIn
    description: str = ""
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class RefundIn(msgspec.Struct, forbid_unknown_fields=True):
    charge_id: str


class FaultsIn(msgspec.Struct, forbid_unknown_fields=True):
    # Bounded so a typo cannot park every worker thread for an hour.
    latency: Annotated[float, msgspec.Meta(ge=0, le=60)] = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    outage: bool = False


def charge_out(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.id,
        "amount": str(charge.amount),
        "currency": charge.amount.currency,
        "brand": charge.brand,
        "last4": charge.last4,
        "idempotency_key": charge.idempotency_key,
        "created_at": charge.created_at.isoformat(),
        "metadata": dict(charge.metadata),
        "refunded": str(charge.refunded) if charge.refunded is not None else None,
    }


def refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "charge_id": refund.charge_id,
        "amount": str(refund.amount),
        "currency": refund.amount.currency,
        "idempotency_key": refund.idempotency_key,
        "created_at": refund.created_at.isoformat(),
    }


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInputError(
            "invalid_created_since", "created_since must be an ISO 8601 time with an offset."
        )
    return moment


# -- the service --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GatewayService:
    """The engine and how the service treats it. The engine blocks (its latency fault sleeps),
    so every call runs in a worker thread, never on the event loop."""

    engine: DummyPaymentGateway
    hang_seconds: float
    admin_token: str | None

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        try:
            return await sync_to_thread(work, *args)
        except PaymentOutcomeUnknownError:
            # The engine did the work and "lost" the answer: stall like a real gateway would,
            # without holding a thread, so the client's read timeout is what it sees.
            await asyncio.sleep(self.hang_seconds)
            raise


class ChargeController(Controller):
    path = "/v1/charges"

    @post(status_code=200)
    async def create(
        self,
        service: NamedDependency[GatewayService],
        data: JSONBody[ChargeIn],
        idempotency_key: IdempotencyKey,
    ) -> dict[str, Any]:
        card = data.card
        request = ChargeRequest(
            idempotency_key=idempotency_key,
            amount=Money.of(data.amount, data.currency),
            card=PaymentCard(card.number, card.exp_month, card.exp_year, card.cvc, card.name),
            description=data.description,
            metadata=data.metadata,
        )
        charge = await service.call(service.engine.charge, request)
        log.info(
            "charge",
            extra={
                "charge_id": charge.id,
                "idempotency_key": idempotency_key,
                "last4": charge.last4,
            },
        )
        return charge_out(charge)

    @get("/{charge_id:str}")
    async def read(
        self, service: NamedDependency[GatewayService], charge_id: FromPath[str]
    ) -> dict[str, Any]:
        charge = await service.call(service.engine.get_charge, charge_id)
        if charge is None:
            raise NotFoundError("no_such_charge", f"No charge {charge_id}.")
        return charge_out(charge)

    @get()
    async def search(
        self,
        service: NamedDependency[GatewayService],
        idempotency_key: FromQuery[str | None] = None,
        created_since: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        if (idempotency_key is None) == (created_since is None):
            raise InvalidInputError(
                "invalid_query", "Give exactly one of idempotency_key and created_since."
            )
        if idempotency_key is not None:
            found = await service.call(service.engine.find_charge, idempotency_key)
            charges = [found] if found is not None else []
        else:
            since = _aware(created_since or "")
            charges = list(await service.call(service.engine.charges_since, since))
        return {"data": [charge_out(charge) for charge in charges]}


class RefundController(Controller):
    path = "/v1/refunds"

    @post(status_code=200)
    async def create(
        self,
        service: NamedDependency[GatewayService],
        data: JSONBody[RefundIn],
        idempotency_key: IdempotencyKey,
    ) -> dict[str, Any]:
        request = RefundRequest(idempotency_key=idempotency_key, charge_id=data.charge_id)
        refund = await service.call(service.engine.refund, request)
        log.info("refund", extra={"refund_id": refund.id, "charge_id": refund.charge_id})
        return refund_out(refund)


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    expected: str | None = connection.app.state.admin_token
    if not expected:
        raise PermissionDeniedException("The admin routes are off: no admin token is configured.")
    given = connection.headers.get("Authorization", "")
    # Constant-time, so the token cannot be guessed a character at a time from response times.
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise NotAuthorizedException("Send 'Authorization: Bearer <admin token>'.")


class AdminController(Controller):
    path = "/admin/faults"
    guards = [admin_only]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get(sync_to_thread=False)
    def read(self, service: NamedDependency[GatewayService]) -> dict[str, Any]:
        return asdict(service.engine.faults)

    @put(sync_to_thread=False)
    def replace(
        self, service: NamedDependency[GatewayService], data: JSONBody[FaultsIn]
    ) -> dict[str, Any]:
        faults = Faults(data.latency, data.error_rate, data.timeout_rate, data.outage)
        service.engine.faults = faults  # one assignment: calls see the old faults or the new
        log.warning("faults changed", extra=asdict(faults))
        return asdict(faults)


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


# -- errors -------------------------------------------------------------------------------------


def error_response(
    status: int,
    kind: str,
    code: str,
    message: str,
    guidance: str = "",
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body = {"type": kind, "code": code, "message": message, "guidance": guidance}
    return Response({"error": body}, status_code=status, headers=headers or {})


def _domain_status(error: DomainError) -> tuple[int, str]:
    # Most specific first: PaymentDeclinedError and IdempotencyKeyReusedError are both
    # BusinessRuleErrors, and PaymentOutcomeUnknownError is a ServiceUnavailableError.
    if isinstance(error, PaymentDeclinedError):
        return 402, "card_error"
    if isinstance(error, PaymentOutcomeUnknownError):
        return 504, "api_error"
    if isinstance(error, ServiceUnavailableError):
        return 503, "api_error"
    if isinstance(error, IdempotencyKeyReusedError):
        return 409, "idempotency_error"
    if isinstance(error, InvalidInputError):
        return 400, "invalid_request_error"
    if isinstance(error, NotFoundError):
        return 404, "invalid_request_error"
    return 409, "invalid_request_error"  # any other business rule: the state refuses it


def handle_domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    status, kind = _domain_status(error)
    headers: dict[str, str] = {}
    if isinstance(error, ServiceUnavailableError) and status == 503:
        headers["Retry-After"] = str(error.retry_after)
    if status >= 500:
        log.warning("gateway fault", extra={"code": error.code, "status": status})
    return error_response(status, kind, error.code, error.message, error.guidance, headers)


_HTTP_KINDS = {401: "authentication_error", 403: "permission_error"}
_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}


def handle_http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    kind = _HTTP_KINDS.get(status, "invalid_request_error" if status < 500 else "api_error")
    message = str(error.detail)
    if isinstance(error, ValidationException) and isinstance(error.extra, list):
        # Where and what only, never the value: it may be a card number.
        problems = [
            f"{item.get('key', '')}: {item.get('message', '')}"[:200]
            for item in error.extra
            if isinstance(item, dict)
        ]
        message = "; ".join(problems) or message
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    code = _HTTP_CODES.get(status, "http_error")
    return error_response(status, kind, code, message, headers=headers)


def handle_unexpected_error(_: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "api_error", "internal_error", "The gateway failed unexpectedly.")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected_error,
}


# -- the app and its server ---------------------------------------------------------------------


def create_gateway_app(
    gateway: DummyPaymentGateway, admin_token: str | None, hang_seconds: float = 10.0
) -> Litestar:
    """The service over `gateway`. Without an admin token (None or blank) the admin routes
    answer 403; `hang_seconds` is how long the timeout fault stalls before its 504."""
    service = GatewayService(gateway, hang_seconds, admin_token or None)
    return Litestar(
        route_handlers=[ChargeController, RefundController, AdminController, health],
        dependencies={"service": Provide(lambda: service, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"admin_token": service.admin_token}),
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,  # infra.logging owns the log format
        debug=False,
    )


GatewayFaults = Faults  # what `tap gateway` configures, named for the service's users


def run_gateway_service(
    faults: Faults,
    admin_token: str | None,
    hang_seconds: float,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    fd: int | None = None,
) -> None:
    """Serve a fresh in-memory gateway until stopped; its charges die with the process. It
    listens on `fd` when given (a socket its parent bound, so the port is known and taken
    before this process starts), else on `host`:`port`."""
    app = create_gateway_app(DummyPaymentGateway(SystemClock(), faults), admin_token, hang_seconds)
    log.info(
        "payment gateway serving",
        extra={
            "where": f"fd {fd}" if fd is not None else f"http://{host}:{port}",
            "admin": bool(admin_token),
            **asdict(faults),
        },
    )
    if fd is None:
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, lifespan="on")
        return
    # The socket, not uvicorn's `fd=`: uvicorn reopens an fd as AF_UNIX, so asyncio leaves
    # Nagle's algorithm on for its connections and every answer waits ~40 ms for the caller's
    # delayed ACK. `socket(fileno=)` reads the real family (TCP) from the descriptor.
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    server.run(sockets=[socket.socket(fileno=fd)])
