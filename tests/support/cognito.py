"""A Cognito user pool on moto's HTTP server, for tests of the `cognito` identity (API and
browser): one pool whose usernames are emails, one public app client (no secret) that allows
USER_PASSWORD_AUTH, SRP and refresh tokens, as the site's client is configured on AWS.

moto runs as a real HTTP server in this process, so the API fetches the pool's JWKS over HTTP
exactly as it does from AWS, and a browser can reach the pool too (moto answers CORS).

Caveats of moto that tests must respect: SRP does not check the password (USER_PASSWORD_AUTH
does); every pool signs with the same key (so "another pool" is caught by `iss`, not by the
signature); tokens carry the AWS-form issuer `https://cognito-idp.<region>.amazonaws.com/<pool>`
while the JWKS is served at `<endpoint_url>/<pool>/.well-known/jwks.json`. The server shares
moto's in-process state: a `mock_aws()` started while it runs resets it, so keep an emulator
to one test or one module rather than the whole session. A user who signs up through the site
and confirms with any code has no `email_verified` attribute on moto (AWS would say "true");
the API accepts that, and refuses only an email marked "false".
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

# us-east-1: moto's unsigned calls (GlobalSignOut, ...) land in that region's backend.
REGION = "us-east-1"
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}
_UNSET = ("AWS_SESSION_TOKEN", "AWS_PROFILE")


@dataclass
class CognitoEmulator:
    """The running pool: give `endpoint_url`, `region`, `user_pool_id` and `client_id` to the
    API's settings (TAP_COGNITO_*) or to the site's Cognito client."""

    endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    client: Any  # a boto3 cognito-idp client on the emulator

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def add_user(self, email: str, password: str) -> None:
        """A user who signed up with this email and password and is confirmed (can sign in),
        with the email verified, as typing the emailed code does on AWS. The API has no customer
        record for them until they `POST /api/me`."""
        self.client.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        self.client.admin_confirm_sign_up(UserPoolId=self.user_pool_id, Username=email)
        self.client.admin_update_user_attributes(
            UserPoolId=self.user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        )

    def sign_in(self, email: str, password: str) -> dict[str, str]:
        """The AuthenticationResult of USER_PASSWORD_AUTH: AccessToken, IdToken, RefreshToken."""
        answer = self.client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        result: dict[str, str] = answer["AuthenticationResult"]
        return result

    def new_pool(self) -> tuple[str, str]:
        """Another pool and app client on the same emulator: (user_pool_id, client_id)."""
        return create_pool(self.client)


def cognito_client(endpoint_url: str, region: str = REGION) -> Any:
    return boto3.client(
        "cognito-idp",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_pool(client: Any) -> tuple[str, str]:
    pool = client.create_user_pool(
        PoolName=f"tap-{uuid.uuid4().hex[:8]}",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="tap-site",
        GenerateSecret=False,
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]
    return pool["Id"], app_client["ClientId"]


@contextmanager
def _fake_credentials() -> Iterator[None]:
    """moto wants (any) AWS credentials; boto3 clients made elsewhere in the process (the API's
    adapter) read them from the environment. The previous environment is restored on exit."""
    saved = {name: os.environ.get(name) for name in (*_FAKE_CREDENTIALS, *_UNSET)}
    os.environ.update(_FAKE_CREDENTIALS)
    for name in _UNSET:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def cognito_emulator() -> Iterator[CognitoEmulator]:
    """moto's server on 127.0.0.1 (a free port), with a fresh pool and app client."""
    # moto's server logs every request at INFO through werkzeug; keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with _fake_credentials():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint_url = f"http://{host}:{port}"
            client = cognito_client(endpoint_url)
            pool_id, client_id = create_pool(client)
            yield CognitoEmulator(endpoint_url, REGION, pool_id, client_id, client)
        finally:
            server.stop()
