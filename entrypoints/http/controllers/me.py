"""The signed-in customer's own details."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch
from litestar.di import NamedDependency

from application.use_cases.customers import (
    GetCustomer,
    IdentifyCustomer,
    UpdateCustomer,
    UpdateCustomerCommand,
)
from entrypoints.http.schemas import CustomerOut, UpdateMeRequest, customer_out


class MeController(Controller):
    path = "/api/me"
    tags = ["me"]

    @get("/", operation_id="getMe", sync_to_thread=True)
    def get_me(
        self,
        request: Request[Any, Any, Any],
        identify_customer: NamedDependency[IdentifyCustomer],
        get_customer: NamedDependency[GetCustomer],
    ) -> CustomerOut:
        """My customer details."""
        return customer_out(get_customer(identify_customer(request.user)))

    @patch("/", operation_id="updateMe", sync_to_thread=True)
    def update_me(
        self,
        request: Request[Any, Any, Any],
        data: UpdateMeRequest,
        identify_customer: NamedDependency[IdentifyCustomer],
        update_customer: NamedDependency[UpdateCustomer],
    ) -> CustomerOut:
        """Change my email or names; every field is validated before anything is written."""
        command = UpdateCustomerCommand(
            identify_customer(request.user), data.email, data.first_name, data.last_name
        )
        return customer_out(update_customer(command))
