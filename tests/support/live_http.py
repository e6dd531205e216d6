"""Real HTTP: the application served by `tap serve` in its own process or by uvicorn in a
thread, and clients that connect first and then send their requests together."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from tests.conftest import signing_key_pem

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
SERVE = [sys.executable, "-m", "entrypoints.cli", "serve", "--profile", "postgres"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Call:
    """One HTTP request to make."""

    method: str
    path: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]

    @property
    def code(self) -> str | None:
        """The problem code of an error answer."""
        return self.body.get("code") if isinstance(self.body, dict) else None


def bearer(token: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def _send(connection: http.client.HTTPConnection, call: Call) -> Reply:
    data = json.dumps(call.body).encode() if call.body is not None else None
    headers = {"Content-Type": "application/json", **call.headers}
    connection.request(call.method, call.path, body=data, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    return Reply(
        response.status,
        json.loads(raw) if raw else None,
        {name.lower(): value for name, value in response.getheaders()},
    )


def call(base_port: int, request: Call, timeout: float = 30.0) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=timeout)
    try:
        return _send(connection, request)
    finally:
        connection.close()


def all_at_once(port: int, calls: Sequence[Call], timeout: float = 60.0) -> list[Reply]:
    """Send every call from its own thread and connection. Each client connects first and
    waits at a barrier, so the requests leave together rather than trickling in as threads
    start; the replies come back in the order of `calls`."""
    start = threading.Barrier(len(calls))
    replies: list[Reply | BaseException | None] = [None] * len(calls)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.connect()
            start.wait(timeout=timeout)
            replies[index] = _send(connection, calls[index])
        except BaseException as error:  # reported below, with the others
            replies[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    failures = [reply for reply in replies if not isinstance(reply, Reply)]
    assert not failures, f"{len(failures)} clients got no answer, e.g. {failures[0]!r}"
    return [reply for reply in replies if isinstance(reply, Reply)]


def wait_until_healthy(port: int, alive: Any, path: str = "/api/health") -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert alive(), "the server stopped during start-up"
        try:
            if call(port, Call("GET", path), timeout=2).status == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no answer on port {port} within {START_TIMEOUT} s"
        time.sleep(0.05)


@contextmanager
def tap_serve(
    database_url: str, workdir: Path, settings: Mapping[str, Any] | None = None
) -> Iterator[int]:
    """`tap serve --profile postgres` in its own process over `database_url`, on a free port;
    yields the port. It signs tokens with the test run's key (so tests can mint them), keeps
    no rate limit and loads no demo data; `settings` adds TAP_* variables (JSON for lists and
    dicts). The server's log is left in `workdir/server.log`."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "TOKEN_SIGNING_KEY": signing_key_pem(),
        "DEMO_DATA": "false",
        "RATE_LIMIT_PER_MINUTE": "0",
        "HANDLER_THREADS": "true",
        "MAIL_DIR": str(workdir / "mail"),
        "LOG_LEVEL": "WARNING",
        "DATA_AGENT_PORT": "0",  # its Data Agent on a free port too
        **(settings or {}),
    }
    for name, value in values.items():
        env[f"TAP_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    with serve_process([*SERVE, "--port", str(port)], env, workdir / "server.log"):
        yield port


@contextmanager
def serve_process(command: Sequence[str], env: Mapping[str, str], log_path: Path) -> Iterator[int]:
    """Run `command` (a `tap serve ... --port N`) from the repository with exactly `env`, its
    output in `log_path`; yields its port once /api/health answers, stops it afterwards."""
    port = int(command[list(command).index("--port") + 1])
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            list(command), cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_healthy(port, lambda: server.poll() is None)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


def tap_serve_memory(port: int) -> list[str]:
    """The command `make run` runs (memory profile, demo data, the built site), on `port`."""
    return [sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port)]


@contextmanager
def uvicorn_in_thread(
    app: Any, path: str = "/api/health", port: int | None = None
) -> Iterator[int]:
    """The ASGI app served by uvicorn from a thread of this process, on `port` (a free one by
    default), once `path` answers 200."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    try:
        wait_until_healthy(port, thread.is_alive, path)
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
