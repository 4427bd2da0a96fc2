"""The joint committee formation aggregate's plan, membership, slippage and establishment rules."""

from datetime import date, timedelta
from itertools import pairwise

import pytest

from domain.aggregates import committee, committee_commands
from domain.aggregates.committee_body import committee_body
from domain.aggregates.committee_slippage import record_slippages
from domain.aggregates.committee_status import milestone_statuses
from domain.committee_plans import PlanMilestone, shift_plan
from domain.errors import DomainError
from domain.events import MilestonePlanned, MilestoneSlipped, NoticeIssued
from domain.notices import content_hash
from domain.organisations import Sector
from domain.partnerships_config import load_partnership
from domain.rules.committee_membership import (
    MinimumCategory as C,
    ProposedSeat,
    missing_from_minimum,
)

D = date
PLAN = load_partnership("county-durham").committee_plan("joint-committee")


def county_durham_plan() -> tuple[PlanMilestone, ...]:
    return PLAN.milestones


def seat(name: str, *covers: C, chair: bool = False) -> ProposedSeat:
    return ProposedSeat(seat=name, role=name, sector=Sector.OTHER, covers=covers, chair=chair)


FULL = (seat("chair", chair=True), seat("everyone", *C))


def started(plan: tuple[PlanMilestone, ...] = PLAN.milestones) -> committee.CommitteeState:
    state = committee.initial_state("county-durham")
    start = committee_commands.StartFormation(
        committee_id="jc", name="Joint Committee", preferred_option="jc", started_on=D(2022, 9, 1)
    )
    events = committee.start_with_plan(state, start, plan)
    return committee.fold(state, events)


def met_all_but_last(state: committee.CommitteeState) -> committee.CommitteeState:
    return met(state, state.milestones[:-1])


def met(
    state: committee.CommitteeState, milestones: tuple[committee.Milestone, ...]
) -> committee.CommitteeState:
    for milestone in milestones:
        for body in milestone.needs_agreement_of:
            agree = committee_commands.RecordMilestoneAgreement(
                milestone_id=milestone.milestone_id, agreed_by=body, agreed_on=milestone.target_on
            )
            state = committee.fold(state, committee.decide(state, agree))
        meet = committee_commands.MeetMilestone(
            milestone_id=milestone.milestone_id, met_on=milestone.target_on
        )
        state = committee.fold(state, committee.decide(state, meet))
    return state


def test_shift_plan_keeps_the_intervals_between_targets() -> None:
    plan = county_durham_plan()
    shifted = shift_plan(plan, D(2030, 1, 10))
    assert shifted[0].target_on == D(2030, 1, 10)
    gaps = [b.target_on - a.target_on for a, b in pairwise(plan)]
    assert [b.target_on - a.target_on for a, b in pairwise(shifted)] == gaps
    assert shifted[-1].target_on - shifted[0].target_on == timedelta(days=199)


def test_minimum_membership_names_what_is_missing_002_s19() -> None:
    assert missing_from_minimum(FULL) == []
    missing = missing_from_minimum([seat("gp", C.PRIMARY_CARE_CLINICIAN)])
    assert missing[0] == "(a) a chair jointly appointed by the Joint Committee members"
    assert "(g) patients and service users" in missing
    assert not any("primary care" in m for m in missing)


def test_one_chair_and_each_seat_once_002_s19a() -> None:
    state = started()
    two_chairs = committee_commands.ConfirmMembership(
        seats=(*FULL, seat("other-chair", chair=True)), confirmed_on=D(2023, 2, 1)
    )
    with pytest.raises(DomainError, match="one chair"):
        committee.decide(state, two_chairs)
    twice = committee_commands.ConfirmMembership(
        seats=(*FULL, seat("chair")), confirmed_on=D(2023, 2, 1)
    )
    with pytest.raises(DomainError, match="more than once: chair"):
        committee.decide(state, twice)


