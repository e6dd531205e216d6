"""The whole way to SES: an upgrade paid in an application whose email setting is `ses` is
confirmed by a message that moto's SES received, read back and parsed as a mail client would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends
from moto.ses.models import RawMessage

from adapters.clock import FixedClock
from adapters.email.jinja_renderer import long_date
from domain.tiers import Tier
from infra.container import Container
from tests.builders import World
from tests.conftest import build_test_container, make_settings
from tests.contract.test_email_sender_contract import REGION, body, parse, sesv2_client


@pytest.fixture
def ses_world(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    # The container builds its own client from the default credential chain, as on AWS.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        sesv2_client().create_email_identity(EmailIdentity="funland.example")
        settings = make_settings(
            tmp_path, email="ses", aws_region=REGION, ses_configuration_set="upgrades"
        )
        sesv2_client().create_configuration_set(ConfigurationSetName="upgrades")
        container: Container = build_test_container(settings, clock)
        yield World(container, clock)


def delivered() -> list[bytes]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [m.raw_data.encode() for m in backend.sent_messages if isinstance(m, RawMessage)]


def test_the_confirmation_sent_through_ses_carries_the_code_and_the_visit_date(
    ses_world: World,
) -> None:
    world = ses_world
    ana = world.customer("ana@example.com", first="Ana", last="Rivera")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=12)
    day = world.day(12)
    paid = world.pay(ana, world.quote(ana, ticket, Tier.NON_STOP, day).id)
    assert delivered() == []  # nothing leaves before the dispatcher runs, after the commit

    report = world.container.dispatch_outbox()()

    assert report.sent == 1
    [raw] = delivered()
    message = parse(raw)
    code = paid.order.confirmation_code
    assert code is not None
    assert message["To"] == "ana@example.com"
    assert "upgrades@funland.example" in message["From"]
    for part in (body(message, "plain"), body(message, "html")):
        assert code.value in part
        assert long_date(day) in part
        assert ticket.number.value in part
    # The Message-ID is the outbox message's id: a resend would be recognisably the same.
    [delivery] = world.container.get_order()(ana, paid.id).emails
    assert str(delivery.id) in message["Message-ID"]
    assert delivery.status == "sent"
