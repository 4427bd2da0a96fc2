"""What an escalation is started with, takes and returns (workflows/escalation.py)."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.escalation import (
    Action,
    AgreeAction,
    CastVote,
    CloseEscalation,
    CompleteAction,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationState,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.bodies import Body
from domain.events import EscalationDecided
from domain.partnership import StageKind
from workflows.contracts.process import ChildInput

EscalationUpdate = Annotated[
    ReferUp
    | CastVote
    | DecideEscalation
    | DecisionNotAccepted
    | AgreeAction
    | CompleteAction
    | ResolveEscalation
    | CloseEscalation,
    Field(discriminator="type"),
]
"""What people record on an escalation: a level referring it up, a member's own vote, the
level's vote, a decision not accepted, an action agreed or completed, the escalation resolved or
closed."""


class EscalationInput(ChildInput[EscalationState]):
    """The configuration and the bodies as they stand (after any exits) are part of the input,
    so a replay sees the partnership as it was when the escalation was raised. With no `raised`
    the escalation resumes from its stream (its partnership was started again)."""

    bodies: tuple[Body, ...] | None = None
    raised: RaiseEscalation | None


class LevelView(BaseModel):
    """Where the escalation is: the level, who handles it and its response deadline."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    kind: StageKind
    bodies: tuple[str, ...]
    respond_by: date | None
    deadline: datetime | None


class EscalationProgress(BaseModel):
    """What a command returns: small, as every update's result is kept in the history; the
    whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    status: str = Field(description='"open", "resolved" or "closed"')
    at: LevelView | None
    ended_on: date | None
    outcome: str
    decision: EscalationDecided | None = Field(description="the latest vote")
    actions: tuple[Action, ...]


class EscalationResult(BaseModel):
    """How the escalation ended: resolved or closed, where, when and why."""

    model_config = ConfigDict(frozen=True)

    escalation_id: str
    partnership: str
    status: str
    level: int
    ended_on: date | None
    outcome: str
    actions: tuple[Action, ...]
    state: EscalationState