def test_replanning_needs_guidance_or_a_slippage_002_s29() -> None:
    state = started()
    replan = committee_commands.ReplanMilestone(
        milestone_id="shadow-form",
        new_target_on=D(2022, 12, 1),
        today=D(2022, 11, 2),
        reason="late",
    )
    with pytest.raises(DomainError, match="only once Government guidance is published"):
        committee.decide(state, replan)
    slip = committee_commands.RecordSlippage(milestone_id="shadow-form", noticed_on=D(2022, 11, 1))
    state = committee.fold(state, committee.decide(state, slip))
    assert state.status == "slipping"
    state = committee.fold(state, committee.decide(state, replan))
    (status,) = [s for s in milestone_statuses(state) if s.milestone_id == "shadow-form"]
    assert (status.status, status.target_on) == ("replanned", D(2022, 12, 1))
    assert status.dependencies_outstanding == ("co-production",)
    assert state.status == "forming"


def test_slippages_notify_owner_and_executive_once_each() -> None:
    config = load_partnership("county-durham")
    state = started()
    assert state.due_slippages(D(2022, 9, 14)) == ()
    events = record_slippages(state, config, D(2022, 10, 1))
    slipped = [e.milestone_id for e in events if isinstance(e, MilestoneSlipped)]
    assert slipped == ["preferred-option", "co-production"]
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    # preferred-option is owned by the Council; co-production by the Executive itself.
    assert [n.recipient for n in notices] == ["dcc", "cdcpe", "cdcpe"]
    assert all(n.content_hash == content_hash(n.subject, n.body) for n in notices)
    assert "still needs the agreement of: Durham County Council Cabinet" in notices[0].body
    state = committee.fold(state, events)
    assert record_slippages(state, config, D(2022, 10, 2)) == []
    assert state.next_target_on == D(2022, 10, 31)


def test_membership_milestone_is_met_only_once_the_membership_is_confirmed_002_s19() -> None:
    (membership,) = [m for m in PLAN.milestones if m.requires == "membership"]
    assert membership.milestone_id == "membership-confirmed"
    state = started()
    before = state.milestones.index(state.milestone("membership-confirmed"))
    state = met(state, state.milestones[:before])
    meet = committee_commands.MeetMilestone(
        milestone_id="membership-confirmed", met_on=D(2023, 2, 28), evidence="nothing"
    )
    with pytest.raises(
        DomainError,
        match=r"the membership of Joint Committee has not been confirmed against the minimum "
        r"list of DCC Cabinet 2022 §19 \(a\)-\(g\)",
    ):
        committee.decide(state, meet)
    late = committee_commands.ConfirmMembership(seats=FULL, confirmed_on=D(2023, 3, 1))
    with pytest.raises(DomainError, match="has not been confirmed by 2023-02-28"):
        committee.decide(committee.fold(state, committee.decide(state, late)), meet)
    confirm = committee_commands.ConfirmMembership(seats=FULL, confirmed_on=D(2023, 2, 27))
    state = committee.fold(state, committee.decide(state, confirm))
    assert [e.type for e in committee.decide(state, meet)] == ["MilestoneMet"]


def test_milestone_planned_before_requirements_existed_still_reads() -> None:
    recorded = started().milestone("membership-confirmed")
    event = MilestonePlanned.model_validate(
        {
            "partnership": "county-durham",
            "committee_id": "jc",
            "milestone_id": "membership-confirmed",
            "title": recorded.title,
            "owner": "cdcpe",
            "target_on": "2023-02-28",
            "clause": recorded.clause,
        }
    )
    assert event.requires is None and recorded.requires == "membership"


def test_meeting_the_last_milestone_establishes_the_committee_002_s6c() -> None:
    # A plan whose milestones stand for no membership: establishment itself checks it (§19).
    plan = tuple(m.model_copy(update={"requires": None}) for m in PLAN.milestones)
    state = met_all_but_last(started(plan))
    last = committee_commands.MeetMilestone(milestone_id="operational", met_on=D(2023, 4, 1))
    with pytest.raises(DomainError, match="before its membership is confirmed"):
        committee.meet(state, last, PLAN.reports_to)
    confirm = committee_commands.ConfirmMembership(seats=FULL, confirmed_on=D(2023, 2, 28))
    state = committee.fold(state, committee.decide(state, confirm))
    events = committee.meet(state, last, PLAN.reports_to)
    assert [e.type for e in events] == ["MilestoneMet", "CommitteeEstablished"]
    state = committee.fold(state, events)
    assert state.status == "established" and state.next_target_on is None
    body = committee_body(state)
    assert (body.slug, body.chair, body.answers_to) == ("jc", "chair", ("icb", "hwbb", "cabinet"))
