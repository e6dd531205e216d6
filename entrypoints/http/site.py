"""The built React site (frontend/dist), served from the same origin as the API.

`/` and every client-side route (`/tickets/TKT-00000001`, `/orders/<uuid>`) answer index.html,
which the browser must revalidate each time; `/assets/*` holds Vite's content-hashed files,
cached for a year. The API's own addresses never fall back to the page: an unknown `/api/...`
stays a problem JSON 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.response import File
from litestar.static_files import create_static_files_router

from entrypoints.http.problems import handle_http_error

# Addresses that belong to the server, not to the site's client-side router.
SERVER_PREFIXES = ("/api", "/schema", "/metrics", "/.well-known", "/assets")

# Vite names every asset by its content hash (a changed file is a new address): keep them a
# year. index.html names the current ones, so the browser revalidates it on every visit.
ASSET_CACHE = CacheControlHeader(max_age=365 * 24 * 3600, public=True, immutable=True)
INDEX_CACHE = CacheControlHeader(no_cache=True)


def content_security_policy(connect_to: Sequence[str] = ()) -> str:
    """The site's page may load code, styles and fonts from its own origin only, talk to its own
    API (WebSocket included) and to `connect_to` (a Cognito endpoint), and never be framed: an
    injected script or a lookalike page framing ours has nowhere to go."""
    connect = " ".join(["'self'", *connect_to])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def is_client_route(path: str) -> bool:
    """A page the site's router draws: not a server address, and not a file (no extension)."""
    if any(path == prefix or path.startswith(prefix + "/") for prefix in SERVER_PREFIXES):
        return False
    return "." not in path.rsplit("/", 1)[-1]


def site_routers(site_dir: Path, connect_to: Sequence[str] = ()) -> list[Router]:
    """The routers serving `site_dir`: its hashed assets, then the rest with the page fallback.
    Every answer carries the site's security headers (`connect_to`: see the policy)."""
    index = site_dir / "index.html"
    headers = _security_headers(content_security_policy(connect_to))

    async def secure(response: Response[Any]) -> Response[Any]:
        response.headers.update(headers)
        return response

    def page_or_problem(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
        if request.method in {"GET", "HEAD"} and is_client_route(request.url.path):
            return File(
                index,
                filename="index.html",
                content_disposition_type="inline",
                media_type="text/html",
                headers={INDEX_CACHE.HEADER_NAME: INDEX_CACHE.to_header(), **headers},
            )
        return handle_http_error(request, error)

    routers = []
    if (site_dir / "assets").is_dir():
        routers.append(
            create_static_files_router(
                path="/assets",
                directories=[site_dir / "assets"],
                name="site-assets",
                cache_control=ASSET_CACHE,
                after_request=secure,
                include_in_schema=False,
            )
        )
    routers.append(
        create_static_files_router(
            path="/",
            directories=[site_dir],
            html_mode=True,
            name="site",
            cache_control=INDEX_CACHE,
            after_request=secure,
            exception_handlers={404: page_or_problem},
            include_in_schema=False,
        )
    )
    return routers
