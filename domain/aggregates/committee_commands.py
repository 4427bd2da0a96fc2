"""What staff and timers ask of a joint committee formation (docs/rules.md P3): the commands
`domain.aggregates.committee.decide` accepts or refuses."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.committee_plans import PlanMilestone
from domain.rules.committee_membership import ProposedSeat
from domain.text import Line, Name, Text


class StartFormation(BaseModel):
    """Begin forming a joint committee under a preferred option (DCC Cabinet 2022 recommendation
    7(b))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["StartFormation"] = "StartFormation"
    committee_id: Name = Field(min_length=1)
    name: Name = Field(min_length=1)
    preferred_option: Line = Field(min_length=1)
    started_on: date


class RecordMilestoneAgreement(BaseModel):
    """A body or partner whose agreement a milestone needs has given it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordMilestoneAgreement"] = "RecordMilestoneAgreement"
    milestone_id: Name
    agreed_by: Name
    agreed_on: date
    today: date | None = None


class MeetMilestone(BaseModel):
    """Record a milestone as met."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["MeetMilestone"] = "MeetMilestone"
    milestone_id: Name
    met_on: date
    evidence: Text = ""
    today: date | None = None


class RecordSlippage(BaseModel):
    """A milestone is past its target date and not met (raises a slippage escalation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordSlippage"] = "RecordSlippage"
    milestone_id: Name
    noticed_on: date


class ReplanMilestone(BaseModel):
    """The owner sets a new target date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ReplanMilestone"] = "ReplanMilestone"
    milestone_id: Name
    new_target_on: date
    reason: Text = Field(min_length=1)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class PublishGuidance(BaseModel):
    """Government guidance was published (DCC Cabinet 2022 7(c), §29)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["PublishGuidance"] = "PublishGuidance"
    title: Line = Field(min_length=1)
    published_on: date
    changes_preferred_option: bool = False
    new_preferred_option: Line | None = None
    today: date | None = None


class ConfirmMembership(BaseModel):
    """The committee's membership, checked against the minimum list of DCC Cabinet 2022 §19
    (a)-(g)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ConfirmMembership"] = "ConfirmMembership"
    seats: tuple[ProposedSeat, ...] = Field(min_length=1)
    confirmed_on: date
    today: date | None = None


class EstablishCommittee(BaseModel):
    """Declare the committee fully operational (DCC Cabinet 2022 §6(c))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["EstablishCommittee"] = "EstablishCommittee"
    established_on: date
    reports_to: tuple[Name, ...]


CommitteeCommand = (
    StartFormation
    | PlanMilestone
    | RecordMilestoneAgreement
    | MeetMilestone
    | RecordSlippage
    | ReplanMilestone
    | PublishGuidance
    | ConfirmMembership
    | EstablishCommittee
)
