"""The site in a real browser: how long the upgrade page takes to offer a usable calendar, and
how much JavaScript the built site ships.

Starts `tap serve` exactly as `make run` does (memory profile, demo data, frontend/dist), signs
in as alice through the API, then in Debian's Chromium (Playwright, never a downloaded browser)
loads, each time in a fresh browser context (cold cache, like a first visit):

- the baseline: the sign-in page until its form is there (the same HTML, JavaScript and fonts,
  no API data);
- the target: alice's upgrade page for TKT-10000001 until the first priced day of the calendar
  can be clicked (the ticket, the tiers and 180 priced dates fetched and drawn).

Reports medians over `--loads`, the ratio target/baseline (what survives a noisy machine), and
the gzip size of every built script.

    .venv/bin/python bench/site.py            # 25 loads of each
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import free_port, start_tap_serve, stop_tap_serve

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "frontend" / "dist"
CHROMIUM = os.environ.get("TAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DEMO = ("alice@example.com", "Funland-2026", "TKT-10000001")
CALENDAR_READY = ".rdp-day_button:not([disabled]) >> text=/\\$/"


def sign_in(base: str) -> dict[str, object]:
    email, password, _ = DEMO
    request = urllib.request.Request(
        f"{base}/api/auth/login",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        token = json.load(answer)
    expires = int(time.time() * 1000) + token["expires_in"] * 1000
    return {"accessToken": token["access_token"], "expiresAt": expires, "email": email}


def load(browser: Browser, base: str, session: dict[str, object], path: str, ready: str) -> float:
    """Milliseconds from the navigation's start to `ready` being visible, in a fresh context."""
    context = browser.new_context(base_url=base)
    context.add_init_script(
        f"sessionStorage.setItem('tap.session', {json.dumps(json.dumps(session))})"
    )
    page = context.new_page()
    try:
        page.goto(path, wait_until="commit")
        page.locator(ready).first.wait_for(state="visible", timeout=10_000)
        return float(page.evaluate("performance.now()"))  # since the navigation started
    finally:
        context.close()


def script_sizes() -> dict[str, tuple[int, int]]:
    return {
        path.name: (path.stat().st_size, len(gzip.compress(path.read_bytes(), compresslevel=9)))
        for path in sorted((DIST / "assets").glob("*.js"))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=25)
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        raise SystemExit("frontend/dist is not built: run `make site`")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as workdir:
        settings = {"MAIL_DIR": f"{workdir}/mail", "DATA_AGENT_PORT": "0", "LOG_LEVEL": "WARNING"}
        server = start_tap_serve(port, settings, Path(workdir) / "server.log")
        try:
            session = sign_in(base)
            upgrade = f"/#/tickets/{DEMO[2]}/upgrade"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                load(browser, base, session, upgrade, CALENDAR_READY)  # warm the server
                baseline, target = [], []
                for _ in range(args.loads):  # interleaved, so drift hits both alike
                    baseline.append(load(browser, base, {}, "/#/sign-in", "form.auth-form"))
                    target.append(load(browser, base, session, upgrade, CALENDAR_READY))
                browser.close()
        finally:
            stop_tap_serve(server)
    sign_in_ms, calendar_ms = statistics.median(baseline), statistics.median(target)
    print(f"loads of each page: {args.loads}, fresh browser context each (cold cache)")
    print(f"sign-in page ready (baseline): median {sign_in_ms:.0f} ms")
    print(
        f"upgrade page to a usable calendar: median {calendar_ms:.0f} ms, "
        f"min {min(target):.0f}, max {max(target):.0f} (target < 1000 ms)"
    )
    print(f"ratio calendar / sign-in: {calendar_ms / sign_in_ms:.2f}")
    for name, (raw, packed) in script_sizes().items():
        print(f"script {name}: {raw / 1000:.1f} kB, {packed / 1000:.1f} kB gzip -9")


if __name__ == "__main__":
    main()
