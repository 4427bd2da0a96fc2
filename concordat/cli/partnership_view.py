"""What `concordat partnerships show` prints, built alike from a running workflow or the log.

Both sources give a `PartnershipState` (the workflow's `state` query, or the partnership stream
folded as of a date), so the view, and each body's quorum with every member present
(CDCPE ToR §10; docs/rules.md P2 asks that a body that can no longer be quorate be flagged), is
computed the same way whichever answered.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.aggregates.partnership import PartnershipState
from domain.bodies import Body
from domain.rules.quorum import Attendance, assess_quorum, can_be_quorate


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SignatoryLine(_Frozen):
    organisation: str
    name: str
    signed_on: date | None
    signatory_name: str | None
    signatory_role: str | None


class MemberLine(_Frozen):
    seat: str
    role: str
    organisation: str | None
    voting: bool


class BodyLine(_Frozen):
    slug: str
    name: str
    kind: str
    chair: str | None
    members: tuple[MemberLine, ...]
    quorum: str
    quorum_explanation: str
    can_be_quorate: bool


class ProcessLine(_Frozen):
    """An open process of the partnership: a review, an exit, a committee, an escalation."""

    kind: str
    subject: str
    workflow_id: str
    status: str | None = None


class PartnershipView(_Frozen):
    partnership: str
    name: str
    source: str
    mou_title: str
    mou_version: int
    mou_signed_on: date | None
    effective_on: date | None
    review_due_on: date | None
    tor_review_by: date | None
    outstanding_signatures: tuple[str, ...]
    signatories: tuple[SignatoryLine, ...]
    departed: tuple[str, ...]
    bodies: tuple[BodyLine, ...]
    open_processes: tuple[ProcessLine, ...]


def body_line(body: Body) -> BodyLine:
    """The body with everyone present: whether it is quorate at full strength."""
    full = assess_quorum(body, [Attendance(seat=m.seat) for m in body.members])
    return BodyLine(
        slug=body.slug,
        name=body.name,
        kind=body.kind.value,
        chair=body.chair,
        members=tuple(
            MemberLine(seat=m.seat, role=m.role, organisation=m.organisation, voting=m.voting)
            for m in body.members
        ),
        quorum=full.status.value,
        quorum_explanation=full.explanation,
        can_be_quorate=can_be_quorate(body),
    )


def partnership_view(
    state: PartnershipState, processes: list[ProcessLine], source: str
) -> PartnershipView:
    config = state.config
    return PartnershipView(
        partnership=state.slug,
        name=config.name,
        source=source,
        mou_title=config.mou.title,
        mou_version=state.mou_version,
        mou_signed_on=config.mou.signed_on,
        effective_on=state.effective_on,
        review_due_on=state.review_due_on,
        tor_review_by=config.mou.tor_review_by,
        outstanding_signatures=state.outstanding_signatures,
        signatories=tuple(_signatory(state, slug) for slug in state.signatories),
        departed=tuple(f"{d.organisation} on {d.ended_on.isoformat()}" for d in state.departures),
        bodies=tuple(body_line(b) for b in state.bodies),
        open_processes=tuple(processes),
    )


def _signatory(state: PartnershipState, slug: str) -> SignatoryLine:
    signature = state.signature(slug)
    return SignatoryLine(
        organisation=slug,
        name=state.organisation(slug).name,
        signed_on=signature.signed_on if signature else None,
        signatory_name=signature.signatory_name if signature else None,
        signatory_role=signature.signatory_role if signature else None,
    )


def _when(day: date | None, otherwise: str) -> str:
    return day.isoformat() if day is not None else otherwise


def view_text(view: PartnershipView) -> str:
    lines = [
        f"{view.name} ({view.partnership}), from {view.source}",
        f"MoU: {view.mou_title}",
        f"  version {view.mou_version}; effective {_when(view.effective_on, 'not yet')}; "
        f"next review due {_when(view.review_due_on, 'once effective')}",
    ]
    if view.tor_review_by is not None:
        lines.append(f"  terms of reference to be reviewed by {view.tor_review_by.isoformat()}")
    if view.outstanding_signatures:
        lines.append(f"  awaiting signatures from: {', '.join(view.outstanding_signatures)}")
    lines.append(f"Signatories ({len(view.signatories)}):")
    for s in view.signatories:
        signed = (
            f"signed {s.signed_on.isoformat()} by {s.signatory_name} ({s.signatory_role})"
            if s.signed_on is not None
            else "not signed"
        )
        lines.append(f"  {s.organisation:<26} {s.name}; {signed}")
    lines.extend(f"  left: {departed}" for departed in view.departed)
    lines.append(f"Bodies ({len(view.bodies)}):")
    for b in view.bodies:
        flag = "" if b.can_be_quorate else "  ** CANNOT BE QUORATE **"
        lines.append(f"  {b.slug}: {b.name} ({b.kind}), {len(b.members)} members{flag}")
        lines.append(f"    with everyone present: {b.quorum} ({b.quorum_explanation})")
        for m in b.members:
            chair = ", chair" if m.seat == b.chair else ""
            vote = "" if m.voting else ", non-voting"
            lines.append(f"    {m.seat}: {m.role} ({m.organisation or 'independent'}{vote}{chair})")
    lines.append(f"Open processes ({len(view.open_processes)}):")
    for p in view.open_processes:
        status = f" [{p.status}]" if p.status else ""
        lines.append(f"  {p.kind} {p.subject}: {p.workflow_id}{status}")
    return "\n".join(lines)
