"""What staff and the partnership's own processes ask of the partnership."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.partnership.admission import (
    AgreeAdmission,
    ProposeAdmission,
    SignCounterpart,
)
from domain.aggregates.partnership.interests import UpdateInterests
from domain.bodies import Body
from domain.committee_plans import PlanMilestone
from domain.events import Abandonment, ProcessKind, ReviewOutcome
from domain.organisations import Organisation
from domain.text import Line, Name, Text


class SignMou(BaseModel):
    """Record that `organisation` executed its counterpart of the MoU."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["SignMou"] = "SignMou"
    organisation: Name
    signatory_name: Name = Field(min_length=1)
    signatory_role: Name = Field(min_length=1)
    signed_on: date
    today: date | None = None


class EndMembership(BaseModel):
    """On the effective date of an exit, remove the partner (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["EndMembership"] = "EndMembership"
    exit_id: Name = Field(min_length=1)
    organisation: Name
    ended_on: date


class RecordReviewOutcome(BaseModel):
    """Apply a concluded review: a new version if varied, and the next review date (P1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordReviewOutcome"] = "RecordReviewOutcome"
    review_id: Name = Field(min_length=1)
    outcome: ReviewOutcome
    concluded_on: date
    summary: Text = ""


class AdmitPartner(BaseModel):
    """Admit an additional partner with the written agreement of every signatory (MSE MoU 2020
    §14)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["AdmitPartner"] = "AdmitPartner"
    organisation: Organisation
    admitted_on: date
    agreed_by: tuple[Name, ...]


class EstablishBody(BaseModel):
    """Add the joint committee, once its formation is complete, as a body of the partnership
    (DCC Cabinet 2022 §6(c) fully operational; §17 delegated authority)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["EstablishBody"] = "EstablishBody"
    committee_id: Name = Field(min_length=1)
    body: Body
    established_on: date


class StartProcess(BaseModel):
    """Start one of the partnership's processes on its own stream, `process_id`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["StartProcess"] = "StartProcess"
    process: ProcessKind
    process_id: Name = Field(min_length=1)
    subject: Name = Field(min_length=1, description="the organisation, committee or escalation")
    started_on: date


class EndProcess(BaseModel):
    """One of the partnership's processes has ended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["EndProcess"] = "EndProcess"
    process_id: Name = Field(min_length=1)
    ended_on: date
    outcome: Line = Field(min_length=1)
    abandoned: Abandonment | None = None


PartnershipCommand = (
    SignMou
    | EndMembership
    | RecordReviewOutcome
    | AdmitPartner
    | EstablishBody
    | StartProcess
    | EndProcess
    | ProposeAdmission
    | AgreeAdmission
    | SignCounterpart
    | UpdateInterests
)


class RequestReview(BaseModel):
    """Staff open the annual review now, before its timer would (CDCP MoU §24: "at least
    annually")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RequestReview"] = "RequestReview"


class StartCommittee(BaseModel):
    """Staff start the formation of a committee the partnership's file plans (P3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["StartCommittee"] = "StartCommittee"
    committee: Name = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Name | None = Field(default=None, min_length=1, description="else the plan's name")
    plan: tuple[PlanMilestone, ...] | None = Field(
        default=None, description="the milestones, when not the plan's own (a plan shifted)"
    )
