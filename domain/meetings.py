"""A body's meeting cycle (docs/rules.md P5): one stream per meeting of a body.

CDCPE ToR §4: the CDCPE meets at least monthly; other bodies meet at their
own cadence (CDCP MoU §11; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU §17, §20). ToR §5: requests for
agenda items at least 10 days before the meeting, a late item only as "any other business"; the
agenda issued at least 3 days before; minutes of each meeting submitted to the next meeting for
approval, and the confirmed minutes provided to each organisation of the partnership. ToR §6: at the
start of each meeting members confirm the declarations of interest noted on the agenda (a standing
item).

A Temporal Schedule starts the cycle `CALL_FOR_ITEMS_DAYS` before each meeting; the meeting date
is derived from the schedule's fire date (`meeting_date_for`), so the calendar here and the cycle
always agree.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.bodies import Body
from domain.errors import DomainError
from domain.events import (
    AgendaIssued,
    AgendaItemRequested,
    AgendaRequestsClosed,
    DomainEvent,
    MeetingCycleClosed,
    MeetingScheduled,
    MinutesApproved,
    NoticeDelivered,
    NoticeIssued,
    ProcessKind,
)
from domain.letters.meetings import MeetingParticulars, agenda, call_for_items, confirmed_minutes
from domain.notices import Document, issue
from domain.partnership import Partnership
from domain.rules.dates import (
    add_months,
    agenda_issue_deadline,
    agenda_request_deadline,
    agenda_request_in_time,
    decision_date,
)
from domain.streams import meeting_stream
from domain.text import Line, Name

MEETING_DAY = 15
"""Policy: bodies meet on the 15th of each meeting month (the sources fix cadences, not days)."""

CALL_FOR_ITEMS_DAYS = 14
"""Policy: the call for agenda items goes out 14 days before the meeting, 4 days before the
10-day request deadline of CDCPE ToR §5; the schedule fires then."""

MINUTES_WINDOW_DAYS = 14
"""Policy: how long after the meeting the cycle waits for the minutes approval to be recorded."""

SCHEDULE_HOUR = 6
"""Policy: schedules fire at 06:00 UTC, before the working day."""


class FireCalendar(BaseModel):
    """When a schedule fires: these months, this day, this hour (UTC). Temporal's calendar spec
    is built from it in `deploy.schedules`."""

    model_config = ConfigDict(frozen=True)

    months: tuple[int, ...]
    day_of_month: int = Field(ge=1, le=28)
    hour: int = Field(default=SCHEDULE_HOUR, ge=0, le=23)
    clause: str
    comment: str


def meeting_months(meetings_per_year: int) -> tuple[int, ...]:
    """Months of the year a body meets in, evenly spread from January.

    12 monthly (CDCPE ToR §4, NENC ICS MoU §20), 6 bi-monthly (MSE MoU 2020 §6.16), 4 quarterly (MSE
    MoU 2020 §6.5, NENC ICS MoU §17), 3 a year (CDCP MoU §11): Jan, May, Sep. A cadence that does
    not divide the year into whole months cannot be a monthly calendar and is refused.
    """
    if meetings_per_year < 1 or 12 % meetings_per_year != 0:
        raise DomainError(
            f"{meetings_per_year} meetings a year do not fall in whole months; "
            "use 1, 2, 3, 4, 6 or 12"
        )
    step = 12 // meetings_per_year
    return tuple(range(1, 13, step))


def meeting_calendar(body: Body) -> FireCalendar | None:
    """When the cycle of `body`'s meetings starts, or None for a body with no cadence."""
    if body.cadence is None:
        return None
    return FireCalendar(
        months=meeting_months(body.cadence.meetings_per_year),
        day_of_month=MEETING_DAY - CALL_FOR_ITEMS_DAYS,
        clause=body.cadence.clause,
        comment=f"{body.name}: {body.cadence.description} ({body.cadence.clause})",
    )


def meeting_date_for(fired_on: date) -> date:
    """The meeting a schedule firing on `fired_on` is for."""
    return fired_on + timedelta(days=CALL_FOR_ITEMS_DAYS)


