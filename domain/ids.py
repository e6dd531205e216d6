"""Typed identities. They are made by the IdGenerator port, never here."""

from typing import NewType
from uuid import UUID

CustomerId = NewType("CustomerId", UUID)
TicketId = NewType("TicketId", UUID)
OrderId = NewType("OrderId", UUID)
