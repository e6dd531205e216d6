"""Fixtures shared by the contract suites and the adapters that subclass them."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.identity import local as local_identity


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(autouse=True)
def one_signing_key_for_every_container(
    monkeypatch: pytest.MonkeyPatch, signing_key: rsa.RSAPrivateKey
) -> None:
    """Containers built here sign tokens with one already parsed key: making or even parsing
    an RSA key per container would dominate the run, and no contract here is about tokens."""
    monkeypatch.setattr(local_identity, "load_or_generate_key", lambda _pem: signing_key)
