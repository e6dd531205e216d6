"""The Cognito build as a browser meets it: the site built with VITE_AUTH_PROVIDER=cognito for
a moto user pool (tests/support/cognito.py), served with the API (identity `cognito`, memory
profile) by uvicorn from a thread of the test process, on one origin as in production. The
browser talks to the pool directly, as it talks to Cognito on AWS; moto answers CORS."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domain.customers import Customer, EmailAddress
from entrypoints.http.app import create_app
from infra.container import Container, build_container
from infra.settings import Settings
from tests.conftest import make_settings
from tests.support.cognito import CognitoEmulator
from tests.support.live_http import uvicorn_in_thread

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
VITE = FRONTEND / "node_modules" / ".bin" / "vite"
BUILD_TIMEOUT = 120

AuthFlow = Literal["USER_SRP_AUTH", "USER_PASSWORD_AUTH"]


def build_cognito_site(out_dir: Path, pool: CognitoEmulator, auth_flow: AuthFlow) -> Path:
    """`vite build` of the site for this pool into `out_dir` (about 1 s; the type check that
    `npm run build` adds is left to the frontend checks)."""
    assert VITE.is_file(), "the site's packages are not installed: run `npm ci` in frontend/"
    env = {
        **os.environ,
        "VITE_AUTH_PROVIDER": "cognito",
        "VITE_COGNITO_USER_POOL_ID": pool.user_pool_id,
        "VITE_COGNITO_CLIENT_ID": pool.client_id,
        "VITE_COGNITO_ENDPOINT": pool.endpoint_url,
        "VITE_COGNITO_AUTH_FLOW": auth_flow,
    }
    built = subprocess.run(
        [str(VITE), "build", "--outDir", str(out_dir), "--emptyOutDir"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert built.returncode == 0, f"the Cognito build failed:\n{built.stdout}\n{built.stderr}"
    assert (out_dir / "index.html").is_file(), f"no index.html in {out_dir}"
    return out_dir


@dataclass
class CognitoSite:
    """The running Cognito build: where it answers and the handles tests check against."""

    base_url: str
    container: Container
    settings: Settings
    pool: CognitoEmulator
    site_dir: Path

    def customer(self, email: str) -> Customer | None:
        """The API's customer record for this email, if one exists."""
        with self.container.unit_of_work() as uow:
            found: Customer | None = uow.customers.by_email(EmailAddress.parse(email))
        return found


@contextmanager
def cognito_site(
    workdir: Path, pool: CognitoEmulator, auth_flow: AuthFlow = "USER_PASSWORD_AUTH"
) -> Iterator[CognitoSite]:
    """Build the site for `pool` into `workdir` and serve it with the API until the block ends."""
    site_dir = build_cognito_site(workdir / "site", pool, auth_flow)
    settings = make_settings(
        workdir / "mail",
        identity="cognito",
        cognito_user_pool_id=pool.user_pool_id,
        cognito_client_id=pool.client_id,
        cognito_endpoint_url=pool.endpoint_url,
        aws_region=pool.region,
        site_dir=site_dir,
        email="file",
    )
    container = build_container(settings)
    with uvicorn_in_thread(create_app(container, settings)) as port:
        yield CognitoSite(f"http://127.0.0.1:{port}", container, settings, pool, site_dir)
