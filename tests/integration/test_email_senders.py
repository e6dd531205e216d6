"""The real senders' failures: which ones the outbox retries (transient) and which it gives up
at once (permanent), what goes on the wire, what is logged, and an outbox riding out a mail
server outage with the SMTP sender."""

from __future__ import annotations

import functools
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from botocore.config import Config
from botocore.stub import ANY, Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

from adapters.clock import FixedClock
from adapters.email.ses_sender import SesEmailSender
from adapters.email.smtp_sender import SmtpEmailSender
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.realtime.hub import InMemoryProgressHub
from application.outbox import DeliveryStatus, EmailKind, OutboxMessage
from application.ports.email import EmailDeliveryError
from application.use_cases.dispatch_outbox import DispatchOutbox, DispatchReport
from tests.contract.test_email_sender_contract import (
    MESSAGE,
    REGION,
    SENDER,
    SmtpTestServer,
    free_port,
    parse,
    sesv2_client,
)

PASSWORD = "s3cret-Relay-pass"

# The test server takes AUTH without TLS on purpose; aiosmtpd warns about exactly that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def delivery_error(sender: Any) -> EmailDeliveryError:
    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(MESSAGE)
    return caught.value


def has_bare_line_feeds(raw: bytes) -> bool:
    return b"\n" in raw.replace(b"\r\n", b"")


# -- SES ------------------------------------------------------------------------------------


@pytest.fixture
def ses() -> Iterator[Any]:
    with mock_aws():
        client = sesv2_client()
        client.create_email_identity(EmailIdentity="funland.example")
        yield client


@pytest.fixture
def stubbed_ses() -> Iterator[tuple[Any, Stubber]]:
    client = sesv2_client()
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_ses_refuses_an_unverified_sender_for_good(ses: Any, clock: FixedClock) -> None:
    error = delivery_error(SesEmailSender(ses, "Other <noreply@unverified.example>", clock))

    assert error.permanent
    assert str(error).startswith("SES MessageRejected:")


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("TooManyRequestsException", 429, False),
        ("LimitExceededException", 400, False),
        ("Throttling", 400, False),
        ("SendingPausedException", 400, False),
        ("InternalFailure", 500, False),
        ("ServiceUnavailable", 503, False),
        ("MessageRejected", 400, True),
        ("MailFromDomainNotVerifiedException", 400, True),
        ("AccountSuspendedException", 400, True),
        ("NotFoundException", 404, True),
    ],
)
def test_ses_errors_are_retried_unless_retrying_cannot_help(
    stubbed_ses: tuple[Any, Stubber], clock: FixedClock, code: str, status: int, permanent: bool
) -> None:
    client, stubber = stubbed_ses
    stubber.add_client_error(
        "send_email", service_error_code=code, service_message="nope", http_status_code=status
    )

    error = delivery_error(SesEmailSender(client, SENDER, clock))

    assert (error.permanent, str(error)) == (permanent, f"SES {code}: nope")


@pytest.mark.parametrize("configuration_set", [None, "transactional"])
def test_ses_gets_the_configuration_set_only_when_one_is_set(
    stubbed_ses: tuple[Any, Stubber], clock: FixedClock, configuration_set: str | None
) -> None:
    client, stubber = stubbed_ses
    expected: dict[str, Any] = {
        "FromEmailAddress": SENDER,
        "Destination": {"ToAddresses": [MESSAGE.to]},
        "Content": {"Raw": {"Data": ANY}},
    }
    if configuration_set is not None:
        expected["ConfigurationSetName"] = configuration_set
    stubber.add_response("send_email", {"MessageId": "ses-1"}, expected)

    SesEmailSender(client, SENDER, clock, configuration_set=configuration_set).send(MESSAGE)


def test_an_unreachable_ses_endpoint_is_transient(clock: FixedClock) -> None:
    client = boto3.client(
        "sesv2",
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1),
    )

    error = delivery_error(SesEmailSender(client, SENDER, clock))

    assert not error.permanent
    assert str(error).startswith("SES unreachable:")


