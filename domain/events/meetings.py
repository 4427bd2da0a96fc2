"""P5 meetings: one meeting's cycle of agenda requests, agenda and minutes (CDCPE ToR §5)."""

from datetime import date, time
from typing import Literal

from domain.events.base import Event


class MeetingScheduled(Event):
    """A body's meeting entered its cycle: the dates CDCPE ToR §5 sets from the meeting date.

    Agenda requests are due 10 days before and the agenda is issued 3 days before (ToR §5); the
    minutes of the previous meeting are submitted to this one for approval (ToR §5).
    """

    type: Literal["MeetingScheduled"] = "MeetingScheduled"
    dated_by = "scheduled_on"
    body: str
    meeting_on: date
    scheduled_on: date
    agenda_requests_due_on: date
    agenda_issue_by: date
    minutes_for_approval_of: date | None = None
    deadline_citations: tuple[str, ...] = ()
    """Each deadline with the rule it was counted by (docs/rules.md P5.7); empty on cycles
    recorded before the statutory calendar, whose deadlines were calendar days."""


class AgendaItemRequested(Event):
    """A member organisation asked for an item; a late one is only any other business (ToR §5)."""

    type: Literal["AgendaItemRequested"] = "AgendaItemRequested"
    dated_by = "requested_on"
    body: str
    meeting_on: date
    item: str
    requested_by: str
    requested_on: date
    any_other_business: bool


class AgendaRequestsClosed(Event):
    """The 10-day deadline for agenda requests passed (CDCPE ToR §5)."""

    type: Literal["AgendaRequestsClosed"] = "AgendaRequestsClosed"
    dated_by = "closed_on"
    body: str
    meeting_on: date
    closed_on: date
    items: tuple[str, ...]


class AgendaIssued(Event):
    """The agenda went to the members at least 3 days before the meeting (CDCPE ToR §5)."""

    type: Literal["AgendaIssued"] = "AgendaIssued"
    dated_by = "issued_on"
    body: str
    meeting_on: date
    issued_on: date
    items: tuple[str, ...]
    any_other_business: tuple[str, ...]
    minutes_for_approval_of: date | None = None


class MinutesApproved(Event):
    """The meeting approved the previous meeting's minutes (CDCPE ToR §5)."""

    type: Literal["MinutesApproved"] = "MinutesApproved"
    dated_by = "approved_on"
    body: str
    meeting_on: date
    minutes_of: date
    approved_on: date
    reference: str


class MeetingCycleClosed(Event):
    """The meeting's cycle ended; unapproved minutes go to the next meeting (CDCPE ToR §5)."""

    type: Literal["MeetingCycleClosed"] = "MeetingCycleClosed"
    dated_by = "closed_on"
    body: str
    meeting_on: date
    closed_on: date
    minutes_approved: bool


class MeetingArranged(Event):
    """The clerk set the meeting's date, time (Europe/London) and venue or online link, or moved
    it (`moved_from`); its deadlines follow the new date (CDCPE ToR §5, docs/rules.md P5.7)."""

    type: Literal["MeetingArranged"] = "MeetingArranged"
    dated_by = "arranged_on"
    body: str
    meeting_on: date
    arranged_on: date
    held_on: date
    starts_at: time
    venue: str | None = None
    link: str | None = None
    moved_from: date | None = None
    reason: str | None = None
    agenda_requests_due_on: date
    agenda_issue_by: date
    deadline_citations: tuple[str, ...] = ()


class MeetingCancelled(Event):
    """The clerk cancelled the meeting, with notice to its members; the cycle ends, and the
    minutes it would have approved go to the next meeting (CDCPE ToR §5)."""

    type: Literal["MeetingCancelled"] = "MeetingCancelled"
    dated_by = "cancelled_on"
    body: str
    meeting_on: date
    cancelled_on: date
    reason: str


class AttendanceRecorded(Event):
    """Who attended the meeting, and its quorum under the body's rule (CDCPE ToR §3, §10): the
    seats present (`by_deputy` those a nominated deputy attended for), apologies, and the
    assessment the record keeps."""

    type: Literal["AttendanceRecorded"] = "AttendanceRecorded"
    dated_by = "held_on"
    body: str
    meeting_on: date
    held_on: date
    present: tuple[str, ...]
    by_deputy: tuple[str, ...] = ()
    apologies: tuple[str, ...] = ()
    quorum: str
    quorate: bool
    counted: tuple[str, ...]
    explanation: str
    clause: str | None = None
