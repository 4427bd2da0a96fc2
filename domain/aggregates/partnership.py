"""The partnership aggregate: signatories, signatures, MoU versions and the review due date.

One stream per partnership. It collects signatures until the MoU is effective (MSE MoU 2020 §15.3:
"No counterpart shall be effective until each Partner has executed at least one counterpart";
CDCP MoU §24: commences on the date of signature of the partners, initial period of one year,
reviewed at least annually), then records exits (CDCP MoU §27), review outcomes and admissions.
"""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.bodies import Body
from domain.errors import DomainError, UnknownBodyError
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
from domain.organisations import Organisation, find_organisation
from domain.partnership import Partnership
from domain.rules.dates import first_review_due, next_review_due
from domain.rules.exits import without_organisations
from domain.rules.thresholds import unanimity


class Signature(BaseModel):
    """One partner's executed counterpart."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    signatory_name: str
    signatory_role: str
    signed_on: date


class Departure(BaseModel):
    """A partner that has left (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    exit_id: str
    ended_on: date


class PartnershipState(BaseModel):
    """The partnership as the events so far make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    organisations: tuple[Organisation, ...]
    signatories: tuple[str, ...]
    signatures: tuple[Signature, ...] = ()
    effective_on: date | None = None
    mou_version: int = 0
    review_due_on: date | None = None
    departures: tuple[Departure, ...] = ()
    established_bodies: tuple[Body, ...] = ()

    @property
    def slug(self) -> str:
        """The partnership's slug."""
        return self.config.slug

    @property
    def is_effective(self) -> bool:
        """Whether the MoU has commenced."""
        return self.effective_on is not None

    def signature(self, organisation: str) -> Signature | None:
        """The counterpart `organisation` executed, if any."""
        return next((s for s in self.signatures if s.organisation == organisation), None)

    def departure(self, organisation: str) -> Departure | None:
        """When `organisation` left, if it has."""
        return next((d for d in self.departures if d.organisation == organisation), None)

    @property
    def outstanding_signatures(self) -> tuple[str, ...]:
        """Current signatories that have not yet signed, in configuration order."""
        signed = {s.organisation for s in self.signatures}
        return tuple(o for o in self.signatories if o not in signed)

    def organisation(self, slug: str) -> Organisation:
        """The organisation called `slug` (configured or admitted); refuses an unknown one."""
        return find_organisation(self.organisations, slug, self.slug)

    @property
    def bodies(self) -> tuple[Body, ...]:
        """The bodies with the seats of departed partners removed (CDCP MoU §27)."""
        gone = [d.organisation for d in self.departures]
        configured = (*self.config.bodies, *self.established_bodies)
        return tuple(without_organisations(body, gone) for body in configured)

    def body(self, slug: str) -> Body:
        """The body called `slug` as it stands after exits; refuses an unknown one."""
        found = next((b for b in self.bodies if b.slug == slug), None)
        if found is None:
            known = ", ".join(b.slug for b in self.bodies)
            raise UnknownBodyError(
                f"{slug!r} is not a body of {self.slug}; its bodies are: {known}"
            )
        return found


def initial_state(config: Partnership) -> PartnershipState:
    """A partnership whose MoU nobody has signed yet."""
    return PartnershipState(
        config=config, organisations=config.organisations, signatories=config.signatories
    )


# ------------------------------------------------------------------------------ commands


class SignMou(BaseModel):
    """Record that `organisation` executed its counterpart of the MoU."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    signatory_name: str = Field(min_length=1)
    signatory_role: str = Field(min_length=1)
    signed_on: date


class EndMembership(BaseModel):
    """On the effective date of an exit, remove the partner (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    exit_id: str = Field(min_length=1)
    organisation: str
    ended_on: date


class RecordReviewOutcome(BaseModel):
    """Apply a concluded review: a new version if varied, and the next review date (P1)."""

    model_config = ConfigDict(frozen=True)

    review_id: str = Field(min_length=1)
    outcome: ReviewOutcome
    concluded_on: date
    summary: str = ""


class AdmitPartner(BaseModel):
    """Admit an additional partner with the written agreement of every signatory (MSE MoU 2020
    §14)."""

    model_config = ConfigDict(frozen=True)

    organisation: Organisation
    admitted_on: date
    agreed_by: tuple[str, ...]


class EstablishBody(BaseModel):
    """Add the joint committee, once its formation is complete, as a body of the partnership
    (DCC Cabinet 2022 §6(c) fully operational; §17 delegated authority)."""

    model_config = ConfigDict(frozen=True)

    committee_id: str = Field(min_length=1)
    body: Body
    established_on: date


PartnershipCommand = SignMou | EndMembership | RecordReviewOutcome | AdmitPartner | EstablishBody


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


def _require_signatory(state: PartnershipState, organisation: str) -> None:
    state.organisation(organisation)
    if organisation in state.signatories:
        return
    if departure := state.departure(organisation):
        raise DomainError(
            f"{organisation} left {state.slug} on {departure.ended_on.isoformat()} "
            f"and is no longer a signatory"
        )
    raise DomainError(
        f"{organisation} is not a signatory of the {state.slug} MoU; "
        f"the signatories are: {', '.join(state.signatories)}"
    )


def _sign(state: PartnershipState, command: SignMou) -> list[DomainEvent]:
    _require_signatory(state, command.organisation)
    if not command.signatory_name.strip() or not command.signatory_role.strip():
        raise DomainError("the signatory's name and role are both needed")
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


def _require_effective(state: PartnershipState, doing: str) -> date:
    if state.effective_on is None:
        waiting = ", ".join(state.outstanding_signatures)
        raise DomainError(
            f"cannot {doing}: the {state.slug} MoU is not yet effective "
            f"(waiting for signatures from {waiting})"
        )
    return state.effective_on


def _end_membership(state: PartnershipState, command: EndMembership) -> list[DomainEvent]:
    organisation = command.organisation
    _require_signatory(state, organisation)
    effective_on = _require_effective(state, f"end the membership of {organisation}")
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
    return [
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
        ReviewDateRevised(
            partnership=state.slug,
            previous_due_on=state.review_due_on,
            review_due_on=next_review_due(command.ended_on, state.review_due_on),
            revised_on=command.ended_on,
            reason=f"CDCP MoU §27: review date revised after {organisation} left",
        ),
    ]


def _record_review(state: PartnershipState, command: RecordReviewOutcome) -> list[DomainEvent]:
    effective_on = _require_effective(state, f"record the outcome of review {command.review_id}")
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
        _require_signatory(state, slug)
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
    _require_effective(state, f"establish {command.body.slug}")
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


# -------------------------------------------------------------------------------- evolve


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
            return state.model_copy(
                update={
                    "organisations": organisations,
                    "signatories": (*state.signatories, event.organisation),
                    "departures": tuple(
                        d for d in state.departures if d.organisation != event.organisation
                    ),
                }
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
