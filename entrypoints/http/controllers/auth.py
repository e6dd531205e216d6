"""Sign-up and sign-in with the local identity provider."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency

from application.use_cases.customers import RegisterCustomer, RegisterCustomerCommand, SignIn
from entrypoints.http.schemas import (
    CustomerOut,
    LoginRequest,
    RegisterRequest,
    TokenOut,
    customer_out,
)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/register", status_code=201, operation_id="register", sync_to_thread=True)
    def register(
        self, data: RegisterRequest, register_customer: NamedDependency[RegisterCustomer]
    ) -> CustomerOut:
        """Create a customer account and its login."""
        command = RegisterCustomerCommand(
            data.email, data.password, data.first_name, data.last_name
        )
        return customer_out(register_customer(command))

    @post("/login", status_code=200, operation_id="login", sync_to_thread=True)
    def login(self, data: LoginRequest, sign_in: NamedDependency[SignIn]) -> TokenOut:
        """Exchange an email and password for a bearer access token."""
        token = sign_in(data.email, data.password)
        return TokenOut(token.token, token.token_type, token.expires_in)