def previous_meeting(meeting_on: date, meetings_per_year: int) -> date:
    """The meeting before, whose minutes this one approves (CDCPE ToR §5)."""
    return add_months(meeting_on, -(12 // meetings_per_year))


class RequestedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: str
    requested_by: str
    requested_on: date
    any_other_business: bool


class MeetingState(BaseModel):
    """One meeting's cycle as its events make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    body: str
    meeting_on: date
    status: Literal["new", "scheduled", "requests_closed", "agenda_issued", "closed"] = "new"
    scheduled_on: date | None = None
    agenda_requests_due_on: date | None = None
    agenda_issue_by: date | None = None
    minutes_for_approval_of: date | None = None
    items: tuple[RequestedItem, ...] = ()
    agenda_issued_on: date | None = None
    minutes_approved_on: date | None = None
    closed_on: date | None = None
    notices_issued: tuple[str, ...] = ()
    notices_delivered: tuple[str, ...] = ()

    @property
    def agenda_items(self) -> tuple[str, ...]:
        return tuple(i.item for i in self.items if not i.any_other_business)

    @property
    def any_other_business(self) -> tuple[str, ...]:
        return tuple(i.item for i in self.items if i.any_other_business)


def initial_state(config: Partnership, body: str, meeting_on: date) -> MeetingState:
    """Refuses a body that is not the partnership's or that has no meeting cadence."""
    if config.body(body).cadence is None:
        raise DomainError(f"{body} of {config.slug} has no meeting cadence")
    return MeetingState(config=config, body=body, meeting_on=meeting_on)


# ------------------------------------------------------------------------------ commands


class ScheduleMeeting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ScheduleMeeting"] = "ScheduleMeeting"
    scheduled_on: date


class RequestItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RequestItem"] = "RequestItem"
    item: Line = Field(min_length=1)
    requested_by: Name
    requested_on: date
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class CloseRequests(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CloseRequests"] = "CloseRequests"
    on: date


class IssueAgenda(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["IssueAgenda"] = "IssueAgenda"
    on: date


class ApproveMinutes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ApproveMinutes"] = "ApproveMinutes"
    approved_on: date
    reference: Name = Field(min_length=1)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class CloseCycle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CloseCycle"] = "CloseCycle"
    on: date


MeetingCommand = (
    ScheduleMeeting | RequestItem | CloseRequests | IssueAgenda | ApproveMinutes | CloseCycle
)


def process_id(state: MeetingState) -> str:
    """The meeting's id in notices and streams (`domain.streams.meeting_stream`)."""
    return meeting_stream(state.config.slug, state.body, state.meeting_on)


def decide(state: MeetingState, command: MeetingCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why the rules refuse it."""
    match command:
        case ScheduleMeeting():
            return _schedule(state, command)
        case RequestItem():
            return _request(state, command)
        case CloseRequests():
            _require(state, "scheduled", "close agenda requests")
            return [
                AgendaRequestsClosed(
                    partnership=state.config.slug,
                    body=state.body,
                    meeting_on=state.meeting_on,
                    closed_on=command.on,
                    items=state.agenda_items,
                )
            ]
        case IssueAgenda():
            return _issue_agenda(state, command)
        case ApproveMinutes():
            return _approve_minutes(state, command)
        case CloseCycle():
            if state.status in ("new", "closed"):
                raise DomainError(f"the meeting of {state.meeting_on} has no open cycle to close")
            return [
                MeetingCycleClosed(
                    partnership=state.config.slug,
                    body=state.body,
                    meeting_on=state.meeting_on,
                    closed_on=command.on,
                    minutes_approved=state.minutes_approved_on is not None,
                )
            ]


def _require(state: MeetingState, status: str, what: str) -> None:
    if state.status != status:
        raise DomainError(
            f"cannot {what} for the meeting of {state.meeting_on}: its cycle is {state.status}"
        )


def _particulars(state: MeetingState) -> MeetingParticulars:
    body = state.config.body(state.body)
    return MeetingParticulars(
        meeting_id=process_id(state),
        partnership_name=state.config.name,
        body_name=body.name,
        meeting_on=state.meeting_on,
    )


def member_organisations(config: Partnership, body: str) -> tuple[str, ...]:
    """Organisations holding a seat on `body`, in seat order (an independent seat has none)."""
    seen: dict[str, None] = {}
    for member in config.body(body).members:
        if member.organisation is not None:
            seen.setdefault(member.organisation)
    return tuple(seen)


def _issue_all(
    state: MeetingState, documents: Iterable[Document], on: date, respond_by: date | None = None
) -> list[NoticeIssued]:
    return [
        issue(
            d,
            partnership=state.config.slug,
            process=ProcessKind.MEETING,
            process_id=process_id(state),
            issued_on=on,
            respond_by=respond_by,
        )
        for d in documents
    ]


def _schedule(state: MeetingState, command: ScheduleMeeting) -> list[DomainEvent]:
    _require(state, "new", "schedule the meeting")
    issue_by = agenda_issue_deadline(state.meeting_on)
    if command.scheduled_on > issue_by:
        raise DomainError(
            f"the meeting of {state.meeting_on} is too close to issue its agenda 3 days before "
            f"(by {issue_by}, CDCPE ToR §5)"
        )
    cadence = state.config.body(state.body).cadence
    assert cadence is not None
    due_on = agenda_request_deadline(state.meeting_on)
    scheduled = MeetingScheduled(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        scheduled_on=command.scheduled_on,
        agenda_requests_due_on=due_on,
        agenda_issue_by=issue_by,
        minutes_for_approval_of=previous_meeting(state.meeting_on, cadence.meetings_per_year),
    )
    particulars = _particulars(state)
    documents = [
        call_for_items(
            particulars,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            sent_on=command.scheduled_on,
            requests_due_on=due_on,
        )
        for org in member_organisations(state.config, state.body)
    ]
    return [scheduled, *_issue_all(state, documents, command.scheduled_on, due_on)]


def _request(state: MeetingState, command: RequestItem) -> list[DomainEvent]:
    today = decision_date(command.today)
    if state.status in ("new", "closed"):
        raise DomainError(f"the meeting of {state.meeting_on} is not taking agenda requests")
    state.config.organisation(command.requested_by)
    if command.requested_by not in member_organisations(state.config, state.body):
        raise DomainError(
            f"{command.requested_by} has no seat on {state.body}; only its members' "
            "organisations ask for agenda items (CDCPE ToR §5)"
        )
    if command.requested_on > today:
        raise DomainError(f"a request cannot be dated {command.requested_on}, after today")
    if command.requested_on > state.meeting_on:
        raise DomainError(f"the meeting of {state.meeting_on} has already been held")
    if any(i.item == command.item for i in state.items):
        raise DomainError(f"{command.item!r} is already on the meeting of {state.meeting_on}")
    return [
        AgendaItemRequested(
            partnership=state.config.slug,
            body=state.body,
            meeting_on=state.meeting_on,
            item=command.item,
            requested_by=command.requested_by,
            requested_on=command.requested_on,
            # CDCPE ToR §5: later than 10 days before (or once requests have closed), only as any
            # other business.
            any_other_business=state.status != "scheduled"
            or not agenda_request_in_time(command.requested_on, state.meeting_on),
        )
    ]


def _issue_agenda(state: MeetingState, command: IssueAgenda) -> list[DomainEvent]:
    _require(state, "requests_closed", "issue the agenda")
    issued = AgendaIssued(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        issued_on=command.on,
        items=state.agenda_items,
        any_other_business=state.any_other_business,
        minutes_for_approval_of=state.minutes_for_approval_of,
    )
    particulars = _particulars(state)
    documents = [
        agenda(
            particulars,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            issued_on=command.on,
            items=issued.items,
            any_other_business=issued.any_other_business,
            minutes_of=issued.minutes_for_approval_of,
        )
        for org in member_organisations(state.config, state.body)
    ]
    return [issued, *_issue_all(state, documents, command.on)]


def _approve_minutes(state: MeetingState, command: ApproveMinutes) -> list[DomainEvent]:
    today = decision_date(command.today)
    _require(state, "agenda_issued", "approve minutes")
    if state.minutes_approved_on is not None:
        raise DomainError(f"the minutes were already approved on {state.minutes_approved_on}")
    minutes_of = state.minutes_for_approval_of
    if minutes_of is None:
        raise DomainError("this meeting has no previous minutes to approve")
    if command.approved_on < state.meeting_on:
        raise DomainError(
            f"minutes are approved at the meeting of {state.meeting_on}, not on "
            f"{command.approved_on} (CDCPE ToR §5)"
        )
    if command.approved_on > today:
        raise DomainError(f"an approval cannot be dated {command.approved_on}, after today")
    approved = MinutesApproved(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        minutes_of=minutes_of,
        approved_on=command.approved_on,
        reference=command.reference,
    )
    particulars = _particulars(state)
    # CDCPE ToR §5: confirmed minutes to each organisation involved in the partnership.
    documents = [
        confirmed_minutes(
            particulars,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            sent_on=today,
            minutes_of=minutes_of,
            reference=command.reference,
        )
        for org in state.config.signatories
    ]
    return [approved, *_issue_all(state, documents, today)]


# ------------------------------------------------------------------------------ evolve


def evolve(state: MeetingState, event: DomainEvent) -> MeetingState:
    """The state after `event`; events of other streams or processes leave it unchanged."""
    match event:
        case MeetingScheduled():
            return state.model_copy(
                update={
                    "status": "scheduled",
                    "scheduled_on": event.scheduled_on,
                    "agenda_requests_due_on": event.agenda_requests_due_on,
                    "agenda_issue_by": event.agenda_issue_by,
                    "minutes_for_approval_of": event.minutes_for_approval_of,
                }
            )
        case AgendaItemRequested():
            item = RequestedItem(
                item=event.item,
                requested_by=event.requested_by,
                requested_on=event.requested_on,
                any_other_business=event.any_other_business,
            )
            return state.model_copy(update={"items": (*state.items, item)})
        case AgendaRequestsClosed():
            return state.model_copy(update={"status": "requests_closed"})
        case AgendaIssued():
            return state.model_copy(
                update={"status": "agenda_issued", "agenda_issued_on": event.issued_on}
            )
        case MinutesApproved():
            return state.model_copy(update={"minutes_approved_on": event.approved_on})
        case MeetingCycleClosed():
            return state.model_copy(update={"status": "closed", "closed_on": event.closed_on})
        case NoticeIssued(process=ProcessKind.MEETING):
            return state.model_copy(
                update={"notices_issued": (*state.notices_issued, event.notice_id)}
            )
        case NoticeDelivered(process=ProcessKind.MEETING):
            return state.model_copy(
                update={"notices_delivered": (*state.notices_delivered, event.notice_id)}
            )
        case _:
            return state


def fold(state: MeetingState, events: Iterable[DomainEvent]) -> MeetingState:
    return fold_with(evolve, state, events)
