"""What the formation of a joint committee is started with, takes and returns
(workflows/committee.py)."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.committee import (
    CommitteeState,
)
from domain.aggregates.committee_commands import (
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    ReplanMilestone,
    StartFormation,
)
from domain.bodies import Body
from domain.committee_plans import CommitteePlan
from workflows.contracts.process import ChildInput

CommitteeUpdate = Annotated[
    MeetMilestone
    | RecordMilestoneAgreement
    | PublishGuidance
    | ReplanMilestone
    | ConfirmMembership,
    Field(discriminator="type"),
]
"""What staff record on a formation: a milestone met, an agreement given, guidance published, a
milestone re-planned, the membership confirmed."""


class CommitteeInput(ChildInput[CommitteeState]):
    """The configuration and plan as they stood at the start, so a replay sees them as they were.
    With no `start` the formation resumes from its stream (its partnership was started again)."""

    plan: CommitteePlan
    start: StartFormation | None


class MilestoneMetOn(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone_id: str
    title: str
    met_on: date


class CommitteeResult(BaseModel):
    """The established committee: the partnership adds `body` to its bodies."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    committee: str
    established_on: date
    body: Body
    milestones: tuple[MilestoneMetOn, ...]
