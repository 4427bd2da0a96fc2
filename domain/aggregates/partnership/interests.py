"""A member's declaration of interests updated between rounds (docs/rules.md P6.5).

CDCPE ToR §6: members "complete a declaration of interest form on an annual basis, which can be
updated at any time, but which will be formally reviewed on a six-monthly basis"; CDCP MoU §23
binds the partners to the same standards. The annual and six-monthly rounds have their own
streams; an update between them is recorded on the partnership's stream, which is always open,
and the register (`domain.registers.register_of`) takes the latest return from either.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.partnership.state import PartnershipState
from domain.declarations import registers
from domain.errors import DomainError
from domain.events import DeclarationReturned, DeclaredInterest, DomainEvent
from domain.rules.date_policy import within
from domain.text import Name

CLAUSE = "CDCPE ToR §6"

BETWEEN_ROUNDS = "between-rounds"
"""The round an update made between rounds is recorded under, in the register and its CSV."""


class UpdateInterests(BaseModel):
    """A member's declaration as it stands now that their interests have changed: every interest
    they hold (none is a nil declaration), replacing what the register showed for their seat."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["UpdateInterests"] = "UpdateInterests"
    body: Name
    seat: Name
    updated_on: date
    interests: tuple[DeclaredInterest, ...] = Field(default=(), max_length=50)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


def update_interests(state: PartnershipState, command: UpdateInterests) -> list[DomainEvent]:
    """Records the member's declaration as updated, at any time (P6.5)."""
    body = state.body(command.body)
    if body.slug not in registers(state.config):
        raise DomainError(f"{body.slug} of {state.slug} keeps no register of interests")
    if body.member(command.seat) is None:
        raise DomainError(
            f"{command.seat!r} is not a seat of {body.slug}; its seats are "
            + ", ".join(m.seat for m in body.members)
        )
    within(f"{command.seat}'s declaration", command.updated_on, command.today, None, "")
    return [
        DeclarationReturned(
            partnership=state.slug,
            body=body.slug,
            round_id=BETWEEN_ROUNDS,
            seat=command.seat,
            returned_on=command.updated_on,
            interests=command.interests,
            update=True,
        )
    ]
