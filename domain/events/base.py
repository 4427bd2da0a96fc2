"""What every event shares, and the notices and reminders every process sends."""

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """The base of every event: immutable, no unknown fields, and the partnership it is of."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dated_by: ClassVar[str | None]
    """The field holding the governance date the event speaks of (the day signed, notice given,
    the meeting held), which may be long before it was recorded; None for an event with no date
    of its own. Every event class names it, so none is forgotten (checked when it is defined)."""

    schema_version: Literal[1] = 1
    partnership: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "dated_by" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must say which field dates it (dated_by)")
        if cls.dated_by is not None and cls.dated_by not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.dated_by names no field: {cls.dated_by!r}")

    def governance_date(self) -> date | None:
        """The date this event speaks of; None when it has none but the time it occurred."""
        if self.dated_by is None:
            return None
        # A date field: tests/domain/test_event_dates.py checks every event type's.
        value: date = getattr(self, self.dated_by)
        return value


class NoticeKind(StrEnum):
    """What a written notice is for; it tells an aggregate which notices it tracks."""

    EXIT_NOTICE = "exit-notice"
    REVIEW_REQUEST = "review-request"
    VARIATION = "variation"
    REMINDER = "reminder"
    OUTCOME = "outcome"
    SLIPPAGE = "slippage"
    ESCALATION = "escalation"
    AGENDA_REQUEST = "agenda-request"
    AGENDA = "agenda"
    MINUTES = "minutes"
    MEETING_NOTICE = "meeting-notice"
    DECLARATION_REQUEST = "declaration-request"


class ProcessKind(StrEnum):
    """Processes that send notices and reminders."""

    REVIEW = "review"
    EXIT = "exit"
    COMMITTEE = "committee"
    ESCALATION = "escalation"
    DECLARATIONS = "declarations"
    MEETING = "meeting"


class ReminderSent(Event):
    """A reminder went to an organisation that had not yet responded by `deadline`."""

    type: Literal["ReminderSent"] = "ReminderSent"
    dated_by = "sent_on"
    process: ProcessKind
    process_id: str
    organisation: str
    sent_on: date
    deadline: date


class NoticeIssued(Event):
    """A written notice was produced for one recipient; its full text and hash are recorded.

    The exit notice to every other signatory is one (CDCP MoU §27: "notify the other signatory
    organisations in writing"); so are review requests, circulated variations, reminders,
    slippage notices and escalation notices.
    """

    type: Literal["NoticeIssued"] = "NoticeIssued"
    dated_by = "issued_on"
    process: ProcessKind
    process_id: str
    notice_id: str
    kind: NoticeKind
    recipient: str
    issued_on: date
    respond_by: date | None = None
    subject: str
    body: str
    content_hash: str


class NoticeDelivered(Event):
    """The delivery channel took the notice: the receipt of `NoticeIssued`."""

    type: Literal["NoticeDelivered"] = "NoticeDelivered"
    dated_by = "delivered_on"
    process: ProcessKind
    process_id: str
    notice_id: str
    recipient: str
    delivered_on: date
    channel: str
    reference: str
