"""Customers: register, sign in, read and update my details, and recognise me from a token."""

from __future__ import annotations

from dataclasses import dataclass

from application.audit import customer_change, snapshot_customer
from application.errors import CustomerNotRegisteredError
from application.ports.clock import Clock
from application.ports.identity import (
    AccessToken,
    IdentityProvider,
    Principal,
    email_taken,
    invalid_credentials,
)
from application.ports.ids import IdGenerator
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.results import CustomerResult
from application.use_cases.lookups import find_customer
from domain.customers import Customer, CustomerDetails, EmailAddress
from domain.errors import InvalidInputError
from domain.ids import CustomerId


def add_customer(
    uow: UnitOfWork, ids: IdGenerator, clock: Clock, details: CustomerDetails, subject: str
) -> Customer:
    """A new customer for the login `subject`, added with its audit entry (not committed)."""
    now = clock.now()
    customer = Customer(
        CustomerId(ids.new_id()),
        details.email,
        details.first_name,
        details.last_name,
        subject,
        now,
        now,
    )
    uow.customers.add(customer)
    uow.audit.record(
        customer_change(ids.new_id(), now, str(customer.id), "customer.registered", customer, None)
    )
    return customer


@dataclass(frozen=True, slots=True)
class RegisterCustomerCommand:
    email: str
    password: str
    first_name: str
    last_name: str

    def __repr__(self) -> str:  # never show the password
        return f"RegisterCustomerCommand(email={self.email!r})"


@dataclass(frozen=True, slots=True)
class RegisterCustomer:
    """Create a login with the identity provider and the customer record that goes with it.

    Every detail is validated before anything is written. Raises `InvalidInputError`
    (`invalid_email`, `invalid_first_name`, `weak_password`...) and `ConflictError`
    (`email_taken`).
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    identity: IdentityProvider

    def __call__(self, command: RegisterCustomerCommand) -> CustomerResult:
        details = CustomerDetails.parse(command.email, command.first_name, command.last_name)
        with self.uow() as uow:
            if uow.customers.by_email(details.email) is not None:
                raise email_taken()
        subject = self.identity.register(details.email, command.password)
        try:
            with self.uow() as uow:
                customer = add_customer(uow, self.ids, self.clock, details, subject)
                uow.commit()
        except BaseException:
            self.identity.unregister(subject)  # no login without its customer
            raise
        return CustomerResult(customer)


@dataclass(frozen=True, slots=True)
class SignIn:
    """Exchange an email and password for an access token.

    Raises `AuthenticationError` (`invalid_credentials`) without saying which part was wrong.
    """

    identity: IdentityProvider

    def __call__(self, email: str, password: str) -> AccessToken:
        try:
            address = EmailAddress.parse(email)
        except InvalidInputError:
            raise invalid_credentials() from None
        return self.identity.authenticate(address, password)


@dataclass(frozen=True, slots=True)
class IdentifyCustomer:
    """The customer a verified token speaks for.

    Raises `CustomerNotRegisteredError` when the identity has no customer record here.
    """

    uow: UnitOfWorkFactory

    def __call__(self, principal: Principal) -> CustomerId:
        with self.uow() as uow:
            customer = uow.customers.by_subject(principal.subject)
        if customer is None:
            raise CustomerNotRegisteredError(
                "customer_not_registered",
                "This sign-in has no customer account here.",
                "Register first, then sign in again.",
            )
        return customer.id


@dataclass(frozen=True, slots=True)
class GetCustomer:
    """My customer details. Raises `NotFoundError` if the record is gone."""

    uow: UnitOfWorkFactory

    def __call__(self, customer_id: CustomerId) -> CustomerResult:
        with self.uow() as uow:
            return CustomerResult(find_customer(uow, customer_id))


@dataclass(frozen=True, slots=True)
class UpdateCustomerCommand:
    customer_id: CustomerId
    email: str | None = None  # None leaves a field as it is
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateCustomer:
    """Change my email or names. The whole new record is validated before anything is written,
    so a bad field leaves every field unchanged.

    Raises `InvalidInputError`, `ConflictError` (`email_taken`) and `NotFoundError`.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    identity: IdentityProvider

    def __call__(self, command: UpdateCustomerCommand) -> CustomerResult:
        now = self.clock.now()
        with self.uow() as uow:
            customer = find_customer(uow, command.customer_id, for_update=True)
            details = CustomerDetails.parse(
                customer.email.value if command.email is None else command.email,
                customer.first_name if command.first_name is None else command.first_name,
                customer.last_name if command.last_name is None else command.last_name,
            )
            old_email = customer.email
            if details.email != old_email:
                other = uow.customers.by_email(details.email)
                if other is not None and other.id != customer.id:
                    raise email_taken()
            before = snapshot_customer(customer)
            if not customer.change_details(details, now):
                return CustomerResult(customer)
            uow.customers.save(customer)
            uow.audit.record(
                customer_change(
                    self.ids.new_id(), now, str(customer.id), "customer.updated", customer, before
                )
            )
            if details.email != old_email:
                self.identity.change_email(customer.subject, details.email)
            try:
                uow.commit()
            except BaseException:
                if details.email != old_email:
                    self.identity.change_email(customer.subject, old_email)
                raise
        return CustomerResult(customer)
