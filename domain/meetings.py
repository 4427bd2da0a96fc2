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
from datetime import date, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.bodies import Body
from domain.errors import DomainError
from domain.events import (
    AgendaIssued,
    AgendaItemRequested,
    AgendaRequestsClosed,
    AttendanceRecorded,
    DecisionRecorded,
    DomainEvent,
    MeetingArranged,
    MeetingCancelled,
    MeetingCycleClosed,
    MeetingOpened,
    MeetingScheduled,
    MinutesApproved,
    NoticeDelivered,
    NoticeIssued,
    ProcessKind,
)
from domain.letters.meetings import (
    MeetingParticulars,
    agenda,
    call_for_items,
    confirmed_minutes,
    meeting_notice,
)
from domain.meeting_proceedings import OpenMeeting, RecordDecision, open_meeting, record_decision
from domain.notices import Document, issue, long_date
from domain.partnership import Partnership
from domain.rules.dates import (
    AGENDA_ISSUE_DAYS,
    AGENDA_REQUEST_DAYS,
    add_months,
    agenda_issue_deadline,
    agenda_request_deadline,
    decision_date,
)
from domain.rules.quorum import Attendance, assess_quorum
from domain.rules.statutory_days import ComputedDeadline, DayCount, Deadline
from domain.streams import meeting_stream
from domain.text import Line, Name

TIME_ZONE = "Europe/London"
"""Meetings are set, and their times read, in the time of the partnerships' offices."""

DEFAULT_AGENDA_REQUESTS = Deadline(
    days=AGENDA_REQUEST_DAYS,
    count=DayCount.CALENDAR,
    words="requests for agenda items at least 10 days before the meeting",
    clause="CDCPE ToR §5",
)
"""A body whose file declares no deadlines keeps the CDCPE's, in calendar days."""

DEFAULT_AGENDA_ISSUE = Deadline(
    days=AGENDA_ISSUE_DAYS,
    count=DayCount.CALENDAR,
    words="agendas issued a minimum of three days prior to the meeting",
    clause="CDCPE ToR §5",
)

MEETING_DAY = 15
"""Policy: bodies meet on the 15th of each meeting month (the sources fix cadences, not days)."""

CALL_FOR_ITEMS_DAYS = 14
"""Policy: the call for agenda items goes out 14 days before the meeting, 4 days before the
10-day request deadline of CDCPE ToR §5; the schedule fires then."""

MINUTES_WINDOW_DAYS = 14
"""Policy: how long after the meeting the cycle waits for the minutes approval to be recorded."""

SCHEDULE_HOUR = 6
"""Policy: schedules fire at 06:00 in the partnerships' own time (`TIME_ZONE`), before the
working day."""


class FireCalendar(BaseModel):
    """When a schedule fires: these months, this day, this hour, in `time_zone`. Temporal's
    calendar spec is built from it in `activities.schedules`."""

    model_config = ConfigDict(frozen=True)

    months: tuple[int, ...]
    day_of_month: int = Field(ge=1, le=28)
    hour: int = Field(default=SCHEDULE_HOUR, ge=0, le=23)
    time_zone: Literal["Europe/London"] = "Europe/London"
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


def meeting_deadlines(
    config: Partnership, body: str, held_on: date
) -> tuple[ComputedDeadline, ComputedDeadline]:
    """The agenda request and agenda issue deadlines of a meeting held on `held_on`, counted as
    the body's file declares (docs/rules.md P5.7), each citing its rule."""
    declared = config.body(body).deadlines
    requests = declared.agenda_requests or DEFAULT_AGENDA_REQUESTS
    issue_rule = declared.agenda_issue or DEFAULT_AGENDA_ISSUE
    return (
        requests.before(held_on, config.bank_holidays),
        issue_rule.before(held_on, config.bank_holidays),
    )


