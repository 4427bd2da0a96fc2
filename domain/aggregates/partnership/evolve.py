"""Folding the partnership's events into its state (docs/architecture.md principle 4)."""

from collections.abc import Iterable

from domain.aggregates.folding import fold_with
from domain.aggregates.partnership.state import (
    Departure,
    PartnershipState,
    ProcessRecord,
    Signature,
)
from domain.bodies import Member
from domain.events import (
    AdmissionAgreed,
    AdmissionProposed,
    BodyEstablished,
    DomainEvent,
    MembershipEnded,
    MouAmended,
    MouEffective,
    MouSigned,
    PartnerAdmitted,
    ProcessEnded,
    ProcessStarted,
    ReviewDateRevised,
)
from domain.organisations import Organisation


def evolve(state: PartnershipState, event: DomainEvent) -> PartnershipState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case MouSigned():
            signature = Signature(
                organisation=event.organisation,
                signatory_name=event.signatory_name,
                signatory_role=event.signatory_role,
                signed_on=event.signed_on,
            )
            return state.model_copy(update={"signatures": (*state.signatures, signature)})
        case MouEffective():
            return state.model_copy(
                update={
                    "effective_on": event.effective_on,
                    "mou_version": event.version,
                    "review_due_on": event.review_due_on,
                }
            )
        case MembershipEnded():
            departure = Departure(
                organisation=event.organisation, exit_id=event.exit_id, ended_on=event.ended_on
            )
            return state.model_copy(
                update={
                    "signatories": tuple(s for s in state.signatories if s != event.organisation),
                    "signatures": tuple(
                        s for s in state.signatures if s.organisation != event.organisation
                    ),
                    "departures": (*state.departures, departure),
                }
            )
        case MouAmended():
            return state.model_copy(update={"mou_version": event.version})
        case ReviewDateRevised():
            return state.model_copy(update={"review_due_on": event.review_due_on})
        case PartnerAdmitted():
            known = {o.slug for o in state.organisations}
            organisations = state.organisations
            if event.organisation not in known:
                admitted = Organisation(
                    slug=event.organisation,
                    name=event.name,
                    kind=event.kind,
                    sector=event.sector,
                    annex1_category=event.annex1_category,
                )
                organisations = (*organisations, admitted)
            seats = tuple(
                (
                    s.body,
                    Member(
                        seat=s.seat,
                        role=s.role,
                        organisation=event.organisation,
                        sector=event.sector,
                    ),
                )
                for s in event.seats
            )
            return state.model_copy(
                update={
                    "organisations": organisations,
                    "admitted_seats": (*state.admitted_seats, *seats),
                    "admission": None,
                    "admission_agreements": (),
                    "signatories": (*state.signatories, event.organisation),
                    "departures": tuple(
                        d for d in state.departures if d.organisation != event.organisation
                    ),
                }
            )
        case ProcessStarted():
            started = ProcessRecord(
                process=event.process,
                process_id=event.process_id,
                subject=event.subject,
                started_on=event.started_on,
            )
            return state.model_copy(update={"processes": (*state.processes, started)})
        case ProcessEnded():
            ended = {"ended_on": event.ended_on, "outcome": event.outcome}
            return state.model_copy(
                update={
                    "processes": tuple(
                        p.model_copy(update=ended) if p.process_id == event.process_id else p
                        for p in state.processes
                    )
                }
            )
        case AdmissionProposed():
            return state.model_copy(update={"admission": event, "admission_agreements": ()})
        case AdmissionAgreed():
            return state.model_copy(
                update={"admission_agreements": (*state.admission_agreements, event)}
            )
        case BodyEstablished():
            return state.model_copy(
                update={"established_bodies": (*state.established_bodies, event.body)}
            )
        case _:
            return state


def fold(state: PartnershipState, events: Iterable[DomainEvent]) -> PartnershipState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)
