"""Running a POST at most once per Idempotency-Key (DOMAIN.md, "API idempotency")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response

from application.idempotency import IdempotentRequests
from application.ports.idempotency import StoredResponse
from domain.errors import DomainError
from entrypoints.http.problems import PROBLEM_JSON, domain_problem, problem_response

JSON = "application/json"
# Answers that describe what the request did are kept and replayed. Answers that say it could
# not run yet (in flight, busy, gateway down) are not, so the same key can try again.
REPLAYABLE = {200, 201, 400, 402, 404, 422}


def run_idempotently(
    request: Request[Any, Any, Any],
    idempotency: IdempotentRequests,
    key: str | None,
    scope: str,
    request_parts: tuple[str, ...],
    action: Callable[[], tuple[int, Any]],
) -> Response[bytes]:
    """Run `action` (which returns a status and a msgspec-encodable body), or replay the answer
    the first request with this Idempotency-Key got."""
    if key is None:
        return _run(action)[0]
    request_print = idempotency.fingerprint(request.method, request.url.path, *request_parts)
    stored = idempotency.begin(scope, key, request_print)
    if stored is not None:
        return Response(
            content=stored.body,
            status_code=stored.status,
            media_type=stored.content_type,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        response, stored_answer = _run(action)
    except BaseException:
        idempotency.abandon(scope, key)
        raise
    if stored_answer.status in REPLAYABLE:
        idempotency.finish(scope, key, stored_answer)
    else:
        idempotency.abandon(scope, key)
    return response


def _run(action: Callable[[], tuple[int, Any]]) -> tuple[Response[bytes], StoredResponse]:
    try:
        status, body = action()
    except DomainError as error:
        status, problem, headers = domain_problem(error)
        response = problem_response(status, problem, headers)
        return response, StoredResponse(status, bytes(response.content), PROBLEM_JSON)
    encoded = msgspec.json.encode(body)
    return Response(content=encoded, status_code=status, media_type=JSON), StoredResponse(
        status, encoded, JSON
    )