class Arrangement(BaseModel):
    """When and where the clerk set the meeting: a date, a time in Europe/London, and a venue,
    an online link, or both."""

    model_config = ConfigDict(frozen=True)

    held_on: date
    starts_at: time
    venue: str | None = None
    link: str | None = None

    @property
    def description(self) -> str:
        places = " and ".join(p for p in (self.venue, self.link) if p is not None)
        return (
            f"{long_date(self.held_on)} at {self.starts_at.strftime('%H:%M')} "
            f"({TIME_ZONE} time), {places}"
        )


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
    arrangement: Arrangement | None = None
    arrangements: int = 0
    deadline_citations: tuple[str, ...] = ()
    cancelled_on: date | None = None
    attendance: AttendanceRecorded | None = None
    opening: MeetingOpened | None = None
    decided: tuple[str, ...] = ()
    """The items decided, in the order their decisions were recorded."""
    notices_issued: tuple[str, ...] = ()
    notices_delivered: tuple[str, ...] = ()

    @property
    def held_on(self) -> date:
        """The day the meeting is held: as the clerk set it, else the cycle's date."""
        return self.arrangement.held_on if self.arrangement is not None else self.meeting_on

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
    statutory_calendar: bool = True
    """False only to replay a cycle recorded before the statutory calendar (its workflow's patch
    `statutory-calendar`), whose deadlines were calendar days before the meeting."""


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


class SetMeeting(BaseModel):
    """The clerk sets the meeting's date, time (Europe/London) and venue or online link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["SetMeeting"] = "SetMeeting"
    held_on: date
    starts_at: time
    venue: Line | None = Field(default=None, min_length=1)
    link: Line | None = Field(default=None, min_length=1)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class MoveMeeting(BaseModel):
    """The clerk moves a meeting already set, saying why; members are told."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["MoveMeeting"] = "MoveMeeting"
    held_on: date
    starts_at: time
    venue: Line | None = Field(default=None, min_length=1)
    link: Line | None = Field(default=None, min_length=1)
    reason: Line = Field(min_length=1)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class CancelMeeting(BaseModel):
    """The clerk cancels the meeting, saying why; members are told."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CancelMeeting"] = "CancelMeeting"
    reason: Line = Field(min_length=1)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class RecordAttendance(BaseModel):
    """Who attended, by seat: `by_deputy` the seats a nominated deputy attended for, and the
    seats that sent apologies (CDCPE ToR §3, §10)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordAttendance"] = "RecordAttendance"
    present: tuple[Name, ...] = Field(max_length=100)
    by_deputy: tuple[Name, ...] = Field(default=(), max_length=100)
    apologies: tuple[Name, ...] = Field(default=(), max_length=100)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class CloseCycle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CloseCycle"] = "CloseCycle"
    on: date


