"""Sign-up and sign-in with the local identity provider."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.use_cases.customers import RegisterCustomerCommand
from entrypoints.http.dependencies import Services
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

    @post("/register", status_code=201, operation_id="register")
    async def register(
        self, data: JSONBody[RegisterRequest], services: NamedDependency[Services]
    ) -> CustomerOut:
        """Create a customer account and its login."""

        def work() -> CustomerOut:
            command = RegisterCustomerCommand(
                data.email, data.password, data.first_name, data.last_name
            )
            return customer_out(services.register_customer(command))

        return await services.run_blocking(work)

    @post("/login", status_code=200, operation_id="login")
    async def login(
        self, data: JSONBody[LoginRequest], services: NamedDependency[Services]
    ) -> TokenOut:
        """Exchange an email and password for a bearer access token."""

        def work() -> TokenOut:
            token = services.sign_in(data.email, data.password)
            return TokenOut(token.token, token.token_type, token.expires_in)

        return await services.run_blocking(work)
