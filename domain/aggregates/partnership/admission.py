"""Admitting an additional partner (docs/rules.md P7): proposed by a partner, agreed in writing
by every signatory, then the new partner's counterpart signature admits it, amends the MoU and
gives it the seats the proposal named (MSE MoU 2020 §14, §10.1; CDCP MoU §25)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.partnership.checks import require_effective, require_signatory
from domain.aggregates.partnership.state import PartnershipState
from domain.errors import DomainError
from domain.events import (
    AdmissionAgreed,
    AdmissionProposed,
    DomainEvent,
    MouAmended,
    MouSigned,
    PartnerAdmitted,
    SeatOnBody,
)
from domain.organisations import Organisation
from domain.rules.date_policy import within
from domain.rules.thresholds import unanimity
from domain.text import Line, Name

CLAUSE = "MSE MoU 2020 §14, §10.1"


class ProposeAdmission(BaseModel):
    """A partner proposes `organisation` as an additional partner, with the seats it would hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ProposeAdmission"] = "ProposeAdmission"
    proposed_by: Name
    organisation: Organisation
    seats: tuple[SeatOnBody, ...] = Field(default=(), max_length=50)
    proposed_on: date
    today: date | None = None


class AgreeAdmission(BaseModel):
    """A signatory's written agreement to the proposal, by the reference of its letter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["AgreeAdmission"] = "AgreeAdmission"
    organisation: Name
    agreed_on: date
    reference: Line = Field(min_length=1)
    today: date | None = None


class SignCounterpart(BaseModel):
    """The proposed partner executes its counterpart of the MoU, which admits it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["SignCounterpart"] = "SignCounterpart"
    organisation: Name
    signatory_name: Name = Field(min_length=1)
    signatory_role: Name = Field(min_length=1)
    signed_on: date
    today: date | None = None


AdmissionCommand = ProposeAdmission | AgreeAdmission | SignCounterpart


def propose(state: PartnershipState, command: ProposeAdmission) -> list[DomainEvent]:
    effective_on = require_effective(state, "propose an additional partner")
    require_signatory(state, command.proposed_by)
    new = command.organisation
    if state.admission is not None:
        raise DomainError(
            f"the admission of {state.admission.organisation} is already proposed; it is "
            "decided before another is proposed"
        )
    if new.slug in state.signatories:
        raise DomainError(f"{new.slug} is already a signatory of {state.slug}")
    if any(o.slug == new.slug and o.name != new.name for o in state.organisations):
        raise DomainError(f"{new.slug} already names another organisation of {state.slug}")
    within("the proposal", command.proposed_on, command.today, effective_on, "the MoU took effect")
    for seat in command.seats:
        body = state.body(seat.body)
        if body.member(seat.seat) is not None:
            raise DomainError(f"{seat.body} already has a seat called {seat.seat}")
    if len({(s.body, s.seat) for s in command.seats}) != len(command.seats):
        raise DomainError("the proposal names the same seat twice")
    return [
        AdmissionProposed(
            partnership=state.slug,
            proposed_by=command.proposed_by,
            organisation=new.slug,
            name=new.name,
            kind=new.kind,
            sector=new.sector,
            annex1_category=new.annex1_category,
            seats=command.seats,
            proposed_on=command.proposed_on,
        )
    ]


def _proposal(state: PartnershipState, organisation: str | None = None) -> AdmissionProposed:
    proposal = state.admission
    if proposal is None or (organisation is not None and organisation != proposal.organisation):
        who = organisation or "an additional partner"
        raise DomainError(f"no admission of {who} to {state.slug} is proposed")
    return proposal


def agree(state: PartnershipState, command: AgreeAdmission) -> list[DomainEvent]:
    proposal = _proposal(state)
    require_signatory(state, command.organisation)
    if command.organisation in state.admission_agreed_by:
        raise DomainError(
            f"{command.organisation} has already agreed to admit {proposal.organisation}"
        )
    within(
        f"{command.organisation}'s agreement",
        command.agreed_on,
        command.today,
        proposal.proposed_on,
        "the admission was proposed",
    )
    return [
        AdmissionAgreed(
            partnership=state.slug,
            organisation=command.organisation,
            admitting=proposal.organisation,
            agreed_on=command.agreed_on,
            reference=command.reference,
        )
    ]


def sign_counterpart(state: PartnershipState, command: SignCounterpart) -> list[DomainEvent]:
    """Admits the proposed partner once every signatory has agreed in writing (P7.2)."""
    proposal = _proposal(state, command.organisation)
    vote = unanimity(state.signatories, state.admission_agreed_by)
    if not vote.carried:
        raise DomainError(
            f"{proposal.organisation} cannot be admitted: {vote.explanation} ({CLAUSE})"
        )
    within(
        f"{proposal.organisation}'s counterpart",
        command.signed_on,
        command.today,
        max(state.admission_agreed_on),
        "the last written agreement",
    )
    return [
        PartnerAdmitted(
            partnership=state.slug,
            organisation=proposal.organisation,
            name=proposal.name,
            kind=proposal.kind,
            sector=proposal.sector,
            annex1_category=proposal.annex1_category,
            admitted_on=command.signed_on,
            agreed_by=tuple(sorted(state.admission_agreed_by)),
            seats=proposal.seats,
        ),
        MouSigned(
            partnership=state.slug,
            organisation=proposal.organisation,
            signatory_name=command.signatory_name,
            signatory_role=command.signatory_role,
            signed_on=command.signed_on,
        ),
        MouAmended(
            partnership=state.slug,
            version=state.mou_version + 1,
            amended_on=command.signed_on,
            reason=f"{proposal.organisation} admitted as an additional partner ({CLAUSE})",
        ),
    ]
