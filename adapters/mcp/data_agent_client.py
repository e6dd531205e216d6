"""The Data Agent's tools over MCP (streamable HTTP), one session kept open for every customer.

Opening an MCP session costs about 50 ms, a call on an open one a few. So the adapter keeps one
session open, on an event loop of its own in a daemon thread, and the synchronous `call` hands
each call to that loop. The session is not anyone's: each call carries its own customer's
bearer token in a context variable of the calling task. The MCP SDK sends a request from a task
that inherits the sender's context (its write stream carries it), and an httpx2 auth flow reads
the token from there into that one request's `Authorization` header. Concurrent calls for two
customers on the one session therefore go out as two customers.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent

from application.errors import AuthenticationError, ServiceUnavailableError
from application.ports.reasoning import ToolResult, ToolSpec

log = logging.getLogger(__name__)

T = TypeVar("T")

REFUSED_STATUSES = (401, 403)
INVALID_TOKEN = {
    "code": "invalid_token",
    "message": "The Data Agent did not accept the customer's sign-in.",
    "guidance": "Sign in again, then ask again.",
}


@dataclass(slots=True)
class _Credentials:
    """The bearer token of one call, and the Data Agent's last HTTP status for it."""

    token: str | None = field(repr=False)
    status: int | None = None

    @property
    def refused(self) -> bool:
        return self.status in REFUSED_STATUSES


_credentials: contextvars.ContextVar[_Credentials | None] = contextvars.ContextVar(
    "data_agent_credentials", default=None
)


class _BearerOfTheCall(httpx2.Auth):
    """Signs each request with the token of the call it belongs to (see the module docstring)."""

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        credentials = _credentials.get()
        if credentials is not None and credentials.token:
            request.headers["Authorization"] = f"Bearer {credentials.token}"
        response = yield request
        if credentials is not None and credentials.status not in REFUSED_STATUSES:
            credentials.status = response.status_code


class _SessionBrokeError(Exception):
    """The open session died under a call. `unsent`: the request never reached the server
    (it could not connect), so sending it again cannot do anything twice."""

    def __init__(self, cause: BaseException | None) -> None:
        super().__init__(str(cause) if cause else "the MCP session closed")
        self.cause = cause
        self.unsent = _caused_by(cause, (httpx2.ConnectError, httpx2.ConnectTimeout))


