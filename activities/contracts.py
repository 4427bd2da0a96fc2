"""What workflows send to activities and get back: plain pydantic and domain events, so it imports
inside Temporal's sandbox and keeps the workflows free of the event store's own types."""

import hashlib
import json
from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from domain.events import DomainEvent, NoticeDelivered, NoticeIssued
from domain.meetings import FireCalendar
from domain.partnership import Partnership
from domain.provenance import Actor

APPEND_EVENTS = "append_events"

CONCURRENCY_CONFLICT = "ConcurrencyConflict"
"""The type of an append's failure when the stream has gone past the expected version (the name
of eventstore.errors.ConcurrencyConflict): the workflow reads what it holds and decides again."""


class EventToRecord(BaseModel):
    """A decided event with what only the workflow knows: its id (made with workflow.uuid4(), so
    a retried append is recognised), when it happened (the workflow's time) and who acted."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    occurred_at: AwareDatetime
    actor: Actor
    event: DomainEvent


class AppendRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str = Field(min_length=1)
    expected_version: int = Field(ge=0)
    events: list[EventToRecord] = Field(min_length=1)


class Appended(BaseModel):
    model_config = ConfigDict(frozen=True)

    positions: list[int]
    last_version: int
    already_recorded: bool = Field(
        description="True when every event was there already (a retried append): nothing written"
    )


READ_STREAM = "read_stream"


class ReadStream(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str = Field(min_length=1)
    after_version: int = Field(default=0, ge=0, description="read only the events after it")


class StreamRead(BaseModel):
    """A stream as the log holds it (after the version asked for): its events in order and the
    version they reach."""

    model_config = ConfigDict(frozen=True)

    events: list[DomainEvent]
    version: int = Field(ge=0)


DELIVER_NOTICE = "deliver_notice"


class DeliveryRequest(BaseModel):
    """A recorded notice to deliver; the text is the text whose hash is in the event."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    notice_id: str = Field(min_length=1)
    recipient: str = Field(min_length=1)
    subject: str
    body: str
    content_hash: str
    issued_on: date | None = Field(
        default=None, description="the letter's date, its e-mail's Date; None before letters had it"
    )


class DeliveryReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    notice_id: str
    channel: str
    reference: str = Field(description="where it went: the outbox file or the SMTP Message-ID")
    delivered_at: AwareDatetime


DELIVER_NOTICES = "deliver_notices"


class DeliverNotices(BaseModel):
    """A decision's recorded notices, to deliver together and record their receipts in one
    append at `expected_version`; the receipts' ids come from the workflow, so a retry that finds
    them recorded writes nothing twice."""

    model_config = ConfigDict(frozen=True)

    stream_id: str = Field(min_length=1)
    expected_version: int = Field(ge=0)
    notices: list[NoticeIssued] = Field(min_length=1)
    receipt_ids: list[UUID] = Field(description="one per notice, in the same order")
    occurred_at: AwareDatetime
    actor: Actor

    @model_validator(mode="after")
    def one_id_per_notice(self) -> Self:
        if len(self.receipt_ids) != len(self.notices):
            raise ValueError(
                f"{len(self.notices)} notices need as many receipt ids, not {len(self.receipt_ids)}"
            )
        return self


class NoticesDelivered(BaseModel):
    """The receipts as the log holds them, in the order of the notices."""

    model_config = ConfigDict(frozen=True)

    receipts: list[NoticeDelivered]
    last_version: int = Field(ge=1)


HOW_IT_ENDED = "how_it_ended"


class HowItEnded(BaseModel):
    """Which workflow to ask Temporal about: one that ended without its own last word."""

    model_config = ConfigDict(frozen=True)

    workflow_id: str = Field(min_length=1)


MINT_CHECKPOINT = "mint_checkpoint"

CHECKPOINTED_EVENTS = frozenset({"MouEffective", "MouAmended", "MembershipEnded"})
"""An MoU becoming effective, amended, a partner's exit: a checkpoint is minted as soon as one is
appended, not at the next hour."""


class MintCheckpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str = Field(min_length=1, description="what asked for it: the schedule, or an event")


class CheckpointMinted(BaseModel):
    model_config = ConfigDict(frozen=True)

    tree_size: int = Field(ge=0)


ENSURE_SCHEDULES = "ensure_schedules"


class PlannedSchedule(BaseModel):
    """A Temporal Schedule a started partnership needs (docs/architecture.md principle 5): which
    workflow it starts, when, and with what input (the JSON of the workflow's own input model,
    built by `workflows.schedule_plan`)."""

    model_config = ConfigDict(frozen=True)

    schedule_id: str = Field(min_length=1)
    partnership: str = Field(min_length=1)
    process: Literal["meeting", "declarations"]
    workflow: Literal["MeetingCycle", "Declarations"]
    workflow_id: str = Field(min_length=1)
    calendar: FireCalendar
    input: dict[str, Any]

    def fingerprint(self, task_queue: str) -> str:
        """Changes whenever the calendar, the action or its input would."""
        material = {
            "workflow": self.workflow,
            "workflow_id": self.workflow_id,
            "task_queue": task_queue,
            "calendar": self.calendar.model_dump(mode="json"),
            "input": self.input,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


class EnsureSchedules(BaseModel):
    """Make the partnership's schedules exactly those its configuration plans
    (`workflows.schedule_plan`): create the missing, update the changed, delete the ones no longer
    planned. The configuration goes once; the plan is made from it by the activity, where every
    schedule's input would repeat the whole configuration in the partnership's history."""

    model_config = ConfigDict(frozen=True)

    partnership: str = Field(min_length=1)
    config: Partnership | None = None
    schedules: list[PlannedSchedule] = Field(
        default_factory=list,
        description="the plan itself, as a run scheduled before the configuration went alone "
        "sent it; kept so that a retry of such a run's activity still reads",
    )

    @model_validator(mode="after")
    def one_plan(self) -> Self:
        if self.config is not None and self.schedules:
            raise ValueError("give the configuration or its planned schedules, not both")
        if self.config is not None and self.config.slug != self.partnership:
            raise ValueError(
                f"the configuration is {self.config.slug!r}'s, not {self.partnership!r}'s"
            )
        return self


class SyncResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_id: str
    outcome: Literal["created", "updated", "unchanged", "deleted"]
