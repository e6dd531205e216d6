"""The signed-in customer's own details."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.use_cases.customers import UpdateCustomerCommand
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import CustomerOut, UpdateMeRequest, customer_out


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
