"""The partnership's decisions: each command's events, or a `DomainError` saying why not."""

from domain.aggregates.partnership import admission
from domain.aggregates.partnership.admission import (
    AgreeAdmission,
    ProposeAdmission,
    SignCounterpart,
)
from domain.aggregates.partnership.checks import require_effective, require_signatory
from domain.aggregates.partnership.commands import (
    AdmitPartner,
    EndMembership,
    EndProcess,
    EstablishBody,
    PartnershipCommand,
    RecordReviewOutcome,
    SignMou,
    StartProcess,
)
from domain.aggregates.partnership.interests import UpdateInterests, update_interests
from domain.aggregates.partnership.processes import end_process, start_process
from domain.aggregates.partnership.state import PartnershipState
from domain.errors import DomainError
from domain.events import (
    BodyEstablished,
    DomainEvent,
    MembershipEnded,
    MouAmended,
    MouEffective,
    MouSigned,
    PartnerAdmitted,
    ReviewDateRevised,
    ReviewOutcome,
)
from domain.rules.date_policy import not_after_today, not_before_the_record
from domain.rules.dates import first_review_due, next_review_due, review_due_after_exit
from domain.rules.thresholds import unanimity


def decide(state: PartnershipState, command: PartnershipCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    match command:
        case SignMou():
            return _sign(state, command)
        case EndMembership():
            return _end_membership(state, command)
        case RecordReviewOutcome():
            return _record_review(state, command)
        case AdmitPartner():
            return _admit(state, command)
        case EstablishBody():
            return _establish(state, command)
        case StartProcess():
            return start_process(state, command)
        case EndProcess():
            return end_process(state, command)
        case ProposeAdmission():
            return admission.propose(state, command)
        case AgreeAdmission():
            return admission.agree(state, command)
        case SignCounterpart():
            return admission.sign_counterpart(state, command)
        case UpdateInterests():
            return update_interests(state, command)


def _sign(state: PartnershipState, command: SignMou) -> list[DomainEvent]:
    require_signatory(state, command.organisation)
    if not command.signatory_name.strip() or not command.signatory_role.strip():
        raise DomainError("the signatory's name and role are both needed")
    signature = f"{command.organisation}'s signature"
    not_before_the_record(signature, command.signed_on)
    not_after_today(signature, command.signed_on, command.today)
    if previous := state.signature(command.organisation):
        raise DomainError(
            f"{command.organisation} has already signed the MoU "
            f"(on {previous.signed_on.isoformat()})"
        )
    if state.effective_on is not None:
        raise DomainError(
            f"the MoU has been effective since {state.effective_on.isoformat()}; "
            f"no further signatures are collected"
        )
    events: list[DomainEvent] = [
        MouSigned(
            partnership=state.slug,
            organisation=command.organisation,
            signatory_name=command.signatory_name.strip(),
            signatory_role=command.signatory_role.strip(),
            signed_on=command.signed_on,
        )
    ]
    if state.outstanding_signatures == (command.organisation,):
        # MSE MoU 2020 §15.3 / CDCP MoU §24: effective once every partner has signed, on the last
        # date.
        effective_on = max([command.signed_on, *(s.signed_on for s in state.signatures)])
        events.append(
            MouEffective(
                partnership=state.slug,
                effective_on=effective_on,
                version=1,
                review_due_on=first_review_due(effective_on),
            )
        )
    return events


def _end_membership(state: PartnershipState, command: EndMembership) -> list[DomainEvent]:
    organisation = command.organisation
    require_signatory(state, organisation)
    effective_on = require_effective(state, f"end the membership of {organisation}")
    if command.ended_on < effective_on:
        raise DomainError(
            f"the membership cannot end on {command.ended_on.isoformat()}, before the MoU "
            f"became effective on {effective_on.isoformat()}"
        )
    if state.signatories == (organisation,):
        raise DomainError(f"{organisation} is the only remaining signatory and cannot leave")
    affected = tuple(
        b.slug for b in state.bodies if any(m.organisation == organisation for m in b.members)
    )
    within_days = state.config.exit_policy.review_within_days
    review_due_on = review_due_after_exit(command.ended_on, state.review_due_on, within_days)
    events: list[DomainEvent] = [
        MembershipEnded(
            partnership=state.slug,
            exit_id=command.exit_id,
            organisation=organisation,
            ended_on=command.ended_on,
            bodies_affected=affected,
        ),
        MouAmended(
            partnership=state.slug,
            version=state.mou_version + 1,
            amended_on=command.ended_on,
            reason=f"{organisation} left the partnership (exit {command.exit_id})",
        ),
    ]
    # A review already due within the policy's window stands: a revision that moves nothing is
    # not recorded.
    if review_due_on != state.review_due_on:
        events.append(
            ReviewDateRevised(
                partnership=state.slug,
                previous_due_on=state.review_due_on,
                review_due_on=review_due_on,
                revised_on=command.ended_on,
                reason=f"CDCP MoU §27: review date revised after {organisation} left; due "
                f"within {within_days} days of the exit (policy)",
            )
        )
    return events


def _record_review(state: PartnershipState, command: RecordReviewOutcome) -> list[DomainEvent]:
    effective_on = require_effective(state, f"record the outcome of review {command.review_id}")
    if command.concluded_on < effective_on:
        raise DomainError(
            f"review {command.review_id} cannot conclude on {command.concluded_on.isoformat()}, "
            f"before the MoU became effective on {effective_on.isoformat()}"
        )
    events: list[DomainEvent] = []
    if command.outcome is ReviewOutcome.VARIED:
        events.append(
            MouAmended(
                partnership=state.slug,
                version=state.mou_version + 1,
                amended_on=command.concluded_on,
                reason=f"varied by review {command.review_id}: {command.summary}".rstrip(": "),
            )
        )
    events.append(
        ReviewDateRevised(
            partnership=state.slug,
            previous_due_on=state.review_due_on,
            review_due_on=next_review_due(command.concluded_on),
            revised_on=command.concluded_on,
            reason=f"review {command.review_id} concluded ({command.outcome.value})",
        )
    )
    return events


def _admit(state: PartnershipState, command: AdmitPartner) -> list[DomainEvent]:
    new = command.organisation
    if new.slug in state.signatories:
        raise DomainError(f"{new.slug} is already a signatory of {state.slug}")
    for slug in command.agreed_by:
        require_signatory(state, slug)
    vote = unanimity(state.signatories, command.agreed_by)
    if not vote.carried:
        raise DomainError(
            f"{new.slug} cannot be admitted: {vote.explanation} (MSE MoU 2020 §14, §10.1)"
        )
    events: list[DomainEvent] = [
        PartnerAdmitted(
            partnership=state.slug,
            organisation=new.slug,
            name=new.name,
            kind=new.kind,
            sector=new.sector,
            annex1_category=new.annex1_category,
            admitted_on=command.admitted_on,
            agreed_by=tuple(sorted(set(command.agreed_by))),
        )
    ]
    if state.is_effective:
        events.append(
            MouAmended(
                partnership=state.slug,
                version=state.mou_version + 1,
                amended_on=command.admitted_on,
                reason=f"{new.slug} admitted as an additional partner",
            )
        )
    return events


def _establish(state: PartnershipState, command: EstablishBody) -> list[DomainEvent]:
    require_effective(state, f"establish {command.body.slug}")
    if any(b.slug == command.body.slug for b in state.bodies):
        raise DomainError(f"{state.slug} already has a body called {command.body.slug}")
    for member in command.body.members:
        # A seat may represent no partner (an independent chair, DCC Cabinet 2022 §19(a)).
        if member.organisation is not None and member.organisation not in state.signatories:
            raise DomainError(
                f"{command.body.slug} seat {member.seat} represents {member.organisation}, "
                f"which is not a current signatory of {state.slug}"
            )
    return [
        BodyEstablished(
            partnership=state.slug,
            committee_id=command.committee_id,
            body=command.body,
            established_on=command.established_on,
        )
    ]
