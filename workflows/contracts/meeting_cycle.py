"""What a meeting cycle is started with, takes and returns (workflows/meeting_cycle.py)."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.meeting_proceedings import OpenMeeting, RecordDecision
from domain.meetings import (
    ApproveMinutes,
    CancelMeeting,
    MeetingState,
    MoveMeeting,
    RecordAttendance,
    RequestItem,
    SetMeeting,
)
from workflows.contracts.process import ProcessInput

MeetingUpdate = Annotated[
    RequestItem
    | ApproveMinutes
    | SetMeeting
    | MoveMeeting
    | CancelMeeting
    | RecordAttendance
    | OpenMeeting
    | RecordDecision,
    Field(discriminator="type"),
]
"""What staff record on a meeting: an agenda item requested; the clerk setting, moving or
cancelling it; its attendance; its opening (declarations confirmed, other business agreed) and
its decisions; the previous minutes approved."""


class MeetingCycleInput(ProcessInput[MeetingState]):
    """The partnership as configured when the schedule was synced, and the body that meets.

    `meeting_on` is None when a schedule starts the cycle: the meeting date then follows from the
    fire time (`domain.meetings.meeting_date_for`)."""

    body: str
    meeting_on: date | None = None


class MeetingProgress(BaseModel):
    """What a command returns; the whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    status: str
    agenda_items: tuple[str, ...]
    any_other_business: tuple[str, ...]


class MeetingCycleResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str
    meeting_on: date
    status: str
    minutes_approved: bool
