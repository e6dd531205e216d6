"""Create the customer record of someone who signed up with the identity provider directly."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.identity import IdentityProvider, email_taken
from application.ports.ids import IdGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import CustomerResult
from application.use_cases.customers import add_customer
from domain.customers import CustomerDetails, clean_name
from domain.errors import BusinessRuleError, ConflictError

CUSTOMER_EXISTS = (
    "customer_exists",
    "This sign-in already has a customer account.",
    "Change your details instead of creating them again.",
)


@dataclass(frozen=True, slots=True)
class CreateMyCustomerProfileCommand:
    subject: str  # the verified token's `sub`
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class CreateMyCustomerProfile:
    """Give a verified login without a customer record (a site sign-up with Cognito) its
    customer record. The email is the one the identity provider holds for the login, never one
    the caller supplies.

    Raises `InvalidInputError` (`invalid_first_name`, `invalid_last_name`), `ConflictError`
    (`customer_exists`, `email_taken`), `BusinessRuleError` (`email_not_verified`) and
    `ServiceUnavailableError` when the identity provider cannot answer.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    identity: IdentityProvider

    def __call__(self, command: CreateMyCustomerProfileCommand) -> CustomerResult:
        first_name = clean_name(command.first_name, "first_name")
        last_name = clean_name(command.last_name, "last_name")
        with self.uow() as uow:
            if uow.customers.by_subject(command.subject) is not None:
                raise ConflictError(*CUSTOMER_EXISTS)
        email = self.identity.email_of(command.subject)
        if email is None:
            raise BusinessRuleError(
                "email_not_verified",
                "Your sign-in has no verified email address.",
                "Confirm your email address with the code we sent you, then try again.",
            )
        details = CustomerDetails(email, first_name, last_name)
        try:
            with self.uow() as uow:
                if uow.customers.by_email(details.email) is not None:
                    raise email_taken()
                customer = add_customer(uow, self.ids, self.clock, details, command.subject)
                uow.commit()
        except ConflictError:
            # Subjects are unique too, so a twin request that got in first also fails the
            # commit as `email_taken`; say what really happened.
            with self.uow() as uow:
                if uow.customers.by_subject(command.subject) is not None:
                    raise ConflictError(*CUSTOMER_EXISTS) from None
            raise
        return CustomerResult(customer)
