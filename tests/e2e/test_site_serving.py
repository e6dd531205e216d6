"""The built site served from the API's origin: `/` and client-side routes give index.html,
hashed assets are cached for good, and every server address keeps answering as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

import infra.settings
from infra.settings import Settings
from tests.builders import World
from tests.e2e.api import Api, assert_problem, quote

MARKER = "<!-- the fake built site -->"
INDEX = f'<!doctype html><html><head>{MARKER}<script type="module" src="/assets/app-abc123.js">'
INDEX += '</script></head><body><div id="root"></div></body></html>'
SCRIPT = 'console.log("funland");\n'


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """What `npm run build` writes: index.html and content-hashed files under assets/."""
    built = tmp_path / "site"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX, encoding="utf-8")
    (built / "assets" / "app-abc123.js").write_text(SCRIPT, encoding="utf-8")
    return built


@pytest.fixture
def with_site(make_api: Callable[..., Api], site: Path) -> Api:
    return make_api(site_dir=site)


def assert_index(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert MARKER in response.text


def test_the_root_is_the_sites_index_page(with_site: Api) -> None:
    assert_index(with_site.client.get("/"))


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/TKT-00000001",
        "/orders/6f1c0b7e-1111-4222-8333-944455556666",
        "/sign-in",
        "/tickets/TKT-00000001/upgrade/",
    ],
)
def test_a_client_side_route_falls_back_to_the_index_page(with_site: Api, path: str) -> None:
    assert_index(with_site.client.get(path))


def test_a_hashed_asset_is_served_with_its_type_and_cached_for_a_year(with_site: Api) -> None:
    response = with_site.client.get("/assets/app-abc123.js")

    assert response.status_code == 200
    assert response.text == SCRIPT
    assert "javascript" in response.headers["content-type"]
    cache = {part.strip() for part in response.headers["cache-control"].split(",")}
    assert cache == {"max-age=31536000", "public", "immutable"}


def test_a_missing_file_is_a_404_problem_not_the_page(with_site: Api) -> None:
    for path in ("/assets/app-gone.js", "/favicon.ico"):
        assert_problem(with_site.client.get(path), 404, "not_found")


def test_the_api_keeps_answering_json_beside_the_site(with_site: Api) -> None:
    response = with_site.client.get("/api/health")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == "ok"
    assert with_site.client.get("/.well-known/jwks.json").json()["keys"]
    assert with_site.client.get("/metrics").text.startswith("# HELP")


@pytest.mark.parametrize(
    "path", ["/api/nope", "/api", "/api/tickets/TKT-00000001/refund", "/.well-known/nope"]
)
def test_an_unknown_server_address_is_a_404_problem_not_the_page(with_site: Api, path: str) -> None:
    body = assert_problem(with_site.client.get(path), 404, "not_found")

    assert MARKER not in str(body)


def test_the_openapi_schema_is_still_served_and_does_not_list_the_site(with_site: Api) -> None:
    response = with_site.client.get("/schema/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/health" in paths
    assert all(path.startswith(("/api/", "/.well-known/")) for path in paths), paths


def test_the_progress_websocket_still_connects_beside_the_site(with_site: Api) -> None:
    world: World = with_site.world
    owner = world.customer("ana@example.com")
    ticket = world.ticket(owner)
    order = quote(
        with_site.client,
        world.auth("ana@example.com"),
        ticket.number.value,
        "standard",
        world.day(5),
    ).json()
    url = f"/api/upgrades/{order['id']}/events?access_token={world.token('ana@example.com')}"

    with with_site.client.websocket_connect(url) as socket:
        snapshot = socket.receive_json(timeout=5.0)

    assert snapshot["type"] == "snapshot"
    assert snapshot["order"]["id"] == order["id"]


def test_without_a_site_the_root_is_a_404_problem_as_before(make_api: Callable[..., Api]) -> None:
    api = make_api(site_dir=None)

    for path in ("/", "/tickets/TKT-00000001"):
        assert_problem(api.client.get(path), 404, "not_found")
    assert api.client.get("/schema/openapi.json").status_code == 200


# -- the setting ------------------------------------------------------------------------------


def test_the_site_defaults_to_frontend_dist_only_once_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAP_SITE_DIR", raising=False)
    monkeypatch.setattr(infra.settings, "BUILT_SITE", tmp_path / "dist")
    assert Settings(_env_file=None).site_dir is None  # type: ignore[call-arg]

    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text(INDEX, encoding="utf-8")
    assert Settings(_env_file=None).site_dir == tmp_path / "dist"  # type: ignore[call-arg]


def test_tap_site_dir_overrides_the_default_and_empty_turns_the_site_off(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAP_SITE_DIR", str(site))
    assert Settings(_env_file=None).site_dir == site  # type: ignore[call-arg]

    monkeypatch.setenv("TAP_SITE_DIR", "")
    assert Settings(_env_file=None).site_dir is None  # type: ignore[call-arg]


def test_a_site_dir_without_a_build_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAP_SITE_DIR", str(tmp_path / "nothing-built"))

    with pytest.raises(ValidationError, match="npm run build"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_site_forbids_foreign_code_and_framing(with_site: Api) -> None:
    for path in ("/", "/tickets/TKT-00000001", "/assets/app-abc123.js"):
        headers = with_site.client.get(path).headers
        policy = dict(part.split(" ", 1) for part in headers["content-security-policy"].split("; "))
        assert policy["script-src"] == "'self'", path
        assert policy["connect-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert headers["x-content-type-options"] == "nosniff", path


def test_a_cognito_site_may_talk_to_its_cognito_endpoint_only(
    make_api: Callable[..., Api], site: Path
) -> None:
    api = make_api(
        site_dir=site,
        identity="cognito",
        cognito_user_pool_id="eu-west-1_Ab1",
        cognito_client_id="web",
        aws_region="eu-west-1",
    )
    policy = api.client.get("/").headers["content-security-policy"]
    assert "connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com;" in policy
