"""What a meeting does once held (docs/rules.md P5.13, P5.14): its opening and its decisions.

CDCPE ToR §5: "Any items of other business must be declared at the beginning of the meeting and
their inclusion agreed by the group", and "At the start of each meeting, members will be asked to
confirm the accuracy of the declaration of interests noted on the agenda". ToR §6: a member
compromised by an item declares it; the Chair rules whether they leave, discuss but not decide,
or take part, and the declarations are recorded in the minutes. Each decision is taken by the
members the rulings leave to decide it, quorate among them (ToR §10).
"""

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import DomainError
from domain.events import (
    ConflictRuling,
    DecisionRecorded,
    DomainEvent,
    ItemConflict,
    MeetingOpened,
    OtherBusiness,
)
from domain.rules.conflicts import apply_rulings
from domain.rules.quorum import Attendance
from domain.text import Line, Name, Text

if TYPE_CHECKING:
    from domain.meetings import MeetingState


class OpenMeeting(BaseModel):
    """The start of the meeting, as the clerk records it: the seats that confirmed their
    declarations, the conflicts declared on items with the Chair's rulings, and each item of
    other business with whether the group agreed to take it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["OpenMeeting"] = "OpenMeeting"
    declarations_confirmed: tuple[Name, ...] = Field(default=(), max_length=100)
    conflicts: tuple[ItemConflict, ...] = Field(default=(), max_length=100)
    other_business: tuple[OtherBusiness, ...] = Field(default=(), max_length=50)


class RecordDecision(BaseModel):
    """What the meeting decided on an item of its agenda or of agreed other business."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordDecision"] = "RecordDecision"
    item: Line = Field(min_length=1)
    decision: Text = Field(min_length=1)


def _attendance(state: "MeetingState", what: str) -> tuple[Attendance, ...]:
    if state.status != "agenda_issued" or state.attendance is None:
        raise DomainError(
            f"cannot {what} for the meeting of {state.held_on}: its attendance is not recorded"
        )
    record = state.attendance
    return tuple(Attendance(seat=s, deputy=s in record.by_deputy) for s in record.present)


def open_meeting(state: "MeetingState", command: OpenMeeting) -> list[DomainEvent]:
    """Records the meeting's opening (P5.13), on the day it was held (its attendance recorded,
    so held); refuses, naming why, what does not add up."""
    present = {a.seat for a in _attendance(state, "open the meeting")}
    if state.opening is not None:
        raise DomainError(f"the meeting of {state.held_on} has already been opened")
    if absent := sorted(set(command.declarations_confirmed) - present):
        raise DomainError(f"{', '.join(absent)} confirmed declarations but is not present")
    raised = [b.item for b in command.other_business]
    if twice := sorted({i for i in raised if raised.count(i) > 1}):
        raise DomainError(f"other business {', '.join(twice)} is listed more than once")
    if on_agenda := sorted(set(raised) & set(state.agenda_items)):
        raise DomainError(f"{', '.join(on_agenda)} is on the agenda, not other business")
    if undecided := [i for i in state.any_other_business if i not in raised]:
        raise DomainError(
            f"{', '.join(undecided)}, asked for after the deadline, must be declared as other "
            "business and its inclusion agreed or declined by the group (CDCPE ToR §5)"
        )
    items = set(state.agenda_items) | {b.item for b in command.other_business if b.agreed}
    for conflict in command.conflicts:
        if conflict.item not in items:
            raise DomainError(f"{conflict.item!r} is not an item the meeting takes")
        if conflict.seat not in present:
            raise DomainError(f"{conflict.seat} declared an interest but is not present")
    pairs = [(c.item, c.seat) for c in command.conflicts]
    if len(set(pairs)) != len(pairs):
        raise DomainError("a member's interest in an item is declared once, with one ruling")
    return [
        MeetingOpened(
            partnership=state.config.slug,
            body=state.body,
            meeting_on=state.meeting_on,
            held_on=state.held_on,
            declarations_confirmed=command.declarations_confirmed,
            conflicts=command.conflicts,
            other_business=command.other_business,
        )
    ]


def record_decision(state: "MeetingState", command: RecordDecision) -> list[DomainEvent]:
    """Records a decision on an item (P5.14), taken by those the Chair's rulings leave to decide
    it and refused when they are not quorate; dated the day the meeting was held."""
    present = _attendance(state, "record a decision")
    opening = state.opening
    if opening is None:
        raise DomainError(
            f"the meeting of {state.held_on} must be opened (declarations confirmed, other "
            "business agreed) before it decides (CDCPE ToR §5)"
        )
    agreed = [b.item for b in opening.other_business if b.agreed]
    if command.item not in (*state.agenda_items, *agreed):
        raise DomainError(
            f"{command.item!r} is neither on the agenda nor other business the group agreed"
        )
    if command.item in state.decided:
        raise DomainError(f"the decision on {command.item!r} is already recorded")
    rulings: dict[str, ConflictRuling] = {
        c.seat: c.ruling for c in opening.conflicts if c.item == command.item
    }
    body = state.config.body(state.body)
    taken = apply_rulings(body, command.item, present, rulings)
    if not taken.quorum.is_quorate:
        raise DomainError(
            f"{command.item!r} cannot be decided: {taken.quorum.explanation} once the Chair's "
            "rulings are applied (CDCPE ToR §6, §10)"
        )
    return [
        DecisionRecorded(
            partnership=state.config.slug,
            body=state.body,
            meeting_on=state.meeting_on,
            decided_on=state.held_on,
            item=command.item,
            decision=command.decision,
            deciding=taken.deciding,
            left=taken.left,
            discuss_only=taken.discuss_only,
            chair=taken.chair,
            quorum=taken.quorum.status.value,
        )
    ]
