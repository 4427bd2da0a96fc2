"""The joint committee as a body of the partnership once established, and its seats checked
against the partnership's organisations (DCC Cabinet 2022 §16-§19)."""

from collections.abc import Iterable

from domain.aggregates.committee import CommitteeState
from domain.bodies import Body, BodyKind, Member
from domain.errors import DomainError
from domain.partnership import Partnership
from domain.rules.committee_membership import ProposedSeat


def check_organisations(config: Partnership, seats: Iterable[ProposedSeat]) -> None:
    """Refuses a seat that names an organisation the partnership does not have."""
    for seat in seats:
        if seat.organisation is not None:
            config.organisation(seat.organisation)


def committee_body(state: CommitteeState) -> Body:
    """The established committee as a new body of the partnership (DCC Cabinet 2022 §16-§19)."""
    if state.committee_id is None or state.established_on is None:
        raise DomainError("the joint committee is not established yet")
    return Body(
        slug=state.committee_id,
        name=state.name,
        kind=BodyKind.JOINT_COMMITTEE,
        members=tuple(
            Member(seat=s.seat, role=s.role, organisation=s.organisation, sector=s.sector)
            for s in state.members
        ),
        chair=next((s.seat for s in state.members if s.chair), None),
        answers_to=state.reports_to,
        clause="DCC Cabinet 2022 §16-§19 (joint committee: delegated authority, reporting, "
        "membership)",
    )
