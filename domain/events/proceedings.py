"""P5 meetings: what happens at the meeting itself, between its attendance and its minutes
(CDCPE ToR §5, §6)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.events.base import Event
from domain.events.declarations import ConflictRuling
from domain.text import Line, Name


class ItemConflict(BaseModel):
    """A member's interest in an item, declared at the meeting, with the Chair's ruling on how
    they take part in it (CDCPE ToR §6)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: Line = Field(min_length=1)
    seat: Name
    interest: Line = Field(min_length=1)
    ruling: ConflictRuling


class OtherBusiness(BaseModel):
    """An item of any other business declared at the start, and whether the group agreed to take
    it (CDCPE ToR §5)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: Line = Field(min_length=1)
    agreed: bool


class MeetingOpened(Event):
    """The start of the meeting: the members present confirmed the declarations of interests
    noted on the agenda, declared their conflicts on its items (with the Chair's rulings), and
    the group agreed or declined each item of other business (CDCPE ToR §5, §6)."""

    type: Literal["MeetingOpened"] = "MeetingOpened"
    dated_by = "held_on"
    body: str
    meeting_on: date
    held_on: date
    declarations_confirmed: tuple[str, ...]
    conflicts: tuple[ItemConflict, ...] = ()
    other_business: tuple[OtherBusiness, ...] = ()


class DecisionRecorded(Event):
    """What the meeting decided on an item, taken by the members the Chair's rulings left to
    decide it, quorate among them (CDCPE ToR §6, §10)."""

    type: Literal["DecisionRecorded"] = "DecisionRecorded"
    dated_by = "decided_on"
    body: str
    meeting_on: date
    decided_on: date
    item: str
    decision: str
    deciding: tuple[str, ...]
    left: tuple[str, ...] = ()
    discuss_only: tuple[str, ...] = ()
    chair: str | None = None
    quorum: str
