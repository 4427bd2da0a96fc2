"""What an exit's workflow is started with, takes and returns (workflows/exit.py)."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.exit import AcknowledgeNotice, ExitState, NotifyExit, WithdrawExit
from domain.rules.exits import BodyExitEffect
from workflows.contracts.process import ChildInput

ExitUpdate = Annotated[AcknowledgeNotice | WithdrawExit, Field(discriminator="type")]
"""What staff record on an exit: an acknowledgement, or the notice withdrawn."""


class ExitInput(ChildInput[ExitState]):
    """The partnership as it stood when notice was given, so a replay sees it as it was then.
    With no `notice` the exit resumes from its stream (its partnership was started again)."""

    signatories: tuple[str, ...]
    notice: NotifyExit | None


class ExitProgress(BaseModel):
    """What a command returns: small, as every update's result is kept in the history; the
    whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    status: str
    unacknowledged: tuple[str, ...]


class ExitResult(BaseModel):
    """How the exit ended, and what it does to each body's membership and quorum (P2)."""

    model_config = ConfigDict(frozen=True)

    exit_id: str
    organisation: str
    outcome: Literal["ended", "withdrawn"]
    ended_on: date | None = None
    withdrawn_on: date | None = None
    bodies_affected: tuple[str, ...] = ()
    bodies: tuple[BodyExitEffect, ...] = ()
    cannot_be_quorate: tuple[str, ...] = ()
