"""A PaymentGateway over HTTP: the client of the gateway service (`tap gateway`), Stripe-shaped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from application.errors import (
    IdempotencyKeyReusedError,
    PaymentDeclinedError,
    PaymentOutcomeUnknownError,
    PaymentUnavailableError,
)
from application.ports.payments import Charge, ChargeRequest, Refund, RefundRequest
from domain.errors import BusinessRuleError, DomainError, InvalidInputError, NotFoundError
from domain.money import Money

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_RETRY_AFTER = 10


class HttpPaymentGateway:
    """The gateway service's client. The mapping of failures follows one question: could the
    gateway have moved money?

    - No, for certain: the connection was never made (connect error, connect or pool timeout),
      or the gateway said so (503, 429): `PaymentUnavailableError`, with the gateway's
      `Retry-After` as `retry_after`. Retrying with the same key is safe.
    - Maybe: the request may have reached the gateway and the answer was lost (a read or write
      timeout, a dropped connection, a protocol error, 500/502/504, an unreadable answer):
      `PaymentOutcomeUnknownError` on a charge or refund, so the caller keeps the order in
      doubt and settles it by retrying the same key or by reconciliation, never by charging
      afresh. A read (find, get, list) moves nothing, so there it is `PaymentUnavailableError`.
    - The gateway answered: 402 `PaymentDeclinedError` with the decline code; 409
      `IdempotencyKeyReusedError` (`idempotency_key_reused`) or `BusinessRuleError` (e.g.
      `charge_already_refunded`); 404 `NotFoundError` (`get_charge` gives None); 400
      `InvalidInputError`. Any other answer means the gateway refused before doing anything
      (e.g. a misconfigured client): `PaymentUnavailableError`.

    The card goes into the request body and nowhere else: messages are the gateway's own or
    name the failure's type, and transport errors are not chained (`from None`), since httpx's
    exceptions hold the request, body and all. One `httpx.Client`, thread-safe, pools the
    connections; `close()` it when done.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float,
        connect_timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        connect = timeout if connect_timeout is None else connect_timeout
        self._client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=connect),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    # -- the port ---------------------------------------------------------------------------

    def charge(self, request: ChargeRequest) -> Charge:
        card = request.card
        body = {
            "amount": str(request.amount),
            "currency": request.amount.currency,
            "card": {
                "number": card.number,
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "cvc": card.cvc,
                "name": card.name,
            },
            "description": request.description,
            "metadata": dict(request.metadata),
        }
        answer = self._send("POST", "/v1/charges", True, json=body, key=request.idempotency_key)
        return self._read(answer, True, _charge)

    def refund(self, request: RefundRequest) -> Refund:
        body = {"charge_id": request.charge_id}
        answer = self._send("POST", "/v1/refunds", True, json=body, key=request.idempotency_key)
        return self._read(answer, True, _refund)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        found = self._list({"idempotency_key": idempotency_key})
        return found[0] if found else None

    def get_charge(self, charge_id: str) -> Charge | None:
        if not charge_id:
            return None
        try:
            answer = self._send("GET", f"/v1/charges/{quote(charge_id, safe='')}", False)
        except NotFoundError:
            return None
        return self._read(answer, False, _charge)

    def charges_since(self, since: datetime) -> Sequence[Charge]:
        return self._list({"created_since": since.isoformat()})

    # -- internals --------------------------------------------------------------------------

    def _list(self, params: Mapping[str, str]) -> list[Charge]:
        answer = self._send("GET", "/v1/charges", False, params=params)
        return self._read(answer, False, lambda data: [_charge(item) for item in data["data"]])

    def _send(
        self,
        method: str,
        path: str,
        moves_money: bool,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key is not None else {}
        try:
            response = self._client.request(method, path, json=json, params=params, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            log.warning("payment gateway unreachable", extra={"path": path, "error": _name(error)})
            raise PaymentUnavailableError(
                f"The payment gateway is unreachable ({_name(error)})."
            ) from None
        except httpx.TransportError as error:
            log.warning("payment gateway lost", extra={"path": path, "error": _name(error)})
            message = f"The payment gateway did not answer ({_name(error)})."
            raise _in_doubt(moves_money, message) from None
        if response.status_code >= 400:
            raise self._error(response, path, moves_money)
        return response

    def _error(self, response: httpx.Response, path: str, moves_money: bool) -> DomainError:
        status = response.status_code
        code, message, guidance = _problem(response)
        log.info("payment gateway refused", extra={"path": path, "status": status, "code": code})
        if status == 402:
            return PaymentDeclinedError(code, message, guidance or "Try another card.")
        if status == 409 and code == "idempotency_key_reused":
            return IdempotencyKeyReusedError(code, message, guidance)
        if status == 409:
            return BusinessRuleError(code, message, guidance)
        if status == 404:
            return NotFoundError(code, message, guidance)
        if status == 400:
            return InvalidInputError(code, message, guidance)
        if status in (429, 503):
            return PaymentUnavailableError(message, retry_after=_retry_after(response))
        if status >= 500:
            return _in_doubt(moves_money, f"The payment gateway failed ({status} {code}).")
        return PaymentUnavailableError(f"The payment gateway refused the request ({status}).")

    def _read(self, response: httpx.Response, moves_money: bool, parse: Callable[[Any], T]) -> T:
        try:
            return parse(response.json())
        except (ValueError, KeyError, TypeError, DomainError) as error:
            # A 200 we cannot read: on a charge, the money may well have moved.
            log.error("payment gateway answer unreadable", extra={"error": _name(error)})
            raise _in_doubt(moves_money, "The payment gateway's answer was unreadable.") from None


def _in_doubt(moves_money: bool, message: str) -> DomainError:
    if moves_money:
        return PaymentOutcomeUnknownError(message)
    return PaymentUnavailableError(message)


def _name(error: Exception) -> str:
    return type(error).__name__


def _problem(response: httpx.Response) -> tuple[str, str, str]:
    """Code, message and guidance of the gateway's error object, whatever came back."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"]), str(error.get("guidance") or "")
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", f"HTTP {response.status_code}", ""


def _retry_after(response: httpx.Response) -> int:
    # Seconds only: the service never sends the HTTP-date form.
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else DEFAULT_RETRY_AFTER


def _charge(data: Mapping[str, Any]) -> Charge:
    currency = str(data["currency"])
    refunded = data.get("refunded")
    return Charge(
        id=str(data["id"]),
        amount=Money.of(str(data["amount"]), currency),
        brand=str(data["brand"]),
        last4=str(data["last4"]),
        idempotency_key=str(data["idempotency_key"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        refunded=Money.of(str(refunded), currency) if refunded is not None else None,
    )


def _refund(data: Mapping[str, Any]) -> Refund:
    return Refund(
        id=str(data["id"]),
        charge_id=str(data["charge_id"]),
        amount=Money.of(str(data["amount"]), str(data["currency"])),
        idempotency_key=str(data["idempotency_key"]),
        created_at=datetime.fromisoformat(data["created_at"]),
    )