MeetingCommand = (
    ScheduleMeeting
    | RequestItem
    | CloseRequests
    | IssueAgenda
    | ApproveMinutes
    | CloseCycle
    | SetMeeting
    | MoveMeeting
    | CancelMeeting
    | RecordAttendance
    | OpenMeeting
    | RecordDecision
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
        case SetMeeting() | MoveMeeting():
            return _arrange(state, command)
        case CancelMeeting():
            return _cancel(state, command)
        case RecordAttendance():
            return _attendance(state, command)
        case OpenMeeting():
            return open_meeting(state, command)
        case RecordDecision():
            return record_decision(state, command)
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
        meeting_on=state.held_on,
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
    citations: tuple[str, ...] = ()
    if command.statutory_calendar:
        requests, issue_deadline = meeting_deadlines(state.config, state.body, state.meeting_on)
        due_on, issue_by = requests.on, issue_deadline.on
        citations = (requests.citation, issue_deadline.citation)
        if command.scheduled_on > issue_by:
            raise DomainError(
                f"the meeting of {state.meeting_on} is too close to issue its agenda in time "
                f"(by {issue_deadline.citation})"
            )
    scheduled = MeetingScheduled(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        scheduled_on=command.scheduled_on,
        agenda_requests_due_on=due_on,
        agenda_issue_by=issue_by,
        minutes_for_approval_of=previous_meeting(state.meeting_on, cadence.meetings_per_year),
        deadline_citations=citations,
    )
    particulars = _particulars(state)
    documents = [
        call_for_items(
            particulars,
            state.config,
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
            # CDCPE ToR §5: after the request deadline (or once requests have closed), only as
            # any other business.
            any_other_business=state.status != "scheduled"
            or state.agenda_requests_due_on is None
            or command.requested_on > state.agenda_requests_due_on,
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
            state.config,
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
    if command.approved_on < state.held_on:
        raise DomainError(
            f"minutes are approved at the meeting of {state.held_on}, not on "
            f"{command.approved_on} (CDCPE ToR §5)"
        )
    if state.attendance is not None and not state.attendance.quorate:
        raise DomainError(
            f"the meeting of {state.held_on} was not quorate ({state.attendance.explanation}): "
            "it cannot approve minutes (CDCPE ToR §10)"
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
            state.config,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            sent_on=today,
            minutes_of=minutes_of,
            reference=command.reference,
        )
        for org in state.config.signatories
    ]
    return [approved, *_issue_all(state, documents, today)]


def _arrange(state: MeetingState, command: SetMeeting | MoveMeeting) -> list[DomainEvent]:
    """Sets or moves the meeting (docs/rules.md P5.8): not once held or closed, not into the
    past, and never so close that the agenda misses its deadline."""
    today = decision_date(command.today)
    if state.status in ("new", "closed"):
        raise DomainError(f"the meeting of {state.meeting_on} has no open cycle to arrange")
    moving = isinstance(command, MoveMeeting)
    if moving and state.arrangement is None:
        raise DomainError(f"the meeting of {state.meeting_on} is not set yet; set it first")
    if not moving and state.arrangement is not None:
        raise DomainError(
            f"the meeting is already set for {state.arrangement.description}; move it instead"
        )
    if state.attendance is not None:
        raise DomainError(f"the meeting was held on {state.held_on}; it cannot be moved")
    if command.venue is None and command.link is None:
        raise DomainError("a meeting needs a venue, an online link, or both")
    if command.link is not None and not command.link.startswith("https://"):
        raise DomainError(f"the online link {command.link!r} does not start with https://")
    if command.held_on <= today:
        raise DomainError(
            f"a meeting cannot be set for {command.held_on}: it must be after today ({today})"
        )
    arrangement = Arrangement(
        held_on=command.held_on, starts_at=command.starts_at, venue=command.venue, link=command.link
    )
    if arrangement == state.arrangement:
        raise DomainError(f"the meeting is already set for {arrangement.description}")
    requests, issue_deadline = meeting_deadlines(state.config, state.body, command.held_on)
    sent_by = state.agenda_issued_on or today
    if sent_by > issue_deadline.on:
        issued = "its agenda, issued" if state.agenda_issued_on else "the agenda, if issued today"
        raise DomainError(
            f"a meeting on {command.held_on} is too close: {issued} on {sent_by}, would miss "
            f"its deadline of {issue_deadline.citation}"
        )
    reason = command.reason if isinstance(command, MoveMeeting) else None
    arranged = MeetingArranged(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        arranged_on=today,
        held_on=command.held_on,
        starts_at=command.starts_at,
        venue=command.venue,
        link=command.link,
        moved_from=state.arrangement.held_on if state.arrangement is not None else None,
        reason=reason,
        agenda_requests_due_on=requests.on,
        agenda_issue_by=issue_deadline.on,
        deadline_citations=(requests.citation, issue_deadline.citation),
    )
    particulars = _particulars(state).model_copy(update={"meeting_on": command.held_on})
    agenda_by = None if state.agenda_issued_on else issue_deadline.on
    documents = [
        meeting_notice(
            particulars,
            state.config,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            sent_on=today,
            change="moved" if moving else "set",
            sequence=state.arrangements + 1,
            when_and_where=arrangement.description,
            reason=reason,
            agenda_issue_by=agenda_by,
        )
        for org in member_organisations(state.config, state.body)
    ]
    return [arranged, *_issue_all(state, documents, today)]


def _cancel(state: MeetingState, command: CancelMeeting) -> list[DomainEvent]:
    """Cancels a meeting not yet held, with notice to its members (docs/rules.md P5.8)."""
    today = decision_date(command.today)
    if state.status in ("new", "closed"):
        raise DomainError(f"the meeting of {state.meeting_on} has no open cycle to cancel")
    if state.attendance is not None:
        raise DomainError(f"the meeting was held on {state.held_on}; it cannot be cancelled")
    cancelled = MeetingCancelled(
        partnership=state.config.slug,
        body=state.body,
        meeting_on=state.meeting_on,
        cancelled_on=today,
        reason=command.reason,
    )
    documents = [
        meeting_notice(
            _particulars(state),
            state.config,
            recipient=org,
            recipient_name=state.config.organisation(org).name,
            sent_on=today,
            change="cancelled",
            sequence=state.arrangements + 1,
            when_and_where=None,
            reason=command.reason,
            agenda_issue_by=None,
        )
        for org in member_organisations(state.config, state.body)
    ]
    return [cancelled, *_issue_all(state, documents, today)]


def _attendance(state: MeetingState, command: RecordAttendance) -> list[DomainEvent]:
    """Records who attended and the quorum under the body's rule (docs/rules.md P5.9)."""
    today = decision_date(command.today)
    _require(state, "agenda_issued", "record attendance")
    if state.attendance is not None:
        raise DomainError(f"attendance at the meeting of {state.held_on} is already recorded")
    if today < state.held_on:
        raise DomainError(f"the meeting of {state.held_on} has not been held yet")
    body = state.config.body(state.body)
    if not command.present:
        raise DomainError("a meeting's attendance names at least one seat present")
    if stray := sorted(set(command.by_deputy) - set(command.present)):
        raise DomainError(f"{', '.join(stray)} sent a deputy but is not listed as present")
    if both := sorted(set(command.present) & set(command.apologies)):
        raise DomainError(f"{', '.join(both)} is listed both as present and as sending apologies")
    if unknown := sorted(s for s in command.apologies if body.member(s) is None):
        raise DomainError(f"{', '.join(unknown)} is not a seat on {body.slug}")
    result = assess_quorum(
        body, [Attendance(seat=s, deputy=s in command.by_deputy) for s in command.present]
    )
    return [
        AttendanceRecorded(
            partnership=state.config.slug,
            body=state.body,
            meeting_on=state.meeting_on,
            held_on=state.held_on,
            present=command.present,
            by_deputy=command.by_deputy,
            apologies=command.apologies,
            quorum=result.status.value,
            quorate=result.is_quorate,
            counted=result.counted,
            explanation=result.explanation,
            clause=body.quorum.clause if body.quorum is not None else None,
        )
    ]


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
                    "deadline_citations": event.deadline_citations,
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
        case MeetingArranged():
            arrangement = Arrangement(
                held_on=event.held_on, starts_at=event.starts_at, venue=event.venue, link=event.link
            )
            update: dict[str, object] = {
                "arrangement": arrangement,
                "arrangements": state.arrangements + 1,
                "agenda_issue_by": event.agenda_issue_by,
                "deadline_citations": event.deadline_citations,
            }
            # Requests once closed stay closed: the agenda is being written.
            if state.status == "scheduled":
                update["agenda_requests_due_on"] = event.agenda_requests_due_on
            return state.model_copy(update=update)
        case MeetingCancelled():
            return state.model_copy(
                update={
                    "status": "closed",
                    "closed_on": event.cancelled_on,
                    "cancelled_on": event.cancelled_on,
                }
            )
        case AttendanceRecorded():
            return state.model_copy(update={"attendance": event})
        case MeetingOpened():
            return state.model_copy(update={"opening": event})
        case DecisionRecorded():
            return state.model_copy(update={"decided": (*state.decided, event.item)})
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
