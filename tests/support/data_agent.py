"""The Data Agent served on a port for the Ticket Agent's tests: uvicorn in a thread over a test's
container, stoppable and restartable on the same port (where the Ticket Agent's settings point),
counting the MCP requests it receives by method."""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from entrypoints.mcp.server import data_agent_app
from infra.container import Container
from tests.support.live_http import uvicorn_in_thread


@dataclass
class ServedDataAgent:
    """The Data Agent over `container` on `port`; `start()` it before use, `stop()` after."""

    container: Container
    port: int
    methods: Counter[str] = field(default_factory=Counter)
    _running: ExitStack | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    @property
    def tool_calls(self) -> int:
        return self.methods["tools/call"]

    @property
    def requests(self) -> int:
        return sum(self.methods.values())

    def start(self) -> ServedDataAgent:
        assert self._running is None, "already serving"
        stack = ExitStack()
        stack.enter_context(uvicorn_in_thread(self._counted(), path="/health", port=self.port))
        self._running = stack
        return self

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def _counted(self) -> Any:
        app = data_agent_app(self.container)

        async def counted(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/mcp":
                method = dict(scope["headers"]).get(b"mcp-method", b"?").decode()
                self.methods[method] += 1
            await app(scope, receive, send)

        return counted
