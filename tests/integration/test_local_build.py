"""The one-command local build, as a developer runs it: `tap serve` in its own process, then the
whole flow over real HTTP, down to the confirmation email written as an .eml file."""

from __future__ import annotations

import email
import email.policy
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.demo_data import DEMO_PASSWORD
from tests.support.live_http import free_port, serve_process, tap_serve_memory


class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Path]]:
    mail = tmp_path_factory.mktemp("mail")
    port = free_port()
    env = {
        **os.environ,
        "TAP_MAIL_DIR": str(mail),
        "TAP_PASSWORD_HASH_COST": "1024",
        "TAP_OUTBOX_POLL_SECONDS": "0.1",
    }
    log = tmp_path_factory.mktemp("log") / "server.log"
    with serve_process(tap_serve_memory(port), env, log):
        yield Api(f"http://127.0.0.1:{port}"), mail


def test_tap_serve_sells_an_upgrade_end_to_end_and_mails_the_confirmation_code(
    served: tuple[Api, Path],
) -> None:
    api, mail = served

    status, login = api.call(
        "POST", "/api/auth/login", {"email": "alice@example.com", "password": DEMO_PASSWORD}
    )
    assert status == 200
    api.token = login["access_token"]
    status, tickets = api.call("GET", "/api/tickets")
    assert status == 200
    ticket = next(t for t in tickets if t["eligibility"]["eligible"] and t["tier"] == "general")
    status, options = api.call("GET", f"/api/tickets/{ticket['number']}/upgrade-options?days=60")
    assert status == 200
    assert [tier["key"] for tier in options["tiers"]] == ["standard", "non-stop", "double-fun"]
    day = next(d for d in options["calendar"] if d["tiers"]["double-fun"]["available"])
    status, order = api.call(
        "POST",
        "/api/upgrades",
        {"ticket": ticket["number"], "tier": "double-fun", "date": day["date"]},
    )
    assert status == 201
    assert order["amount_due"] == day["tiers"]["double-fun"]["amount_due"]
    card = {
        "number": "4242 4242 4242 4242",
        "exp_month": 12,
        "exp_year": 2031,
        "cvc": "123",
        "name": "Alice Rivera",
    }
    status, paid = api.call("POST", f"/api/upgrades/{order['id']}/payment", {"card": card})

    assert status == 200
    assert paid["status"] == "confirmed"
    code = paid["confirmation_code"]
    message = _wait_for_email(mail, code)
    assert message["To"] == "alice@example.com"
    assert code in message.get_body(("plain",)).get_content()
    status, after = api.call("GET", f"/api/upgrades/{order['id']}")
    assert after["email_status"] == "sent"


def test_the_demo_data_shows_every_eligibility_code(served: tuple[Api, Path]) -> None:
    api, _ = served
    codes = set()
    for person in ("alice", "bob", "carol", "dave", "eve"):
        status, login = api.call(
            "POST", "/api/auth/login", {"email": f"{person}@example.com", "password": DEMO_PASSWORD}
        )
        assert status == 200
        api.token = login["access_token"]
        codes |= {t["eligibility"]["code"] for t in api.call("GET", "/api/tickets")[1]}

    assert codes >= {
        None,
        "ticket_not_active",
        "visit_date_passed",
        "already_top_tier",
        "upgrade_in_progress",
    }


def _wait_for_email(folder: Path, code: str) -> email.message.EmailMessage:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in folder.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if code in str(message["Subject"]):
                return message  # type: ignore[return-value]
        time.sleep(0.1)
    raise AssertionError(f"no .eml with {code} in {folder}")
