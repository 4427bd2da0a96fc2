"""The processes the API can command, by the workflow type Temporal reports: each one's update,
state query and the commands its update takes."""

from dataclasses import dataclass
from typing import Annotated, Any, get_args

from pydantic import Field

from domain.aggregates.partnership import AdmissionCommand, UpdateInterests
from workflows.committee import CommitteeWorkflow
from workflows.contracts.committee import CommitteeUpdate
from workflows.contracts.declarations import DeclarationsUpdate
from workflows.contracts.escalation import EscalationUpdate
from workflows.contracts.exit import ExitUpdate
from workflows.contracts.meeting_cycle import MeetingUpdate
from workflows.contracts.review import ReviewUpdate
from workflows.declarations import DeclarationsWorkflow
from workflows.escalation import EscalationWorkflow
from workflows.exit import ExitWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

ProcessCommand = Annotated[
    ReviewUpdate
    | ExitUpdate
    | CommitteeUpdate
    | EscalationUpdate
    | MeetingUpdate
    | DeclarationsUpdate
    | AdmissionCommand
    | UpdateInterests,
    Field(discriminator="type"),
]
"""Every command staff send to a running process, told apart by its `type`."""


@dataclass(frozen=True)
class Kind:
    execute: Any
    state: Any
    commands: frozenset[type]


def _members(update: Any) -> frozenset[type]:
    """The command classes of an `Annotated[A | B, Field(discriminator=...)]` union."""
    union = get_args(update)[0]
    return frozenset(get_args(union))


ADMISSION = frozenset(get_args(AdmissionCommand))

KINDS: dict[str, Kind] = {
    "Review": Kind(ReviewWorkflow.execute, ReviewWorkflow.state, _members(ReviewUpdate)),
    "Exit": Kind(ExitWorkflow.execute, ExitWorkflow.state, _members(ExitUpdate)),
    "Committee": Kind(
        CommitteeWorkflow.execute, CommitteeWorkflow.state, _members(CommitteeUpdate)
    ),
    "Escalation": Kind(
        EscalationWorkflow.execute, EscalationWorkflow.state, _members(EscalationUpdate)
    ),
    "MeetingCycle": Kind(
        MeetingCycleWorkflow.execute, MeetingCycleWorkflow.state, _members(MeetingUpdate)
    ),
    "Declarations": Kind(
        DeclarationsWorkflow.execute, DeclarationsWorkflow.state, _members(DeclarationsUpdate)
    ),
    "Partnership": Kind(
        PartnershipWorkflow.execute,
        PartnershipWorkflow.state,
        frozenset(get_args(AdmissionCommand)) | {UpdateInterests},
    ),
}
"""A partnership takes an admission's steps and a member's updated declaration of interests here,
its signatures and starts through routes of its own."""
