"""What staff and timers ask of a joint committee formation (docs/rules.md P3): the commands
`domain.aggregates.committee.decide` accepts or refuses."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.committee_plans import PlanMilestone
from domain.rules.committee_membership import ProposedSeat


class StartFormation(BaseModel):
    """Begin forming a joint committee under a preferred option (DCC Cabinet 2022 recommendation
    7(b))."""

    model_config = ConfigDict(frozen=True)

    committee_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    preferred_option: str = Field(min_length=1)
    started_on: date


class RecordMilestoneAgreement(BaseModel):
    """A body or partner whose agreement a milestone needs has given it."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    agreed_by: str
    agreed_on: date


class MeetMilestone(BaseModel):
    """Record a milestone as met."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    met_on: date
    evidence: str = ""


class RecordSlippage(BaseModel):
    """A milestone is past its target date and not met (raises a slippage escalation)."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    noticed_on: date


class ReplanMilestone(BaseModel):
    """The owner sets a new target date."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    new_target_on: date
    replanned_on: date
    reason: str = Field(min_length=1)


class PublishGuidance(BaseModel):
    """Government guidance was published (DCC Cabinet 2022 7(c), §29)."""

    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1)
    published_on: date
    changes_preferred_option: bool = False
    new_preferred_option: str | None = None


class ConfirmMembership(BaseModel):
    """The committee's membership, checked against the minimum list of DCC Cabinet 2022 §19
    (a)-(g)."""

    model_config = ConfigDict(frozen=True)

    seats: tuple[ProposedSeat, ...] = Field(min_length=1)
    confirmed_on: date


class EstablishCommittee(BaseModel):
    """Declare the committee fully operational (DCC Cabinet 2022 §6(c))."""

    model_config = ConfigDict(frozen=True)

    established_on: date
    reports_to: tuple[str, ...]


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
