"""What may be asked of an escalation (docs/rules.md P4)."""

from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.bodies import DecisionRuleKind
from domain.events import ActionKind, ClimbReason, ConflictRuling, EscalationReason, VoteChoice
from domain.rules.quorum import Attendance
from domain.text import Name, Text


class RaiseEscalation(BaseModel):
    """A body escalates an issue; it starts at the first level of the ladder.

    `respond_by` defaults to the first level's response window (P4 policy).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RaiseEscalation"] = "RaiseEscalation"
    escalation_id: Name = Field(min_length=1)
    raised_by: Name
    reason: EscalationReason
    summary: Text = Field(min_length=1)
    raised_on: date
    today: date | None = None
    respond_by: date | None = None
    affected: tuple[Name, ...] = ()


class ConsiderEscalation(BaseModel):
    """A body at the current level (or the independent facilitator) discussed the issue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ConsiderEscalation"] = "ConsiderEscalation"
    body: Name = Field(min_length=1)
    considered_on: date
    today: date | None = None
    notes: Text = ""


class ReferUp(BaseModel):
    """The body at `level` considered the issue and could not settle it: it goes up a level.

    CDCPE ToR §1.2 (boards answerable to the Executive), §2 (the Executive "acting as an
    escalation point"); MSE MoU 2020 §8.10(1)-(3); NENC ICS MoU §24.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ReferUp"] = "ReferUp"
    level: int
    body: Name = Field(min_length=1)
    referred_on: date
    today: date | None = None
    notes: Text = Field(min_length=1)


class DecideEscalation(BaseModel):
    """A vote at the current level.

    `present` are the seats attending; `declarations` the interests declared for this item and
    `rulings` the Chair's ruling on each (CDCPE ToR §6); `affected` the partner organisations
    affected (MSE MoU 2020 §8.10(2); default: those named when the escalation was raised). `rule`
    picks another of the body's configured rules for this matter, for example the Partnership
    Board's 75% rule for NHS capital and transformation funding (MSE MoU 2020 §8.4); by default the
    stage's. `level`, when given, must be the current level, so a vote is never recorded at a level
    the escalation has already left.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["DecideEscalation"] = "DecideEscalation"
    body: Name
    decided_on: date
    today: date | None = None
    present: tuple[Attendance, ...]
    in_favour: tuple[Name, ...]
    against: tuple[Name, ...] = ()
    affected: tuple[Name, ...] = ()
    declarations: Mapping[Name, Text] = Field(default_factory=dict)
    rulings: Mapping[Name, ConflictRuling] = Field(default_factory=dict)
    rule: DecisionRuleKind | None = None
    summary: Text = Field(min_length=1)
    level: int | None = None


class CastVote(BaseModel):
    """A voting member of the deciding body, or their named deputy, casts their own vote at the
    current level (CDCPE ToR §3; docs/rules.md A11), with any interest they declare for this item
    (CDCPE ToR §6). They may change it until the level's vote is decided; the secretariat's
    `DecideEscalation` then counts it if they were present."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CastVote"] = "CastVote"
    body: Name = Field(min_length=1)
    level: int
    seat: Name = Field(min_length=1)
    vote: VoteChoice
    declaration: Text = ""
    cast_on: date
    today: date | None = None


class DecisionNotAccepted(BaseModel):
    """A party did not accept the decision taken at `level`: it goes up (MSE MoU 2020 §8.10(3))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["DecisionNotAccepted"] = "DecisionNotAccepted"
    level: int
    by: Name = Field(min_length=1)
    on: date
    reason: Text = Field(min_length=1)


class ClimbEscalation(BaseModel):
    """Move the escalation to the next level; `respond_by` defaults to that level's window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ClimbEscalation"] = "ClimbEscalation"
    climbed_on: date
    reason: ClimbReason
    respond_by: date | None = None


class LevelLapsed(BaseModel):
    """The current level's response deadline passed unsettled: climb, or close at the top."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["LevelLapsed"] = "LevelLapsed"
    on: date


class AgreeAction(BaseModel):
    """An action agreed at the current level (MSE MoU 2020 §7.5-§7.8; CDCPE ToR §2); decide
    numbers it (`next_action_id`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["AgreeAction"] = "AgreeAction"
    kind: ActionKind
    description: Text = Field(min_length=1)
    owner: Name = Field(min_length=1)
    due_on: date
    agreed_on: date
    today: date | None = None


class CompleteAction(BaseModel):
    """An agreed action was completed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CompleteAction"] = "CompleteAction"
    action_id: Name
    completed_on: date
    today: date | None = None


class NoticeOverdueActions(BaseModel):
    """Remind the owners of actions that passed their due date on or before `on`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["NoticeOverdueActions"] = "NoticeOverdueActions"
    on: date


class ResolveEscalation(BaseModel):
    """The issue is resolved at the current level; every agreed action must be complete."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ResolveEscalation"] = "ResolveEscalation"
    resolved_on: date
    resolution: Text = Field(min_length=1)
    today: date | None = None


class CloseEscalation(BaseModel):
    """Staff close the escalation unresolved, saying why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CloseEscalation"] = "CloseEscalation"
    closed_on: date
    today: date | None = None
    reason: Text = Field(min_length=1)


EscalationCommand = (
    RaiseEscalation
    | ConsiderEscalation
    | ReferUp
    | DecideEscalation
    | CastVote
    | DecisionNotAccepted
    | ClimbEscalation
    | LevelLapsed
    | AgreeAction
    | CompleteAction
    | NoticeOverdueActions
    | ResolveEscalation
    | CloseEscalation
)
