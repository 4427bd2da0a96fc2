"""Every aggregate by the kind of stream it writes, with the same entry points.

A stream's kind is the prefix of its id (`domain.streams`); `aggregate_for_stream` is the one
place a stream id is turned into the aggregate that folds it. Each aggregate starts from a
`ProcessContext`: the partnership as the process found it when its first event was recorded.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from domain import declarations, meetings
from domain.aggregates import committee, escalation, exit as exit_process, partnership, review
from domain.bodies import Body
from domain.errors import DomainError
from domain.events import DomainEvent, ProcessKind
from domain.partnership import Partnership
from domain.streams import (
    committee_stream,
    escalation_stream,
    exit_stream,
    parse_stream,
    partnership_stream,
    review_stream,
)

State = TypeVar("State")
Command = TypeVar("Command")

PARTNERSHIP = "partnership"
"""The kind of the partnership's own stream, which no process writes."""


class ProcessContext(BaseModel):
    """What a process starts from: the configuration, the signatories and the bodies (after any
    exits) at its start, and its stream, whose subject names the meeting or register it is of."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    signatories: tuple[str, ...]
    bodies: tuple[Body, ...]
    stream_id: str


@dataclass(frozen=True)
class Aggregate(Generic[State, Command]):
    """One kind of process: how it starts, decides, evolves and folds, and its stream."""

    kind: str
    initial_state: Callable[[ProcessContext], State]
    decide: Callable[[State, Command], list[DomainEvent]]
    evolve: Callable[[State, DomainEvent], State]
    fold: Callable[[State, Iterable[DomainEvent]], State]
    stream_id: Callable[[State], str]
    """The stream a begun process records in; refuses a process not begun."""


def _begun(value: str | None, kind: str) -> str:
    if value is None:
        raise DomainError(f"this {kind} process has not begun")
    return value


def _exit_stream(state: exit_process.ExitState) -> str:
    organisation = _begun(state.organisation, ProcessKind.EXIT)
    assert state.notified_on is not None  # set with the organisation by ExitNotified
    return exit_stream(state.config.slug, organisation, state.notified_on)


def _meeting(context: ProcessContext) -> meetings.MeetingState:
    body, meeting_on = parse_stream(context.stream_id).subject
    return meetings.initial_state(context.config, body, date.fromisoformat(meeting_on))


def _declarations(context: ProcessContext) -> declarations.DeclarationsState:
    body, kind, _ = parse_stream(context.stream_id).subject
    match kind:
        case "annual" | "review":
            return declarations.initial_state(context.config, body, kind)
    raise DomainError(f"{kind!r} is not a kind of declarations round")


AGGREGATES: dict[str, Aggregate[Any, Any]] = {
    aggregate.kind: aggregate
    for aggregate in (
        Aggregate(
            kind=PARTNERSHIP,
            initial_state=lambda c: partnership.initial_state(c.config),
            decide=partnership.decide,
            evolve=partnership.evolve,
            fold=partnership.fold,
            stream_id=lambda s: partnership_stream(s.slug),
        ),
        Aggregate(
            kind=ProcessKind.REVIEW.value,
            initial_state=lambda c: review.initial_state(c.config.slug),
            decide=review.decide,
            evolve=review.evolve,
            fold=review.fold,
            stream_id=lambda s: review_stream(
                s.partnership, _begun(s.review_id, ProcessKind.REVIEW)
            ),
        ),
        Aggregate(
            kind=ProcessKind.EXIT.value,
            initial_state=lambda c: exit_process.initial_state(c.config, c.signatories),
            decide=exit_process.decide,
            evolve=exit_process.evolve,
            fold=exit_process.fold,
            stream_id=_exit_stream,
        ),
        Aggregate(
            kind=ProcessKind.COMMITTEE.value,
            initial_state=lambda c: committee.initial_state(c.config.slug),
            decide=committee.decide,
            evolve=committee.evolve,
            fold=committee.fold,
            stream_id=lambda s: committee_stream(
                s.partnership, _begun(s.committee_id, ProcessKind.COMMITTEE)
            ),
        ),
        Aggregate(
            kind=ProcessKind.ESCALATION.value,
            initial_state=lambda c: escalation.initial_state(c.config, c.bodies),
            decide=escalation.decide,
            evolve=escalation.evolve,
            fold=escalation.fold,
            stream_id=lambda s: escalation_stream(
                s.config.slug, _begun(s.escalation_id, ProcessKind.ESCALATION)
            ),
        ),
        Aggregate(
            kind=ProcessKind.MEETING.value,
            initial_state=_meeting,
            decide=meetings.decide,
            evolve=meetings.evolve,
            fold=meetings.fold,
            stream_id=meetings.process_id,
        ),
        Aggregate(
            kind=ProcessKind.DECLARATIONS.value,
            initial_state=_declarations,
            decide=declarations.decide,
            evolve=declarations.evolve,
            fold=declarations.fold,
            stream_id=lambda s: _begun(s.round_id, ProcessKind.DECLARATIONS),
        ),
    )
}
"""Every aggregate, by the kind of the stream it writes."""


def aggregate_for_stream(stream_id: str) -> Aggregate[Any, Any] | None:
    """The aggregate that folds `stream_id`, or None for a stream no aggregate writes."""
    return AGGREGATES.get(parse_stream(stream_id).kind)
