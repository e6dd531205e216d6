"""The one mapping from errors to HTTP answers: RFC 9457 problem JSON, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from application.errors import (
    AuthenticationError,
    CustomerNotRegisteredError,
    PaymentDeclinedError,
    ServiceUnavailableError,
)
from domain.cards import CardError
from domain.errors import (
    BusinessRuleError,
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
)
from infra.logging import request_id_var

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first matching class decides the status.
_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (AuthenticationError, 401),
    (CustomerNotRegisteredError, 403),
    (PaymentDeclinedError, 402),
    (CardError, 402),
    (ServiceUnavailableError, 503),
    (InvalidInputError, 400),
    (NotFoundError, 404),
    (ConflictError, 409),
    (BusinessRuleError, 422),
)

_GENERIC_CODES = {
    400: ("invalid_request", "Check the request against the API schema at /schema."),
    401: ("unauthorized", "Sign in and send the access token as 'Authorization: Bearer <token>'."),
    403: ("forbidden", "This account may not do that."),
    404: ("not_found", "Check the address; the API is described at /schema."),
    405: ("method_not_allowed", "Check the method; the API is described at /schema."),
    413: ("request_too_large", "Send a smaller request."),
    415: ("unsupported_media_type", "Send JSON with 'Content-Type: application/json'."),
    429: ("too_many_requests", "Slow down and retry after the time in Retry-After."),
    500: ("internal_error", "Something went wrong on our side. Please try again."),
    503: ("service_unavailable", "Please try again in a moment."),
}


def status_for(error: DomainError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def problem_body(
    status: int, code: str, detail: str, guidance: str, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "guidance": guidance,
    }
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers or {},
    )


def domain_problem(error: DomainError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and headers for a domain or application error."""
    status = status_for(error)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, PaymentDeclinedError):
        extra = {"decline_code": error.decline_code, "attempts_left": error.attempts_left}
    if isinstance(error, CardError):
        extra = {"decline_code": error.code}
    if isinstance(error, ServiceUnavailableError):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return status, problem_body(status, error.code, error.message, error.guidance, **extra), headers


def handle_domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[bytes]:
    status, body, headers = domain_problem(error)
    if status >= 500:
        log.warning("request failed", extra={"code": error.code, "status": status})
    return problem_response(status, body, headers)


def _validation_errors(error: ValidationException) -> list[dict[str, str]]:
    # Keep where and what only: never echo the submitted value (it may be a card number).
    found = error.extra if isinstance(error.extra, list) else []
    return [
        {"field": str(item.get("key", "")), "message": str(item.get("message", ""))[:200]}
        for item in found
        if isinstance(item, dict)
    ]


def handle_http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    code, guidance = _GENERIC_CODES.get(status, ("http_error", ""))
    detail = str(error.detail) if error.detail else HTTPStatus(status).phrase
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationException):
        code, detail = "invalid_request", "The request is not valid."
        extra["errors"] = _validation_errors(error)
    headers = dict(error.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(status, problem_body(status, code, detail, guidance, **extra), headers)


def handle_unexpected_error(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    log.exception("unhandled error", exc_info=error)
    code, guidance = _GENERIC_CODES[500]
    return problem_response(
        500, problem_body(500, code, "The server could not complete the request.", guidance)
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected_error,
}
