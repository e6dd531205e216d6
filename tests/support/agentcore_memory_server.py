"""A stand-in for the AgentCore Memory data plane (service `bedrock-agentcore`), for tests.

There is no emulator of it (moto has only the control plane), so this one speaks the five
REST-JSON operations the AgentCore adapter calls through the SDK and a real boto3 client
(CreateEvent, ListEvents, BatchCreateMemoryRecords, ListMemoryRecords,
RetrieveMemoryRecords), at the paths and in the shapes of botocore's service model, and keeps
what it is given.

What it models on purpose, because code that works here must work against the service:
- events are listed newest first (as AgentCore does; the SDK does not reorder them), paged by
  `maxResults` (1 to 100) and `nextToken`; times are kept to the millisecond, and an event id
  is the zero-padded epoch milliseconds, `#`, and hex digits;
- `namespace` matches records by prefix (the service's behaviour during its namespace
  redesign's grace period), so a caller must drop records of longer namespaces itself;
- ListMemoryRecords pages by 20 when not told otherwise, so a caller must follow `nextToken`;
- an unknown memory id is a ResourceNotFoundException; a bad argument a ValidationException;
- `fail_next` makes the next call of an operation fail with any error the service may return.

Semantic search is not modelled: RetrieveMemoryRecords scores by word overlap (the same
stand-in as the local adapters), best first, ties newest first. Not modelled either: memory
strategies and the records they extract from events, asynchronous indexing, SigV4 checks,
branches, metadata filters, blob payloads.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from adapters.conversation_memory.overlap import words

LIST_RECORDS_PAGE = 20


class ServiceError(Exception):
    """An error answer: its AWS error type, HTTP status and message."""

    def __init__(self, kind: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def invalid(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


@dataclass
class _Memory:
    id: str
    events: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)


def _millis(seconds: float) -> int:
    return round(seconds * 1000)


def _overlap(wanted: frozenset[str], text: str) -> float:
    return len(wanted & words(text)) / len(wanted) if wanted else 0.0


def _page(items: list[Any], request: dict[str, Any], default: int) -> tuple[list[Any], str | None]:
    size = request.get("maxResults", default)
    if not 1 <= size <= 100:
        raise invalid(f"1 validation error: maxResults {size} must be between 1 and 100")
    start = int(request.get("nextToken") or 0)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class AgentCoreMemoryServer:
    """Start it with `start()` (or `with`); `endpoint` is then the URL to give boto3
    (`AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`). `requests` holds every call as (operation, body)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._memories: dict[str, _Memory] = {}
        self._failures: dict[str, ServiceError] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._http = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._http.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> AgentCoreMemoryServer:
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> AgentCoreMemoryServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def create_memory(self) -> str:
        """A new, empty memory resource; its id has the service's shape."""
        memory_id = f"TicketMemory-{secrets.token_hex(5)}"
        with self._lock:
            self._memories[memory_id] = _Memory(memory_id)
        return memory_id

    def fail_next(self, operation: str, kind: str, status: int, message: str = "") -> None:
        """The next call of `operation` (e.g. "ListEvents") fails with this error."""
        with self._lock:
            self._failures[operation] = ServiceError(kind, message or kind, status)

    # -- routing --------------------------------------------------------------------------

    # (operation, path after /memories/{memoryId}, success status), from the service model.
    _ROUTES = (
        ("CreateEvent", "/events", 201),
        ("ListEvents", "/actor/([^/]+)/sessions/([^/]+)", 200),
        ("RetrieveMemoryRecords", "/retrieve", 200),
        ("ListMemoryRecords", "/memoryRecords", 200),
        ("BatchCreateMemoryRecords", "/memoryRecords/batchCreate", 201),
    )

    def handle(self, path: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        operations: dict[str, Callable[..., dict[str, Any]]] = {
            "CreateEvent": self.create_event,
            "ListEvents": self.list_events,
            "RetrieveMemoryRecords": self.retrieve_memory_records,
            "ListMemoryRecords": self.list_memory_records,
            "BatchCreateMemoryRecords": self.batch_create_memory_records,
        }
        for operation, rest, status in self._ROUTES:
            if matched := re.fullmatch(f"/memories/([^/]+){rest}", path.split("?", 1)[0]):
                labels = [unquote(label) for label in matched.groups()]
                with self._lock:
                    self.requests.append((operation, request))
                    failure = self._failures.pop(operation, None)
                    if failure is not None:
                        raise failure
                    memory = self._memories.get(labels[0])
                    if memory is None:
                        raise ServiceError(
                            "ResourceNotFoundException", f"Memory {labels[0]} not found", 404
                        )
                    return status, operations[operation](memory, *labels[1:], request)
        raise ServiceError("UnknownOperationException", f"no operation at {path}", 404)

    # -- operations -----------------------------------------------------------------------

    def create_event(self, memory: _Memory, request: dict[str, Any]) -> dict[str, Any]:
        for name in ("actorId", "sessionId", "eventTimestamp", "payload"):
            if name not in request:
                raise invalid(f"1 validation error: {name} is required")
        millis = _millis(request["eventTimestamp"])
        key = (request["actorId"], request["sessionId"])
        event = {
            "memoryId": memory.id,
            "actorId": key[0],
            "sessionId": key[1],
            "eventId": f"{millis:013d}#{uuid.uuid4().hex}",
            "eventTimestamp": millis / 1000,
            "payload": request["payload"],
        }
        memory.events.setdefault(key, []).append(event)
        return {"event": event}

    def list_events(
        self, memory: _Memory, actor_id: str, session_id: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        stored = memory.events.get((actor_id, session_id), [])
        # Newest first; of two events at the same millisecond, the later written first.
        order = sorted(enumerate(stored), key=lambda p: (p[1]["eventTimestamp"], p[0]))
        newest_first = [event for _, event in reversed(order)]
        page, token = _page(newest_first, request, 20)
        if not request.get("includePayloads", True):
            page = [{k: v for k, v in event.items() if k != "payload"} for event in page]
        return {"events": page, **({"nextToken": token} if token else {})}

    def batch_create_memory_records(
        self, memory: _Memory, request: dict[str, Any]
    ) -> dict[str, Any]:
        created = []
        now = datetime.now(UTC).timestamp()
        for given in request["records"]:
            record = {
                "memoryRecordId": f"mem-{uuid.uuid4()}",
                "content": given["content"],
                "memoryStrategyId": given.get("memoryStrategyId", "explicit"),
                "namespaces": given["namespaces"],
                "createdAt": now,
                "timestamp": _millis(given["timestamp"]) / 1000,
            }
            memory.records.append(record)
            created.append(
                {
                    "memoryRecordId": record["memoryRecordId"],
                    "status": "SUCCEEDED",
                    "requestIdentifier": given["requestIdentifier"],
                }
            )
        return {"successfulRecords": created, "failedRecords": []}

    def _in_namespace(self, memory: _Memory, request: dict[str, Any]) -> list[dict[str, Any]]:
        prefix = request.get("namespace") or request.get("namespacePath")
        if not prefix:
            raise invalid("namespace or namespacePath is required")
        return [r for r in memory.records if any(n.startswith(prefix) for n in r["namespaces"])]

    def list_memory_records(self, memory: _Memory, request: dict[str, Any]) -> dict[str, Any]:
        page, token = _page(self._in_namespace(memory, request), request, LIST_RECORDS_PAGE)
        return {"memoryRecordSummaries": page, **({"nextToken": token} if token else {})}

    def retrieve_memory_records(self, memory: _Memory, request: dict[str, Any]) -> dict[str, Any]:
        criteria = request.get("searchCriteria") or {}
        query = criteria.get("searchQuery") or ""
        if not query:
            raise invalid("1 validation error: searchCriteria.searchQuery must have length >= 1")
        wanted = words(query)
        scored = [
            {**record, "score": _overlap(wanted, record["content"]["text"])}
            for record in self._in_namespace(memory, request)
        ]
        scored.sort(key=lambda r: (r["score"], r["timestamp"]), reverse=True)
        top = scored[: criteria.get("topK", 10)]
        page, token = _page(top, request, 20)
        return {"memoryRecordSummaries": page, **({"nextToken": token} if token else {})}


def _handler_for(server: AgentCoreMemoryServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, the body waits for the
        # client's delayed ACK (40 ms a call on Linux).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
                status, body = server.handle(self.path, request)
                self._answer(status, body, None)
            except ServiceError as error:
                self._answer(error.status, {"message": error.message}, error.kind)
            except Exception as error:  # a bug here, not in the client: say so
                message = f"{type(error).__name__}: {error}"
                self._answer(500, {"message": message}, "ServiceException")

        def _answer(self, status: int, body: dict[str, Any], error_type: str | None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-amzn-RequestId", secrets.token_hex(16))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pytest shows failures, not every request

    return Handler
