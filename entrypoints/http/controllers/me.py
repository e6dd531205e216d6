"""The signed-in customer's own details."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from application.use_cases.create_my_customer_profile import CreateMyCustomerProfileCommand
from application.use_cases.customers import UpdateCustomerCommand
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import CustomerOut, UpdateMeRequest, customer_out


class CreateMeRequest(BaseModel):
    """No email: it comes from the identity provider, and an `email` field is refused."""

    model_config = ConfigDict(extra="forbid", str_max_length=320)

    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)


class MeController(Controller):
    path = "/api/me"
    tags = ["me"]

    @get("/", operation_id="getMe")
    async def get_me(
        self, request: Request[Any, Any, Any], services: NamedDependency[Services]
    ) -> CustomerOut:
        """My customer details."""

        def work() -> CustomerOut:
            return customer_out(services.get_customer(services.customer_id(request.user)))

        return await services.run(work)

    @post("/", status_code=201, operation_id="createMe")
    async def create_me(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateMeRequest],
        services: NamedDependency[Services],
    ) -> CustomerOut:
        """Create my customer details after signing up with the identity provider directly;
        the email is the one it holds for my sign-in. 409 `customer_exists` if I have them."""

        def work() -> CustomerOut:
            command = CreateMyCustomerProfileCommand(
                request.user.subject, data.first_name, data.last_name
            )
            return customer_out(services.create_my_customer_profile(command))

        # In a worker thread always: the identity provider may be a network call away.
        return await services.run_blocking(work)

    @patch("/", operation_id="updateMe")
    async def update_me(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[UpdateMeRequest],
        services: NamedDependency[Services],
    ) -> CustomerOut:
        """Change my email or names; every field is validated before anything is written."""

        def work() -> CustomerOut:
            command = UpdateCustomerCommand(
                services.customer_id(request.user), data.email, data.first_name, data.last_name
            )
            return customer_out(services.update_customer(command))

        return await services.run(work)
