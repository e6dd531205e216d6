"""Sends email through Amazon SES (the v2 API) as raw MIME, so our Message-ID reaches the inbox."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from adapters.email.file_sender import to_wire_mime
from application.outbox import EmailMessage
from application.ports.clock import Clock
from application.ports.email import EmailDeliveryError

log = logging.getLogger(__name__)

# Error codes that sending the same message again cannot fix: SES refuses the message or the
# sender, or the account or the configuration set is unusable until a person steps in.
# Everything else (throttling, a paused account, 5xx, expired credentials, a code we have not
# met) is retried: the outbox gives up after its last attempt anyway, and a confirmation lost
# to a misjudged hiccup costs more than a few extra attempts.
PERMANENT_ERROR_CODES = frozenset(
    {
        "MessageRejected",  # content refused, or (sandbox) an unverified sender or recipient
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",  # lifted by AWS review, in days, not within the retries
        "NotFoundException",  # an unknown configuration set or identity
        "BadRequestException",
    }
)


class SesV2Client(Protocol):
    """The one call of a boto3 `sesv2` client this adapter makes."""

    def send_email(self, **kwargs: Any) -> Any: ...


class SesEmailSender:
    """Hands each message to SES with `SendEmail` and `Content.Raw`.

    Raw rather than Simple content: SES would otherwise write its own Message-ID, and a resent
    message would no longer be recognisably the same one.
    """

    def __init__(
        self,
        client: SesV2Client,
        sender: str,
        clock: Clock,
        configuration_set: str | None = None,
    ) -> None:
        self._client = client
        self._sender = sender
        self._clock = clock
        self._configuration_set = configuration_set

    def send(self, message: EmailMessage) -> None:
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": to_wire_mime(message, self._sender, self._clock)}},
        }
        if self._configuration_set is not None:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._client.send_email(**request)
        except ClientError as error:
            raise _client_failure(error) from error
        except ParamValidationError as error:
            # Its text quotes parameter values, and one of them is the whole message.
            raise EmailDeliveryError("SES refused the request's parameters", True) from error
        except BotoCoreError as error:  # no answer: connection refused, timeouts, DNS
            raise EmailDeliveryError(f"SES unreachable: {error}") from error
        log.info(
            "email sent",
            extra={
                "to": message.to,
                "subject": message.subject,
                "message_id": str(message.id),
                "ses_message_id": response.get("MessageId"),
            },
        )


def _client_failure(error: ClientError) -> EmailDeliveryError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Unknown"))
    text = details.get("Message")
    reason = f"SES {code}: {text}" if text else f"SES {code}"
    return EmailDeliveryError(reason, permanent=code in PERMANENT_ERROR_CODES)
