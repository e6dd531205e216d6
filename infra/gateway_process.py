"""The local build's payment gateway: the dummy gateway service in a child process.

`tap serve` on the postgres or aws profile pays over HTTP. When no TAP_PAYMENT_GATEWAY_URL is
set it starts `tap gateway` itself, so one command still runs everything, yet the charges live
in another process, behind a real socket: a crash of the app between a charge and its commit
leaves the charge where reconciliation can find it, as it would at a real gateway.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from infra.settings import Settings

log = logging.getLogger(__name__)
START_TIMEOUT = 30.0


class GatewayStartError(RuntimeError):
    """The gateway service did not come up."""


@contextmanager
def local_gateway_service(settings: Settings) -> Iterator[str]:
    """Start the dummy gateway service for `settings` (its faults, its admin token) and yield
    its base URL; stop it on exit. The child also stops by itself if this process dies."""
    listener = socket.create_server(("127.0.0.1", 0))  # bound here: no race for the port
    port = listener.getsockname()[1]
    env = dict(os.environ)
    if settings.payment_gateway_admin_token is not None:
        env["TAP_PAYMENT_GATEWAY_ADMIN_TOKEN"] = (
            settings.payment_gateway_admin_token.get_secret_value()
        )
    command = [
        sys.executable,
        "-m",
        "entrypoints.cli",
        "gateway",
        "--fd",
        str(listener.fileno()),
        "--exit-with",
        str(os.getpid()),
        # The child reads the same settings; these make the faults explicit in `ps`.
        "--latency",
        str(settings.gateway_latency_seconds),
        "--error-rate",
        str(settings.gateway_error_rate),
        "--timeout-rate",
        str(settings.gateway_timeout_rate),
        *(["--outage"] if settings.gateway_outage else []),
    ]
    child = subprocess.Popen(command, env=env, pass_fds=(listener.fileno(),))  # noqa: S603
    listener.close()  # the child holds it now
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, child)
        log.info("payment gateway service started", extra={"url": url, "pid": child.pid})
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _wait_until_up(url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise GatewayStartError(f"the payment gateway service exited with {child.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    child.kill()
    raise GatewayStartError(f"the payment gateway service did not answer within {START_TIMEOUT} s")


def exit_with(parent_pid: int, poll_seconds: float = 1.0) -> None:
    """Block until `parent_pid` is gone (this process is re-parented), then exit at once:
    a gateway left behind would hold its port and charges nobody can see. Run it in a daemon
    thread."""
    while os.getppid() == parent_pid:
        time.sleep(poll_seconds)
    os._exit(0)
