"""P5 meetings: one meeting's cycle of agenda requests, agenda and minutes (CDCPE ToR §5)."""

from datetime import date
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
