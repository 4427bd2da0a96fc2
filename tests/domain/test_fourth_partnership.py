"""A fourth partnership is one new file: West Wessex, written into a temporary folder, goes
through signatures, a review, an exit, a committee plan and an escalation with no code of its
own."""

from datetime import date
from pathlib import Path

import pytest

from domain import declarations
from domain.aggregates import committee, committee_commands, escalation, exit, partnership, review
from domain.aggregates.committee_body import committee_body
from domain.aggregates.committee_slippage import slippage_recipients
from domain.errors import DomainError
from domain.events import ClimbReason, EscalationDecided, EscalationReason, MembershipEnded
from domain.organisations import Sector
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.rules.committee_membership import MinimumCategory, ProposedSeat
from domain.rules.quorum import Attendance
from tests.domain.conftest import sign_all
from tests.fourth_partnership import SLUG, write_west_wessex

D = date


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_west_wessex(tmp_path)


@pytest.fixture
def west_wessex(folder: Path) -> Partnership:
    return load_partnership(SLUG, folder)


def test_the_folder_holds_only_the_new_partnership(folder: Path) -> None:
    assert partnership_slugs(folder) == [SLUG]


def test_signatures_make_the_mou_effective(west_wessex: Partnership) -> None:
    state = partnership.initial_state(west_wessex)
    with pytest.raises(DomainError, match="its organisations are: ww-icb, ww-council"):
        partnership.decide(
            state,
            partnership.SignMou(
                organisation="icb",
                signatory_name="x",
                signatory_role="x",
                signed_on=D(2030, 1, 5),
            ),
        )
    signed = sign_all(west_wessex, D(2030, 1, 5))
    assert signed.is_effective
    assert {s.organisation for s in signed.signatures} == set(west_wessex.signatories)


def test_a_review_asks_every_signatory(west_wessex: Partnership) -> None:
    state = review.initial_state(SLUG)
    opened = review.OpenReview(
        review_id="2031",
        opened_on=D(2030, 12, 1),
        due_on=D(2031, 1, 5),
        response_deadline=D(2030, 12, 1 + west_wessex.review_policy.response_days),
        mou_version=1,
        signatories=west_wessex.signatories,
    )
    state = review.fold(state, review.decide(state, opened))
    for organisation in west_wessex.signatories:
        response = review.RecordResponse(
            organisation=organisation, received_on=D(2030, 12, 3), confirms_unchanged=True
        )
        state = review.fold(state, review.decide(state, response))
    concluded = review.decide(state, review.ConcludeReview(concluded_on=D(2030, 12, 4)))
    state = review.fold(state, concluded)
    assert state.status == "concluded" and state.outcome is not None
    assert state.outcome.value == "confirmed_unchanged"


def test_an_exit_writes_to_the_others_and_flags_its_bodies(west_wessex: Partnership) -> None:
    state = exit.initial_state(west_wessex, west_wessex.signatories)
    notice = exit.NotifyExit(
        exit_id="x1",
        organisation="ww-trust",
        notified_on=D(2030, 2, 1),
        effective_on=D(2030, 6, 30),
        signatory_name="Chief Executive",
    )
    state = exit.fold(state, exit.decide(state, notice))
    issued = exit.decide(
        state, exit.IssueNotices(issued_on=D(2030, 2, 1), acknowledge_by=D(2030, 2, 22))
    )
    state = exit.fold(state, issued)
    assert [n.recipient for n in state.notices] == [
        "ww-icb",
        "ww-council",
        "ww-vcse",
        "ww-healthwatch",
    ]
    (ended,) = exit.decide(state, exit.CompleteExit(ended_on=D(2030, 6, 30)))
    assert isinstance(ended, MembershipEnded)
    assert ended.bodies_affected == ("ww-executive", "ww-community-board")


def test_the_committee_is_formed_to_the_file_s_plan(west_wessex: Partnership) -> None:
    plan = west_wessex.committee_plan("ww-joint-committee")
    state = committee.initial_state(SLUG)
    start = committee_commands.StartFormation(
        committee_id=plan.slug,
        name=plan.name,
        preferred_option=plan.preferred_option,
        started_on=D(2030, 1, 2),
    )
    state = committee.fold(state, committee.start_with_plan(state, start, plan.milestones))
    assert [m.milestone_id for m in state.milestones] == ["terms-agreed", "shadow", "live"]
    with pytest.raises(DomainError, match="still needs the agreement of ww-executive"):
        committee.decide(
            state,
            committee_commands.MeetMilestone(milestone_id="terms-agreed", met_on=D(2030, 1, 20)),
        )
    (terms, *_) = state.milestones
    assert slippage_recipients(west_wessex, terms) == ("ww-council", "ww-executive")
    agree = committee_commands.RecordMilestoneAgreement(
        milestone_id="terms-agreed", agreed_by="ww-executive", agreed_on=D(2030, 1, 20)
    )
    state = committee.fold(state, committee.decide(state, agree))
    seats = (
        ProposedSeat(seat="chair", role="Chair", sector=Sector.OTHER, chair=True),
        ProposedSeat(seat="all", role="All", sector=Sector.OTHER, covers=tuple(MinimumCategory)),
    )
    confirm = committee_commands.ConfirmMembership(seats=seats, confirmed_on=D(2030, 1, 21))
    state = committee.fold(state, committee.decide(state, confirm))
    for milestone_id, on in (("terms-agreed", 21), ("shadow", 22), ("live", 23)):
        met = committee_commands.MeetMilestone(milestone_id=milestone_id, met_on=D(2030, 1, on))
        state = committee.fold(state, committee.meet(state, met, plan.reports_to))
    body = committee_body(state)
    assert (body.slug, body.name) == ("ww-joint-committee", "West Wessex Joint Committee")
    assert body.answers_to == ("ww-icb", "ww-hwb")


def test_an_escalation_climbs_its_ladder_and_is_decided(west_wessex: Partnership) -> None:
    state = escalation.initial_state(west_wessex)
    raised = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by="ww-community-board",
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="community beds",
        raised_on=D(2030, 3, 1),
        affected=("ww-trust", "ww-council"),
    )
    state = escalation.fold(state, escalation.decide(state, raised))
    assert state.respond_by == D(2030, 3, 15)  # the first level's 14 days
    climb = escalation.ClimbEscalation(climbed_on=D(2030, 3, 5), reason=ClimbReason.NOT_RESOLVED)
    state = escalation.fold(state, escalation.decide(state, climb))
    assert state.stage is not None and state.stage.bodies == ("ww-executive",)
    present = ("icb-place-director", "council-adults-director", "trust-chief-executive")
    vote = escalation.DecideEscalation(
        body="ww-executive",
        decided_on=D(2030, 3, 10),
        present=tuple(Attendance(seat=s) for s in present),
        in_favour=present[:2],
        against=present[2:],
        summary="a recovery plan",
    )
    decided = escalation.decide(state, vote)[-1]
    assert isinstance(decided, EscalationDecided) and decided.carried


def test_its_register_of_interests_comes_from_the_file(west_wessex: Partnership) -> None:
    assert declarations.registers(west_wessex) == ("ww-executive",)
