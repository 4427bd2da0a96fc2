"""What a partnership's workflow is started with, takes and returns (workflows/partnership.py)."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.escalation import RaiseEscalation
from domain.aggregates.exit_commands import NotifyExit
from domain.aggregates.partnership import (
    AgreeAdmission,
    PartnershipState,
    ProposeAdmission,
    RequestReview,
    SignCounterpart,
    SignMou,
    StartCommittee,
    UpdateInterests,
)
from domain.events import AdmissionProposed, ProcessKind
from domain.rules.exits import ExitEffect
from workflows.contracts.process import ProcessInput

PartnershipUpdate = Annotated[
    SignMou | ProposeAdmission | AgreeAdmission | SignCounterpart | UpdateInterests,
    Field(discriminator="type"),
]
"""What staff record on the partnership itself: a signature of the MoU, a step of an
additional partner's admission, or a member's declaration of interests updated between rounds."""

ProcessStart = Annotated[
    NotifyExit | RequestReview | StartCommittee | RaiseEscalation,
    Field(discriminator="type"),
]
"""What staff may start: an exit (the partner's written notice), the review, a committee's
formation, an escalation."""


class PartnershipInput(ProcessInput[PartnershipState]):
    """The partnership's configuration; a test's history limit applies to every process it
    starts as well."""


class PartnershipProgress(BaseModel):
    """What a command returns: small, as every update's result is kept in the history and the
    whole state carries the configuration (20-30 KB); the whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    effective_on: date | None
    mou_version: int
    outstanding_signatures: tuple[str, ...]
    admission: AdmissionProposed | None
    admission_agreed_by: tuple[str, ...]


class Started(BaseModel):
    """What starting a process returns: the process, and for an exit the signatories its written
    notice goes to and what leaving does to each body (P2)."""

    model_config = ConfigDict(frozen=True)

    process: ProcessKind
    process_id: str
    recipients: tuple[str, ...] = ()
    effect: ExitEffect | None = None
