"""The id generator port."""

from typing import Protocol
from uuid import UUID

from domain.confirmation import ConfirmationCode


class IdGenerator(Protocol):
    """Makes identities before anything is stored, so every aggregate is born with its id.

    `new_confirmation_code()` draws at random from 2**40 codes; uniqueness is enforced by the
    order repository, which refuses a duplicate at commit, and the caller draws again.
    """

    def new_id(self) -> UUID: ...

    def new_confirmation_code(self) -> ConfirmationCode: ...
