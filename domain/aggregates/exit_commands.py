"""What staff, the exit's timers and its partnership ask of a partner's exit (P2)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.text import Name, Text


class NotifyExit(BaseModel):
    """A partner gives notice that it is leaving on `effective_on`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["NotifyExit"] = "NotifyExit"
    exit_id: Name | None = Field(
        default=None, description="the exit's stream: given by the partnership as it starts it"
    )
    organisation: Name
    notified_on: date
    effective_on: date
    signatory_name: Name = Field(min_length=1)
    reason: Text = Field(default="", description="why, for the written notices")
    in_writing: bool = True


class IssueNotices(BaseModel):
    """Produce the written notice for every other signatory not yet sent one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["IssueNotices"] = "IssueNotices"
    issued_on: date
    acknowledge_by: date
    reason: Text = ""


class AcknowledgeNotice(BaseModel):
    """A recipient acknowledged the notice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["AcknowledgeNotice"] = "AcknowledgeNotice"
    recipient: Name
    acknowledged_on: date
    acknowledged_by: Name = Field(min_length=1)
    today: date | None = None


class SendExitReminder(BaseModel):
    """Remind a recipient that has not acknowledged (P2 policy), with a written reminder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["SendExitReminder"] = "SendExitReminder"
    recipient: Name
    sent_on: date


class WithdrawExit(BaseModel):
    """The leaving partner withdraws its notice (only before the effective date)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["WithdrawExit"] = "WithdrawExit"
    withdrawn_on: date
    reason: Text = ""
    today: date | None = None


class CompleteExit(BaseModel):
    """On the effective date the membership ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CompleteExit"] = "CompleteExit"
    ended_on: date


ExitCommand = (
    NotifyExit | IssueNotices | AcknowledgeNotice | SendExitReminder | WithdrawExit | CompleteExit
)
