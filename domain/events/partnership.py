"""P1 signature and the partnership's own stream: the MoU, its versions and its members."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.bodies import Body
from domain.events.base import Event, ProcessKind
from domain.organisations import Annex1Category, Sector
from domain.text import Line, Name


class MouSigned(Event):
    """A partner executed its counterpart of the MoU (MSE MoU 2020 §15.3, CDCP MoU §24)."""

    type: Literal["MouSigned"] = "MouSigned"
    dated_by = "signed_on"
    organisation: str
    signatory_name: str
    signatory_role: str
    signed_on: date


class MouEffective(Event):
    """Every partner has signed: the MoU commences (CDCP MoU §24, MSE MoU 2020 §15.3)."""

    type: Literal["MouEffective"] = "MouEffective"
    dated_by = "effective_on"
    effective_on: date
    version: int
    review_due_on: date


class ReviewDateRevised(Event):
    """The MoU's next review date moved (CDCP MoU §27 "revised accordingly")."""

    type: Literal["ReviewDateRevised"] = "ReviewDateRevised"
    dated_by = "revised_on"
    previous_due_on: date | None
    review_due_on: date
    revised_on: date
    reason: str


class MouAmended(Event):
    """A new MoU version was issued (after an exit, a variation or an admission)."""

    type: Literal["MouAmended"] = "MouAmended"
    dated_by = "amended_on"
    version: int
    amended_on: date
    reason: str


class SeatOnBody(BaseModel):
    """A seat an admission gives the new partner on one of the partnership's bodies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body: Name = Field(min_length=1)
    seat: Name = Field(min_length=1, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    role: Name = Field(min_length=1)


class AdmissionProposed(Event):
    """A partner proposed an additional partner, and the seats it would hold (MSE MoU 2020 §14);
    every signatory's written agreement is asked for."""

    type: Literal["AdmissionProposed"] = "AdmissionProposed"
    dated_by = "proposed_on"
    proposed_by: str
    organisation: str
    name: str
    kind: str
    sector: Sector
    annex1_category: Annex1Category | None = None
    seats: tuple[SeatOnBody, ...] = ()
    proposed_on: date


class AdmissionAgreed(Event):
    """A signatory's written agreement to the proposed admission (MSE MoU 2020 §14, §10.1)."""

    type: Literal["AdmissionAgreed"] = "AdmissionAgreed"
    dated_by = "agreed_on"
    organisation: str
    admitting: str
    agreed_on: date
    reference: str


class PartnerAdmitted(Event):
    """The partners agreed to admit an additional partner (MSE MoU 2020 §14, CDCP MoU §25)."""

    type: Literal["PartnerAdmitted"] = "PartnerAdmitted"
    dated_by = "admitted_on"
    organisation: str
    name: str
    kind: str
    sector: Sector
    annex1_category: Annex1Category | None = None
    admitted_on: date
    agreed_by: tuple[str, ...]
    seats: tuple[SeatOnBody, ...] = ()


class BodyEstablished(Event):
    """A new body of the partnership: the joint committee once established (DCC Cabinet 2022 §6(c),
    §17), recorded in the partnership's own stream with its membership."""

    type: Literal["BodyEstablished"] = "BodyEstablished"
    dated_by = "established_on"
    committee_id: str
    body: Body
    established_on: date


class ProcessStarted(Event):
    """The partnership started one of its processes, whose own stream is `process_id`: a review,
    an exit, a committee's formation or an escalation (`subject`: the leaving organisation, the
    committee, the escalation). Recorded so the partnership, rebuilt from its stream, knows which
    of its processes are still open."""

    type: Literal["ProcessStarted"] = "ProcessStarted"
    dated_by = "started_on"
    process: ProcessKind
    process_id: str
    subject: str
    started_on: date


class Abandonment(BaseModel):
    """How a process's workflow ended without its own last word, as Temporal recorded it: by
    whom (an operator's identity, when Temporal has one) and why (docs/rules.md R11)."""

    model_config = ConfigDict(frozen=True)

    how: Literal["terminated", "cancelled", "timed out", "failed", "vanished"]
    # Typed like a person's text, as it is carried in a command: what Temporal holds is made
    # printable and cut to these bounds before it gets here.
    by: Name | None
    reason: Line


class ProcessEnded(Event):
    """One of the partnership's processes ended: how (`outcome`) and when; `abandoned` when its
    workflow was ended from outside or failed, rather than finishing."""

    type: Literal["ProcessEnded"] = "ProcessEnded"
    dated_by = "ended_on"
    process: ProcessKind
    process_id: str
    ended_on: date
    outcome: str
    abandoned: Abandonment | None = None