def test_ses_gets_crlf_mime_and_the_send_is_logged_without_the_body(
    ses: Any, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters")

    SesEmailSender(ses, SENDER, clock).send(MESSAGE)

    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    raw = sent.raw_data.encode()
    assert not has_bare_line_feeds(raw)
    assert parse(raw)["Message-ID"] == f"<{MESSAGE.id}@funland.example>"
    [record] = [r for r in caplog.records if r.name == "adapters.email.ses_sender"]
    assert (record.levelno, record.to, record.subject, record.ses_message_id) == (
        logging.INFO,
        MESSAGE.to,
        MESSAGE.subject,
        sent.id,
    )
    assert "Grüße" not in caplog.text


# -- SMTP -----------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def smtp_sender(port: int, clock: FixedClock, **options: Any) -> SmtpEmailSender:
    return SmtpEmailSender("127.0.0.1", port, SENDER, clock, **{"timeout": 5, **options})


def test_a_mail_server_that_is_down_is_transient(clock: FixedClock) -> None:
    error = delivery_error(smtp_sender(free_port(), clock))

    assert not error.permanent
    assert "unreachable" in str(error)


def test_a_mail_server_that_never_answers_times_out_as_transient(clock: FixedClock) -> None:
    with socket.socket() as silent:  # accepts the connection, never sends a greeting
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        error = delivery_error(smtp_sender(silent.getsockname()[1], clock, timeout=0.2))

    assert not error.permanent


@pytest.mark.parametrize(
    ("stage", "reply", "permanent"),
    [
        ("rcpt", "550 5.1.1 No such user", True),
        ("rcpt", "451 4.3.0 Try again later", False),
        ("data", "554 5.6.0 Message refused", True),
        ("data", "452 4.3.1 Insufficient storage", False),
    ],
)
def test_smtp_5xx_replies_are_permanent_and_4xx_transient(
    server: SmtpTestServer, clock: FixedClock, stage: str, reply: str, permanent: bool
) -> None:
    setattr(server, f"{stage}_reply", reply)

    error = delivery_error(smtp_sender(server.port, clock))

    assert error.permanent is permanent
    assert reply in str(error)
    assert server.received == []


def test_smtp_sends_crlf_mime_with_the_bare_sender_address_on_the_envelope(
    server: SmtpTestServer, clock: FixedClock
) -> None:
    smtp_sender(server.port, clock).send(MESSAGE)

    [envelope] = server.received
    assert (envelope.mail_from, envelope.rcpt_tos) == ("upgrades@funland.example", [MESSAGE.to])
    assert not has_bare_line_feeds(server.messages()[0])


@pytest.fixture
def auth_server() -> Iterator[SmtpTestServer]:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = isinstance(data, LoginPassword) and data == (b"relay", PASSWORD.encode())
        return AuthResult(success=good, handled=False)

    with SmtpTestServer(authenticator=check, auth_required=True, auth_require_tls=False) as server:
        yield server


def test_smtp_logs_in_before_sending(auth_server: SmtpTestServer, clock: FixedClock) -> None:
    smtp_sender(auth_server.port, clock, username="relay", password=PASSWORD).send(MESSAGE)

    assert len(auth_server.received) == 1


def test_a_server_that_wants_a_login_refuses_a_sender_without_one_for_good(
    auth_server: SmtpTestServer, clock: FixedClock
) -> None:
    error = delivery_error(smtp_sender(auth_server.port, clock))

    assert error.permanent
    assert auth_server.received == []


def test_a_wrong_password_is_permanent_and_no_password_is_ever_logged(
    auth_server: SmtpTestServer, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    error = delivery_error(smtp_sender(auth_server.port, clock, username="relay", password="x!"))
    smtp_sender(auth_server.port, clock, username="relay", password=PASSWORD).send(MESSAGE)

    assert error.permanent
    assert "535" in str(error)
    assert len(auth_server.received) == 1
    assert "email sent" in caplog.text  # the sender's own log is in what we search
    assert PASSWORD not in caplog.text
    assert "x!" not in str(error)


# -- the outbox -----------------------------------------------------------------------------


def test_the_outbox_rides_out_a_mail_server_outage_and_delivers_once(clock: FixedClock) -> None:
    port = free_port()
    store = MemoryStore(clock)
    dispatch = DispatchOutbox(
        uow=functools.partial(MemoryUnitOfWork, store),
        clock=clock,
        sender=smtp_sender(port, clock),
        progress=InMemoryProgressHub(),
    )
    with MemoryUnitOfWork(store) as uow:
        uow.outbox.add(
            OutboxMessage.new(MESSAGE, EmailKind.UPGRADE_CONFIRMED, None, None, clock.now())
        )
        uow.commit()

    def stored() -> OutboxMessage:
        with MemoryUnitOfWork(store) as uow:
            message = uow.outbox.get_for_update(MESSAGE.id)
        assert message is not None
        return message

    assert dispatch() == DispatchReport(retried=1)
    waiting = stored()
    assert waiting.status is DeliveryStatus.PENDING
    assert "unreachable" in (waiting.last_error or "")

    with SmtpTestServer(port=port) as server:
        assert dispatch() == DispatchReport()  # not due yet: the server is not asked
        assert server.received == []
        clock.advance(timedelta(seconds=30))
        assert dispatch() == DispatchReport(sent=1)
        clock.advance(timedelta(hours=1))
        assert dispatch() == DispatchReport()

    [raw] = server.messages()
    assert parse(raw)["Message-ID"] == f"<{MESSAGE.id}@funland.example>"
    sent = stored()
    assert (sent.status, sent.attempts, sent.last_error) == (DeliveryStatus.SENT, 2, None)
