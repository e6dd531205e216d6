"""Property 19: every malformed API request gets a 4xx RFC 9457 problem answer."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tiers import Tier
from tests.builders import World
from tests.property.support import app_client, fresh_world, store_fingerprint

PROBLEM_FIELDS = ("type", "title", "status", "detail", "code", "guidance")
CODE = re.compile(r"[a-z][a-z_]*[a-z]")
TRACE_MARKERS = ("Traceback", 'File "')


@dataclass
class Api:
    """One app for the whole module: building it costs ~0.1 s, far more than an example. Every
    example checks that the store is exactly as it was, so examples cannot leak into each other."""

    world: World
    client: Any
    auth: dict[str, str]
    ticket_number: str
    own_numbers: tuple[str, ...]
    order_id: str
    email: str


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    world = fresh_world()
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    other = world.ticket(ana, Tier.GENERAL, visit_in=10)
    order = world.quote(ana, other, Tier.STANDARD, world.day(12))  # a pending, payable order
    with app_client(world) as client:
        yield Api(
            world,
            client,
            world.auth("ana@example.com"),
            ticket.number.value,
            (ticket.number.value, other.number.value),
            str(order.id),
            "ana@example.com",
        )


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    authenticated: bool = True


# -- building blocks ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
wrong_for_string = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=2)
wrong_for_integer = (
    st.none()
    | st.booleans()
    | st.text(max_size=4)
    | st.floats(allow_nan=False).filter(lambda f: not f.is_integer())
    | st.lists(st.integers(), max_size=2)
)
not_json = st.sampled_from([b"{", b"{'a': 1}", b"not json", b"\xff\xfe", b"[1, 2", b'{"a":}'])
bad_dates = st.one_of(
    st.sampled_from(
        ["2026-02-30", "2026-13-01", "tomorrow", "", "2026/03/20", "20-03-2026", "2026-3-5x"]
    ),
    st.text(max_size=12).filter(lambda t: not re.fullmatch(r"\d{4}-\d\d-\d\d", t)),
)
unknown_key = st.text(min_size=1, max_size=10).map(lambda text: f"x_{text}")


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@st.composite
def malformed_object(
    draw: st.DrawFn,
    valid: dict[str, Any],
    required: tuple[str, ...],
    wrong: st.SearchStrategy[Any] = wrong_for_string,
) -> bytes:
    """A body for a schema whose valid form is `valid`: not an object, not JSON, a missing
    required field, a field of the wrong type, or an unknown field (the schemas forbid them)."""
    kind = draw(st.sampled_from(["not_object", "not_json", "missing", "wrong_type", "extra"]))
    if kind == "not_object":
        return encode(draw(json_values.filter(lambda v: not isinstance(v, dict))))
    if kind == "not_json":
        return draw(not_json)
    body = dict(valid)
    if kind == "missing" and required:
        del body[draw(st.sampled_from(required))]
    elif kind == "wrong_type":
        name = draw(st.sampled_from(sorted(valid)))
        body[name] = draw(wrong if isinstance(valid[name], str) else wrong_for_integer)
    else:
        body[draw(unknown_key)] = draw(json_values)
    return encode(body)


def path_segment() -> st.SearchStrategy[str]:
    return (
        st.text(min_size=1, max_size=12)
        .filter(lambda s: s not in (".", ".."))
        .map(lambda s: quote(s, safe=""))
    )


# -- the malformed requests ----------------------------------------------------------------------


@st.composite
def random_paths(draw: st.DrawFn, api: Api) -> Call:
    """Any method on any path under /api, without a valid token."""
    segments = draw(st.lists(path_segment(), min_size=0, max_size=4))
    path = "/api/" + "/".join(segments)
    if path.rstrip("/") == "/api/health":
        path += "/nope"
    method = draw(st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE"]))
    return Call(method, path, draw(bad_auth_headers()), None, authenticated=False)


ROUTES = {
    "/api/health": {"GET"},
    "/api/auth/register": {"POST"},
    "/api/auth/login": {"POST"},
    "/api/me": {"GET", "PATCH"},
    "/api/tickets": {"GET"},
    "/api/tickets/{ref}": {"GET"},
    "/api/tickets/{ref}/eligibility": {"GET"},
    "/api/tickets/{ref}/upgrade-options": {"GET"},
    "/api/upgrades": {"GET", "POST"},
    "/api/upgrades/{order}": {"GET"},
    "/api/upgrades/{order}/payment": {"POST"},
    "/api/upgrades/{order}/cancel": {"POST"},
}
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


@st.composite
def wrong_methods(draw: st.DrawFn, api: Api) -> Call:
    """A real route with a method it does not answer, with or without a valid token."""
    template = draw(st.sampled_from(sorted(ROUTES)))
    method = draw(st.sampled_from([m for m in METHODS if m not in ROUTES[template]]))
    path = template.format(ref=api.ticket_number, order=api.order_id)
    path += draw(st.sampled_from(["", "/"])) if "{" not in template else ""
    return Call(method, path, authenticated=draw(st.booleans()))


@st.composite
def bad_auth_headers(draw: st.DrawFn) -> dict[str, str]:
    kind = draw(st.sampled_from(["missing", "garbage", "scheme", "empty", "forged", "tampered"]))
    if kind == "missing":
        return {}
    if kind == "garbage":
        text = draw(st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60))
        return {"Authorization": f"Bearer {text}"}
    if kind == "scheme":
        return {"Authorization": f"Basic {draw(st.text('abcdefXYZ0123=', max_size=20))}"}
    if kind == "empty":
        return {"Authorization": "Bearer "}
    if kind == "forged":  # a well-formed JWT, unsigned or signed with a guessable secret
        claims = {"sub": str(uuid.uuid4()), "token_use": "access", "client_id": "tap-web"}
        algorithm = draw(st.sampled_from(["HS256", "none"]))
        key = "secret-key-for-hs256-tokens-32bytes!" if algorithm == "HS256" else None
        return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}
    return {"Authorization": "tampered"}  # replaced below with a tampered real token


@st.composite
def unauthenticated_calls(draw: st.DrawFn, api: Api) -> Call:
    """A well-formed request for a customer resource, with no valid token."""
    headers = draw(bad_auth_headers())
    if headers.get("Authorization") == "tampered":
        token = api.auth["Authorization"].removeprefix("Bearer ")
        head, payload, signature = token.split(".")
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        headers = {"Authorization": f"Bearer {draw(st.sampled_from([head, payload]))}.{flipped}"}
    method, path = draw(
        st.sampled_from(
            [
                ("GET", "/api/me"),
                ("GET", "/api/tickets"),
                ("GET", f"/api/tickets/{api.ticket_number}"),
                ("GET", f"/api/tickets/{api.ticket_number}/eligibility"),
                ("GET", f"/api/tickets/{api.ticket_number}/upgrade-options"),
                ("GET", "/api/upgrades"),
                ("GET", f"/api/upgrades/{api.order_id}"),
                ("POST", f"/api/upgrades/{api.order_id}/cancel"),
            ]
        )
    )
    return Call(method, path, headers, authenticated=False)


@st.composite
def auth_bodies(draw: st.DrawFn, api: Api) -> Call:
    """Register and sign in with malformed bodies."""
    which = draw(st.sampled_from(["register", "login"]))
    if which == "register":
        valid = {
            "email": "new.person@example.com",
            "password": "Sunny-day-42",
            "first_name": "New",
            "last_name": "Person",
        }
        body = draw(malformed_object(valid, tuple(valid)))
    else:
        body = draw(malformed_object({"email": api.email, "password": "Sunny-day-42"}, ("email",)))
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "text/plain"]))}
    return Call("POST", f"/api/auth/{which}", headers, body, authenticated=False)


def _bad_reference() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(min_size=1, max_size=80).filter(lambda s: s not in (".", "..")),
        st.from_regex(r"TKT-[0-9]{8}", fullmatch=True),
        st.builds(lambda: str(uuid.uuid4())),
        st.sampled_from(["TKT-1234", "TKT-123456789", "tkt_00000001", "00000001", " "]),
    )


@st.composite
def ticket_reads(draw: st.DrawFn, api: Api) -> Call:
    """Ticket reads with a bad reference, or upgrade options with a bad start or days."""
    if draw(st.booleans()):
        ref = draw(_bad_reference().filter(lambda r: r.strip().upper() not in api.own_numbers))
        suffix = draw(st.sampled_from(["", "/eligibility", "/upgrade-options"]))
        return Call("GET", f"/api/tickets/{quote(ref, safe='')}{suffix}")
    bad_days = st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=181),
        st.sampled_from(["x", "1.5", "", "ten", "0x1f", "1_0"]),
    )
    far = st.sampled_from(["1900-01-01", "2100-06-01", "2024-01-01", "0001-01-01", "9999-12-31"])
    query: dict[str, Any] = {}
    kind = draw(st.sampled_from(["start", "days", "both"]))
    if kind in ("start", "both"):
        query["start"] = draw(st.one_of(bad_dates, far))
    if kind in ("days", "both"):
        query["days"] = draw(bad_days)
    path = f"/api/tickets/{api.ticket_number}/upgrade-options?{urlencode(query)}"
    return Call("GET", path)


@st.composite
def timestamps_of_bookable_days(draw: st.DrawFn, api: Api) -> Any:
    """A bookable day written as a UTC timestamp: a visit date is never a timestamp."""
    day = api.world.day(draw(st.integers(min_value=2, max_value=120)))
    seconds = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return draw(st.sampled_from([seconds, str(seconds), float(seconds), seconds * 1000]))


@st.composite
def quote_requests(draw: st.DrawFn, api: Api) -> Call:
    """Quotes that can never succeed: malformed bodies, or a well-formed body naming a bad
    ticket, a bad tier or a date that cannot be booked."""
    today = api.world.today
    valid = {"ticket": api.ticket_number, "tier": "non-stop", "date": f"{today.replace(day=1)}"}
    if draw(st.booleans()):
        body = draw(malformed_object(valid, ("ticket", "tier", "date")))
    else:
        spoil = draw(st.sampled_from(["ticket", "tier", "date"]))
        body_value = dict(valid, date=(today.replace(year=today.year + 1)).isoformat())
        if spoil == "ticket":
            body_value = dict(valid, date=api.world.day(20).isoformat())
            body_value["ticket"] = draw(
                _bad_reference().filter(lambda r: r.strip().upper() not in api.own_numbers)
            )
        elif spoil == "tier":
            body_value = dict(valid, date=api.world.day(20).isoformat())
            body_value["tier"] = draw(
                st.one_of(
                    st.sampled_from(["general", "gold", "", "NONSTOP", "double fun!"]),
                    st.text(max_size=12),
                ).filter(
                    lambda t: (
                        t.strip().lower().replace("_", "-").replace(" ", "-")
                        not in ("standard", "non-stop", "double-fun")
                    )
                )
            )
        else:
            body_value["date"] = draw(
                st.one_of(
                    bad_dates,
                    st.sampled_from(
                        [
                            today.isoformat(),
                            api.world.day(1).isoformat(),
                            api.world.day(121).isoformat(),
                            api.world.day(-400).isoformat(),
                        ]
                    ),
                    timestamps_of_bookable_days(api),
                )
            )
        body = encode(body_value)
    headers = {"Content-Type": "application/json"}
    key = draw(st.sampled_from([None, "", "k" * 256, "fine-key-" + uuid.uuid4().hex]))
    if key is not None:
        headers["Idempotency-Key"] = key
    return Call("POST", "/api/upgrades/", headers, body)


@st.composite
def order_requests(draw: st.DrawFn, api: Api) -> Call:
    """Order reads, payments and cancels on bad ids, and payments with cards no one accepts."""
    kind = draw(st.sampled_from(["bad_id", "unknown_id", "bad_card"]))
    card = {
        "number": "4242 4242 4242 4242",
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "123",
        "name": "Ana Test",
    }
    if kind == "bad_id":
        order = quote(
            draw(st.text(min_size=1, max_size=40).filter(lambda s: s not in (".", ".."))), safe=""
        )
    elif kind == "unknown_id":
        order = str(uuid.uuid4())
    else:
        order = api.order_id
    if kind != "bad_card":
        action = draw(st.sampled_from(["read", "pay", "cancel"]))
        if action == "read":
            return Call("GET", f"/api/upgrades/{order}")
        if action == "cancel":
            return Call("POST", f"/api/upgrades/{order}/cancel")
        return Call(
            "POST",
            f"/api/upgrades/{order}/payment",
            {"Content-Type": "application/json"},
            encode({"card": card}),
        )
    spoil = draw(
        st.sampled_from(["body", "luhn", "pattern", "month", "expired", "cvc", "name", "card"])
    )
    if spoil == "body":
        body = draw(malformed_object({"card": card}, ("card",)))
    elif spoil == "card":
        inner = draw(malformed_object(card, tuple(card)))
        body = b'{"card": ' + inner + b"}"
    else:
        bad = dict(card)
        if spoil == "luhn":
            bad["number"] = draw(st.sampled_from(["4242 4242 4242 4241", "1234567812345678"]))
        elif spoil == "pattern":
            bad["number"] = draw(
                st.sampled_from(["4242-abcd", "42", "4" * 30, "４２４２４２４２４２４２４２４２"])
            )
        elif spoil == "month":
            bad["exp_month"] = draw(st.sampled_from([0, 13, -1, 99]))
        elif spoil == "expired":
            bad["exp_year"] = draw(st.sampled_from([2001, 2020, 25]))
        elif spoil == "cvc":
            bad["cvc"] = draw(st.sampled_from(["12", "12a", "12345", ""]))
        else:
            bad["name"] = draw(st.sampled_from(["", "x" * 101]))
        body = encode({"card": bad})
    return Call(
        "POST", f"/api/upgrades/{order}/payment", {"Content-Type": "application/json"}, body
    )


@st.composite
def me_updates(draw: st.DrawFn, api: Api) -> Call:
    """Changes to my details that must be refused."""
    if draw(st.booleans()):
        valid = {"email": "new@example.com", "first_name": "Ana", "last_name": "Test"}
        # Every field is optional here, so null is a right type: use other wrong ones.
        wrong = st.booleans() | st.integers() | st.lists(st.integers(), max_size=2)
        body = draw(malformed_object(valid, (), wrong))
    else:
        body = encode(
            draw(
                st.sampled_from(
                    [
                        {},
                        {"email": None, "first_name": None},
                        {"email": "not-an-email"},
                        {"email": "a@b"},
                        {"first_name": "   "},
                        {"last_name": "x" * 101},
                        {"first_name": "Ana\u0000"},
                        {"email": "ana@example.com", "first_name": ""},
                    ]
                )
            )
        )
    return Call("PATCH", "/api/me", {"Content-Type": "application/json"}, body)


@st.composite
def oversized(draw: st.DrawFn, api: Api) -> Call:
    size = draw(st.integers(min_value=65 * 1024, max_value=80 * 1024))
    body = encode({"ticket": "x" * size, "tier": "standard", "date": "2026-04-01"})
    return Call("POST", "/api/upgrades/", {"Content-Type": "application/json"}, body)


GENERATORS = (
    random_paths,
    wrong_methods,
    unauthenticated_calls,
    auth_bodies,
    ticket_reads,
    quote_requests,
    order_requests,
    me_updates,
    oversized,
)


def send(api: Api, call: Call) -> Any:
    headers = dict(call.headers)
    if call.authenticated:
        headers.update(api.auth)
    return api.client.request(call.method, call.path, headers=headers, content=call.body)


def assert_problem(response: Any, call: Call) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    problem = response.json()
    assert isinstance(problem, dict)
    missing = [name for name in PROBLEM_FIELDS if name not in problem]
    assert not missing, f"problem without {missing}: {problem}"
    assert problem["status"] == response.status_code
    assert problem["title"] == HTTPStatus(response.status_code).phrase
    assert isinstance(problem["code"], str)
    assert CODE.fullmatch(problem["code"])
    assert problem["type"] == f"/problems/{problem['code']}"
    assert isinstance(problem["detail"], str)
    assert problem["detail"].strip()
    assert isinstance(problem["guidance"], str)
    assert problem["guidance"].strip(), problem
    text = response.text
    assert not any(marker in text for marker in TRACE_MARKERS), text[:500]


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@given(data=st.data())
def test_every_malformed_request_gets_a_4xx_problem_answer_without_a_trace(
    api: Api, generator: Any, data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 19: For any API error condition, the Backend API should implement proper error handling and return appropriately formatted responses

    Random JSON bodies, wrong types, bad dates, bad references, random paths under /api,
    missing or garbage tokens, bad cards, oversized bodies: a 4xx answer in RFC 9457 problem
    JSON (type, title, status, detail, code, guidance; status equal to the HTTP status), never
    a traceback, and nothing in the store changes."""  # noqa: E501
    call = data.draw(generator(api), label="request")
    before = store_fingerprint(api.world)

    response = send(api, call)

    assert_problem(response, call)
    assert store_fingerprint(api.world) == before
