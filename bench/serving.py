"""What every benchmark needs to run the system under test: a free port, and `tap serve` in its
own process group with only the settings the benchmark names (no TAP_* from the caller's shell,
so a run is reproducible), ready once /api/health answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_tap_serve(port: int, settings: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`tap serve --port port` with `settings` as TAP_* variables (`{"MAIL_DIR": ...}`)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    env |= {f"TAP_{name}": value for name, value in settings.items()}
    server = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its gateway or Data Agent children stop with it
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    stop_tap_serve(server)
    raise RuntimeError(f"the server did not start within {START_TIMEOUT:.0f} s; see {log}")


def stop_tap_serve(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