class _Session:
    """One open MCP client. A task of its own enters and leaves it (anyio's scopes must be left
    by the task that entered them); the session is over when that task is, and the task's
    result is what ended it."""

    def __init__(
        self, client: Client, holder: asyncio.Task[BaseException | None], stop: asyncio.Event
    ) -> None:
        self.client = client
        self.holder = holder
        self.stop = stop

    @property
    def alive(self) -> bool:
        return not self.holder.done()

    @property
    def failure(self) -> BaseException | None:
        return None if self.alive or self.holder.cancelled() else self.holder.result()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` on this session, or `_SessionBrokeError` if the session dies under it."""
        call = asyncio.ensure_future(work)  # in this task's context: the call's credentials
        try:
            await asyncio.wait({call, self.holder}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            call.cancel()
            raise
        if call.done() and (self.alive or (not call.cancelled() and call.exception() is None)):
            return call.result()  # its answer, or its own error
        call.cancel()
        raise _SessionBrokeError(self.failure)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait({self.holder})


class McpDataAgentTools:
    """`DataAgentTools` through a real MCP client over streamable HTTP.

    A tool's refusal comes back as an error `ToolResult` with the domain's code (the server's
    structured error); a token the Data Agent refuses as one with `invalid_token`. When the
    Data Agent cannot be reached, or does not answer within `timeout` seconds, `call` raises
    `ServiceUnavailableError`. A session that broke is reopened once, and a call that never
    reached the server is sent again on the new one. Do not call from the adapter's own loop.
    """

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: _Session | None = None
        self._session_lock: asyncio.Lock | None = None
        # The tool set of a deployment: listed once, listed again after a reconnection.
        self._tools: list[ToolSpec] | None = None
        self._tools_stale = True

    # -- the port ---------------------------------------------------------------------------

    def list_tools(self, bearer_token: str | None = None) -> Sequence[ToolSpec]:
        """The tools on offer. The Data Agent wants a token on every request, listing included:
        a session's first listing goes out with `bearer_token`, later ones are remembered.
        Raises `AuthenticationError` if the Data Agent refuses the token."""
        try:
            return self._submit(self._list_tools(bearer_token))
        except _RefusedError:
            raise AuthenticationError(**INVALID_TOKEN) from None
        except _RejectedError as error:
            raise _unavailable(self._url, "it would not list its tools", error) from None

    def call(
        self, call_id: str, name: str, arguments: Mapping[str, Any], bearer_token: str
    ) -> ToolResult:
        try:
            result = self._submit(self._call(name, dict(arguments), bearer_token))
        except _RefusedError:
            return ToolResult(call_id, dict(INVALID_TOKEN), is_error=True, code="invalid_token")
        except _RejectedError as error:
            content = {"code": "tool_error", "message": str(error), "guidance": ""}
            return ToolResult(call_id, content, is_error=True, code="tool_error")
        return _tool_result(call_id, result)

    def close(self) -> None:
        """Close the session and stop the loop's thread (a later call starts them afresh)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close_session(), loop).result(self._timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self._timeout)
            if not thread.is_alive():
                loop.close()

    # -- on the adapter's loop ----------------------------------------------------------------

    async def _list_tools(self, bearer_token: str | None) -> list[ToolSpec]:
        if self._tools is not None and (not self._tools_stale or bearer_token is None):
            return self._tools
        self._tools = await self._on_session(bearer_token, "tools/list", self._fetch_tools, True)
        self._tools_stale = False
        return self._tools

    @staticmethod
    async def _fetch_tools(client: Client) -> list[ToolSpec]:
        specs: list[ToolSpec] = []
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            specs.extend(ToolSpec(t.name, t.description or "", t.input_schema) for t in page.tools)
            cursor = page.next_cursor
            if cursor is None:
                return specs

    async def _call(
        self, name: str, arguments: dict[str, Any], bearer_token: str
    ) -> CallToolResult:
        async def call_tool(client: Client) -> CallToolResult:
            return await client.call_tool(name, arguments)

        # A call is sent again only if it never reached the server: a tool that writes
        # (a quote) must not run twice because an answer was lost.
        return await self._on_session(bearer_token, name, call_tool, False)

    async def _on_session(
        self,
        bearer_token: str | None,
        what: str,
        work: Callable[[Client], Coroutine[Any, Any, T]],
        idempotent: bool,
    ) -> T:
        """`work` on the open session as the token's customer; once more on a new session if
        the open one broke and `work` is idempotent or was never sent."""
        credentials = _Credentials(bearer_token)
        _credentials.set(credentials)  # this task's context, inherited by what it sends
        for attempt in (1, 2):
            session = await self._open_session()
            try:
                return await session.run(work(session.client))
            except _SessionBrokeError as broke:
                await self._discard(session)
                if attempt == 2 or not (idempotent or broke.unsent):
                    raise _unavailable(
                        self._url, f"the connection broke during {what}", broke.cause
                    ) from None
                log.info("data agent session broke; reconnecting", extra={"during": what})
            except MCPError as error:
                if credentials.refused:
                    raise _RefusedError from None
                if credentials.status is not None and credentials.status < 500:
                    raise _RejectedError(str(error)) from None
                raise _unavailable(self._url, f"{what} failed", error) from None
        raise AssertionError("unreachable")

    async def _open_session(self) -> _Session:
        """The open session, opened now (with the current call's token) if there is none."""
        if self._session_lock is None:
            self._session_lock = asyncio.Lock()
        async with self._session_lock:
            if self._session is not None and self._session.alive:
                return self._session
            if self._session is not None:
                await self._discard(self._session)
            self._session = await self._connect()
            return self._session

    async def _connect(self) -> _Session:
        current = _credentials.get()
        # The session's own task keeps the opener's credentials only for the opening: the
        # token is cleared once open, so nothing the session sends later goes out as them.
        opener = _Credentials(current.token if current else None)
        context = contextvars.copy_context()
        context.run(_credentials.set, opener)
        ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        holder = asyncio.get_running_loop().create_task(self._hold(ready, stop), context=context)
        try:
            client = await ready
        except asyncio.CancelledError:  # given up on (a timeout): leave nothing half open
            stop.set()
            holder.cancel()
            raise
        except Exception as error:
            if opener.refused:
                raise _RefusedError from None
            raise _unavailable(self._url, "no session could be opened", error) from None
        finally:
            opener.token = None
        return _Session(client, holder, stop)

    async def _hold(
        self, ready: asyncio.Future[Client], stop: asyncio.Event
    ) -> BaseException | None:
        """Open the session, keep it until `stop`; returns what broke it, if anything."""
        http = httpx2.AsyncClient(auth=_BearerOfTheCall(), timeout=httpx2.Timeout(self._timeout))
        try:
            async with http, Client(streamable_http_client(self._url, http_client=http)) as client:
                ready.set_result(client)
                await stop.wait()
        except Exception as error:  # told to whoever waits for the session, or the next call
            if not ready.done():
                ready.set_exception(error)
                return None
            log.warning("data agent session ended", extra={"reason": _describe(error)})
            return error
        return None

    async def _discard(self, session: _Session) -> None:
        if self._session is session:
            self._session = None
            self._tools_stale = True  # the next session may be a new deployment
        try:
            await session.close()
        except Exception as error:  # a broken session fails to close, too
            log.debug("closing a broken data agent session failed", extra={"reason": str(error)})

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._discard(self._session)

    # -- bridging ---------------------------------------------------------------------------

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="data-agent-client", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
                self._session, self._session_lock = None, None
            return self._loop

    def _submit(self, work: Coroutine[Any, Any, T]) -> T:
        loop = self._running_loop()
        if threading.current_thread() is self._thread:
            work.close()
            raise RuntimeError("McpDataAgentTools cannot be called from its own event loop")
        return asyncio.run_coroutine_threadsafe(self._timed(work), loop).result()

    async def _timed(self, work: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(work, self._timeout)
        except TimeoutError:
            log.warning("data agent timed out", extra={"url": self._url, "after": self._timeout})
            raise ServiceUnavailableError(
                "data_agent_unavailable",
                "The Data Agent cannot help now: our ticket system is answering too slowly.",
                "Please try again in a moment.",
            ) from None


class _RefusedError(Exception):
    """The Data Agent refused the call's token (HTTP 401 or 403)."""


class _RejectedError(Exception):
    """The Data Agent answered a request with a protocol error rather than a result."""


def _tool_result(call_id: str, result: CallToolResult) -> ToolResult:
    structured = result.structured_content
    if not result.is_error:
        return ToolResult(call_id, structured if structured is not None else _text(result))
    code = structured.get("code") if isinstance(structured, dict) else None
    if isinstance(code, str):
        return ToolResult(call_id, structured, is_error=True, code=code)
    # Not one of the Data Agent's own refusals: the MCP server's (an unknown tool, arguments
    # that do not fit the tool's schema) or a crash, whose text says only that it failed.
    content = {"code": "tool_error", "message": _text(result), "guidance": ""}
    return ToolResult(call_id, content, is_error=True, code="tool_error")


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _unavailable(url: str, what: str, cause: BaseException | None) -> ServiceUnavailableError:
    # The details (where, what, why) go to the log for us; the customer gets plain words.
    log.warning(
        "data agent unavailable", extra={"url": url, "what": what, "cause": _describe(cause)}
    )
    return ServiceUnavailableError(
        "data_agent_unavailable",
        "The Data Agent cannot help now: our ticket system is not answering.",
        "Please try again in a moment.",
    )


def _describe(error: BaseException | None) -> str:
    leaf = _leaf(error)
    if leaf is None:
        return "no reason given"
    return f"{type(leaf).__name__}: {leaf}" if str(leaf) else type(leaf).__name__


def _leaf(error: BaseException | None) -> BaseException | None:
    """The innermost reason: the first exception of a group, the cause of a wrapper."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]
        elif error.__cause__ is not None:
            error = error.__cause__
        else:
            return error
    return error


def _caused_by(error: BaseException | None, kinds: tuple[type[BaseException], ...]) -> bool:
    if error is None:
        return False
    if isinstance(error, kinds):
        return True
    if isinstance(error, BaseExceptionGroup):
        return any(_caused_by(inner, kinds) for inner in error.exceptions)
    return _caused_by(error.__cause__, kinds)
