"""Amazon Cognito user pools as the identity provider, through boto3's `cognito-idp` client.

Registration is server-side (the API's `/api/auth/register`), so it uses the admin calls:
AdminCreateUser with the email already marked verified and no invitation message, then
AdminSetUserPassword (permanent), which leaves the user CONFIRMED and able to sign in at once.
The public SignUp call would instead mail a confirmation code and leave the user UNCONFIRMED
until they typed it in, which `/api/auth/login` right after registering could not get past.
People who sign up on the site itself go through SignUp and the code, then create their
customer record with `POST /api/me`.

With email as the pool's username attribute, Cognito makes each user's username its `sub`,
and the admin calls accept the `sub` as the username; so a login's subject is all we keep.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from application.errors import AuthenticationError, ServiceUnavailableError
from application.ports.identity import AccessToken, email_taken, invalid_credentials
from domain.customers import EmailAddress
from domain.errors import InvalidInputError

log = logging.getLogger(__name__)

_INVALID_CREDENTIALS = ("NotAuthorizedException", "UserNotFoundException")
_EMAIL_TAKEN = ("UsernameExistsException", "AliasExistsException")


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _unavailable(operation: str, error: Exception) -> ServiceUnavailableError:
    # The code names the cause for the logs; the message never repeats the request.
    cause = _error_code(error) if isinstance(error, ClientError) else type(error).__name__
    return ServiceUnavailableError(
        "identity_unavailable",
        f"The sign-in service is unavailable ({operation} failed: {cause}).",
        "Please try again in a moment.",
    )


def _weak_password(error: ClientError) -> InvalidInputError:
    # Cognito's message names the pool's rule that failed (length, digits, symbols...).
    reason = str(error.response.get("Error", {}).get("Message", "")).strip()
    return InvalidInputError(
        "weak_password",
        "The password is too weak.",
        reason
        or "Use at least 8 characters, with upper and lower case letters, digits and a symbol.",
    )


def _attributes(entries: list[Mapping[str, str]]) -> dict[str, str]:
    return {entry["Name"]: entry.get("Value", "") for entry in entries}


class CognitoIdentityProvider:
    """A Cognito user pool whose username attribute is the email, and its public app client
    (no secret) with USER_PASSWORD_AUTH allowed. `client` is a boto3 `cognito-idp` client."""

    def __init__(self, client: Any, user_pool_id: str, client_id: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._client_id = client_id

    def register(self, email: EmailAddress, password: str) -> str:
        try:
            # The password as the temporary one, so that AWS checks it against the pool's
            # policy before the user exists.
            created = self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=email.value,
                UserAttributes=[
                    {"Name": "email", "Value": email.value},
                    {"Name": "email_verified", "Value": "true"},
                ],
                TemporaryPassword=password,
                MessageAction="SUPPRESS",
            )
        except ClientError as error:
            raise self._registration_error(error) from None
        except BotoCoreError as error:
            raise _unavailable("AdminCreateUser", error) from None
        subject = _attributes(created["User"]["Attributes"])["sub"]
        try:
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=subject, Password=password, Permanent=True
            )
        except (ClientError, BotoCoreError) as error:
            self._remove_half_made(subject)
            if isinstance(error, ClientError):
                raise self._registration_error(error) from None
            raise _unavailable("AdminSetUserPassword", error) from None
        return subject

    def _remove_half_made(self, subject: str) -> None:
        """A user without its password must not keep the email: the caller's next attempt
        would meet `email_taken`. If even that fails, the caller still gets the first error."""
        try:
            self.unregister(subject)
        except ServiceUnavailableError:
            log.warning("a half-registered Cognito user was left behind", extra={"sub": subject})

    def _registration_error(self, error: ClientError) -> Exception:
        code = _error_code(error)
        if code in _EMAIL_TAKEN:
            return email_taken()
        if code == "InvalidPasswordException":
            return _weak_password(error)
        return _unavailable("registration", error)

    def unregister(self, subject: str) -> None:
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=subject)
        except ClientError as error:
            if _error_code(error) != "UserNotFoundException":  # already gone is done
                raise _unavailable("AdminDeleteUser", error) from None
        except BotoCoreError as error:
            raise _unavailable("AdminDeleteUser", error) from None

    def authenticate(self, email: EmailAddress, password: str) -> AccessToken:
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email.value, "PASSWORD": password},
            )
        except ClientError as error:
            code = _error_code(error)
            if code in _INVALID_CREDENTIALS:
                raise invalid_credentials() from None
            if code == "UserNotConfirmedException":
                raise AuthenticationError(
                    "account_not_confirmed",
                    "This account's email address is not confirmed yet.",
                    "Enter the code we emailed you on the sign-up page, then sign in.",
                ) from None
            if code == "PasswordResetRequiredException":
                raise AuthenticationError(
                    "password_reset_required",
                    "This account's password must be reset before signing in.",
                    "Use 'Forgot password' on the sign-in page.",
                ) from None
            raise _unavailable("InitiateAuth", error) from None
        except BotoCoreError as error:
            raise _unavailable("InitiateAuth", error) from None
        result = answer.get("AuthenticationResult")
        if not result:
            # A challenge (a new password, MFA): steps only the site's own sign-in can take.
            raise AuthenticationError(
                "sign_in_incomplete",
                f"Signing in needs a further step ({answer.get('ChallengeName', 'unknown')}).",
                "Sign in on the site to complete it.",
            )
        return AccessToken(
            result["AccessToken"], int(result["ExpiresIn"]), result.get("TokenType", "Bearer")
        )

    def change_email(self, subject: str, email: EmailAddress) -> None:
        try:
            # Marked verified: our customer record already holds it (the use case checked it is
            # free), and an unverified email would stop the user from signing in with it.
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=subject,
                UserAttributes=[
                    {"Name": "email", "Value": email.value},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
        except ClientError as error:
            if _error_code(error) in _EMAIL_TAKEN:
                raise email_taken() from None
            raise _unavailable("AdminUpdateUserAttributes", error) from None
        except BotoCoreError as error:
            raise _unavailable("AdminUpdateUserAttributes", error) from None

    def email_of(self, subject: str) -> EmailAddress | None:
        if not subject or any(char in subject for char in '"\\'):
            return None  # not a sub; and it could not be quoted in the filter
        try:
            # Filtering by `sub` finds any user, also ones whose username is not their sub.
            found = self._client.list_users(
                UserPoolId=self._pool, Filter=f'sub = "{subject}"', Limit=1
            )["Users"]
        except (ClientError, BotoCoreError) as error:
            raise _unavailable("ListUsers", error) from None
        if not found or not found[0].get("Enabled", True):
            return None
        attributes = _attributes(found[0].get("Attributes", []))
        # Cognito holds "false" until the user types the emailed code (or an admin verifies
        # it). moto leaves the attribute out for users who signed up, hence "not false".
        if attributes.get("email_verified") == "false" or not attributes.get("email"):
            return None
        return EmailAddress.parse(attributes["email"])

    def public_keys(self) -> Mapping[str, Any] | None:
        return None  # Cognito publishes them itself
