"""Payments left half done, the way the real system leaves them: the card is charged, and the
gateway's answer is lost on the way back, so the order waits in `processing` for someone to
record the charge (reconciliation, or the Data Agent's `record_payment`)."""

from __future__ import annotations

from typing import Any

import pytest

from application.errors import PaymentOutcomeUnknownError
from application.ports.payments import Charge
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from tests.builders import GOOD_CARD, World

# Settings for a world whose payments are tried once: a lost answer is not retried (no sleeps).
ONE_TRY = {"payment_retry_attempts": 1}


def charge_left_unconfirmed(
    world: World, owner: CustomerId, order_id: Any, number: str = GOOD_CARD
) -> Charge:
    """Pay for the order with the dummy gateway answering "timed out" after charging: the
    charge exists under the order's current payment key, and the order is still processing."""
    assert world.container.settings().payment_retry_attempts == 1, "build the world with ONE_TRY"
    faults = world.container.gateway_faults()
    faults.timeout_rate = 1.0
    try:
        with pytest.raises(PaymentOutcomeUnknownError):
            world.pay(owner, order_id, number)
    finally:
        faults.timeout_rate = 0.0
    waiting = world.container.get_order()(owner, OrderId(order_id))
    assert waiting.status is OrderStatus.PROCESSING
    charge = world.container.gateway().find_charge(waiting.order.payment_key)
    assert charge is not None
    return charge
