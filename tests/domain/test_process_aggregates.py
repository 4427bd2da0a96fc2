"""The review, exit, committee and escalation aggregates, and the what-if report."""

from datetime import date, timedelta

import pytest

from domain.aggregates import committee, committee_commands, escalation, exit, review
from domain.aggregates.partnership import PartnershipState
from domain.errors import DomainError
from domain.events import (
    ActionKind,
    ClimbReason,
    ConflictRuling,
    EscalationDecided,
    EscalationReason,
    ItemChairReplaced,
    MembershipEnded,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
    ReminderSent,
    ReviewConcluded,
    ReviewOutcome,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.quorum import Attendance, QuorumStatus
from domain.what_if import Conflict, ProposedChange, SeatRef, what_if
from tests.domain.conftest import sign_all

D = date


# ------------------------------------------------------------------- review (P1)


def open_review(signatories: tuple[str, ...] = ("a", "b", "c")) -> review.ReviewState:
    state = review.initial_state("p")
    command = review.OpenReview(
        review_id="r1",
        opened_on=D(2023, 6, 1),
        due_on=D(2023, 8, 23),
        response_deadline=D(2023, 6, 29),
        mou_version=1,
        signatories=signatories,
    )
    return review.fold(state, review.decide(state, command))


def test_review_confirmed_unchanged_when_all_respond() -> None:
    state = open_review()
    for org in ("a", "b", "c"):
        command = review.RecordResponse(
            organisation=org, received_on=D(2023, 6, 5), confirms_unchanged=True
        )
        state = review.fold(state, review.decide(state, command))
    (concluded,) = review.decide(state, review.ConcludeReview(concluded_on=D(2023, 6, 10)))
    state = review.fold(state, [concluded])
    assert state.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    assert state.next_review_due_on == D(2024, 6, 10)


def test_review_cannot_conclude_early_while_responses_owed_p1() -> None:
    state = open_review()
    with pytest.raises(DomainError, match="a, b, c still owe a response"):
        review.decide(state, review.ConcludeReview(concluded_on=D(2023, 6, 10)))
    (concluded,) = review.decide(state, review.ConcludeReview(concluded_on=D(2023, 6, 29)))
    assert isinstance(concluded, ReviewConcluded)
    assert concluded.not_responded == ("a", "b", "c")


def test_one_refusal_means_variation_lapses_000_s25() -> None:
    state = open_review()
    steps: list[review.ReviewCommand] = [
        review.ProposeVariation(proposed_by="a", summary="new schedule", proposed_on=D(2023, 6, 2)),
        review.AgreeVariation(
            variation_id="r1-variation", organisation="a", agreed_on=D(2023, 6, 3)
        ),
        review.RefuseVariation(
            variation_id="r1-variation", organisation="b", refused_on=D(2023, 6, 3)
        ),
    ]
    for command in steps:
        state = review.fold(state, review.decide(state, command))
    (concluded,) = review.decide(state, review.ConcludeReview(concluded_on=D(2023, 6, 4)))
    assert isinstance(concluded, ReviewConcluded)
    assert concluded.outcome is ReviewOutcome.LAPSED
    assert concluded.not_agreed_by == ("b", "c")


def test_review_refusals() -> None:
    state = open_review()
    with pytest.raises(DomainError, match="z is not a signatory asked to respond"):
        review.decide(
            state,
            review.RecordResponse(
                organisation="z", received_on=D(2023, 6, 2), confirms_unchanged=True
            ),
        )
    with pytest.raises(DomainError, match="variation v9 is not before the signatories"):
        review.decide(
            state,
            review.AgreeVariation(variation_id="v9", organisation="a", agreed_on=D(2023, 6, 2)),
        )
    with pytest.raises(DomainError, match="has already been opened"):
        review.decide(
            state,
            review.OpenReview(
                review_id="r2",
                opened_on=D(2023, 6, 1),
                due_on=D(2023, 8, 1),
                response_deadline=D(2023, 7, 1),
                mou_version=1,
                signatories=("a",),
            ),
        )
    reminder = review.decide(
        state, review.SendReviewReminder(organisation="a", sent_on=D(2023, 6, 8))
    )
    assert isinstance(reminder[0], ReminderSent)
    assert reminder[0].deadline == D(2023, 6, 29)


def test_leaver_is_no_longer_asked_and_unanimity_is_over_the_rest_000_s27_s25() -> None:
    state = open_review()
    steps: list[review.ReviewCommand] = [
        review.ProposeVariation(proposed_by="a", summary="new schedule", proposed_on=D(2023, 6, 2)),
        review.RefuseVariation(
            variation_id="r1-variation", organisation="c", refused_on=D(2023, 6, 3)
        ),
    ]
    for command in steps:
        state = review.fold(state, review.decide(state, command))
    assert state.settled  # c's refusal defeats the variation while c is a signatory
    state = review.fold(
        state, review.decide(state, review.RemoveSignatory(organisation="c", left_on=D(2023, 6, 4)))
    )
    assert state.signatories == ("a", "b") and state.left == ("c",) and not state.refused
    assert state.awaiting == ("a", "b") and not state.settled
    for org in ("a", "b"):
        command = review.AgreeVariation(
            variation_id="r1-variation", organisation=org, agreed_on=D(2023, 6, 5)
        )
        state = review.fold(state, review.decide(state, command))
    (concluded,) = review.decide(state, review.ConcludeReview(concluded_on=D(2023, 6, 5)))
    assert isinstance(concluded, ReviewConcluded)
    assert concluded.outcome is ReviewOutcome.VARIED
    with pytest.raises(DomainError, match="c is not a signatory"):
        review.decide(state, review.RemoveSignatory(organisation="c", left_on=D(2023, 6, 6)))
    only_one = open_review(("a",))
    with pytest.raises(DomainError, match="last signatory"):
        review.decide(only_one, review.RemoveSignatory(organisation="a", left_on=D(2023, 6, 6)))


def test_variation_needs_agreement_before_the_deadline_000_s25() -> None:
    state = open_review()
    proposal = review.ProposeVariation(proposed_by="a", summary="s", proposed_on=D(2023, 6, 2))
    state = review.fold(state, review.decide(state, proposal))
    assert state.variation_id == review.variation_id_of("r1") == "r1-variation"
    state = review.fold(
        state,
        review.decide(
            state,
            review.RecordResponse(
                organisation="b", received_on=D(2023, 6, 2), confirms_unchanged=True
            ),
        ),
    )
    assert state.awaiting == ("a", "b", "c")  # a response is not a written agreement
    late = review.AgreeVariation(
        variation_id="r1-variation", organisation="b", agreed_on=D(2023, 6, 30)
    )
    with pytest.raises(DomainError, match="after the response deadline 2023-06-29"):
        review.decide(state, late)


def test_reminders_weekly_up_to_the_deadline_p1() -> None:
    state = open_review()
    assert review.next_reminder_on(state, 7) == D(2023, 6, 8)
    for sent_on in (D(2023, 6, 8), D(2023, 6, 15), D(2023, 6, 22), D(2023, 6, 29)):
        reminder = review.SendReviewReminder(organisation="a", sent_on=sent_on)
        state = review.fold(state, review.decide(state, reminder))
    assert state.last_reminder_on == D(2023, 6, 29)
    assert review.next_reminder_on(state, 7) is None
    assert review.response_deadline_for(D(2023, 6, 1), 28) == D(2023, 6, 29)


# ----------------------------------------------------------------------- exit (P2)


def notified(
    config: Partnership, signatories: tuple[str, ...] = ("dcc", "tewv", "icb")
) -> exit.ExitState:
    state = exit.initial_state(config, signatories)
    command = exit.NotifyExit(
        exit_id="x1",
        organisation="tewv",
        notified_on=D(2023, 1, 10),
        effective_on=D(2023, 3, 31),
        signatory_name="Brent Kilmurray, Chief Executive",
    )
    return exit.fold(state, exit.decide(state, command))


def issued(config: Partnership) -> exit.ExitState:
    state = notified(config)
    command = exit.IssueNotices(issued_on=D(2023, 1, 11), acknowledge_by=D(2023, 2, 8))
    return exit.fold(state, exit.decide(state, command))


def test_exit_notice_in_writing_to_every_other_signatory_000_s27(
    county_durham: Partnership,
) -> None:
    state = notified(county_durham)
    assert state.recipients == ("dcc", "icb")
    events = exit.decide(
        state,
        exit.IssueNotices(
            issued_on=D(2023, 1, 11), acknowledge_by=D(2023, 2, 8), reason="service transfer"
        ),
    )
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    assert [n.recipient for n in notices] == ["dcc", "icb"]
    assert {n.kind for n in notices} == {NoticeKind.EXIT_NOTICE}
    assert {(n.process, n.process_id, n.respond_by) for n in notices} == {
        (ProcessKind.EXIT, "x1", D(2023, 2, 8))
    }
    state = exit.fold(state, events)
    ack = exit.AcknowledgeNotice(
        recipient="dcc", acknowledged_on=D(2023, 1, 12), acknowledged_by="Clerk"
    )
    state = exit.fold(state, exit.decide(state, ack))
    assert state.unacknowledged == ("icb",)
    with pytest.raises(DomainError, match="dcc has already acknowledged"):
        exit.decide(state, ack)
    with pytest.raises(DomainError, match="hwbb is not a recipient"):
        exit.decide(state, ack.model_copy(update={"recipient": "hwbb"}))
    with pytest.raises(DomainError, match="tewv is not a recipient"):
        exit.decide(state, ack.model_copy(update={"recipient": "tewv"}))


def test_exit_notice_is_a_real_letter_naming_the_parties_000_s27(
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27: the written notice says who leaves what, when, and by when to acknowledge."""
    state = notified(county_durham)
    (notice, *_) = exit.decide(
        state,
        exit.IssueNotices(
            issued_on=D(2023, 1, 11), acknowledge_by=D(2023, 2, 8), reason="service transfer"
        ),
    )
    assert isinstance(notice, NoticeIssued)
    tewv = "Tees, Esk and Wear Valleys NHS Foundation Trust"
    assert notice.subject == f"County Durham Care Partnership: notice of exit of {tewv}"
    for text in (
        "\nDurham County Council\n",
        f"{tewv} has given notice that it is leaving the County Durham Care Partnership",
        "County Durham Care Partnership Memorandum of Understanding",
        f"Notice was given on 10 January 2023 by Brent Kilmurray, Chief Executive, for {tewv}.",
        "takes effect on 31 March 2023",
        "given in writing to each of the other signatory organisations",
        "acknowledge receipt of this notice by 8 February 2023",
        "The reason given is: service transfer",
    ):
        assert text in notice.body
    assert notice.content_hash == content_hash(notice.subject, notice.body)


def test_exit_must_be_in_writing_000_s27(county_durham: Partnership) -> None:
    state = exit.initial_state(county_durham, ("dcc", "tewv"))
    with pytest.raises(DomainError, match="in writing"):
        exit.decide(
            state,
            exit.NotifyExit(
                exit_id="x",
                organisation="dcc",
                notified_on=D(2023, 1, 1),
                effective_on=D(2023, 2, 1),
                signatory_name="n",
                in_writing=False,
            ),
        )


def test_exit_reminders_weekly_until_the_deadline_and_not_after_acknowledgement(
    county_durham: Partnership,
) -> None:
    """P2 policy: reminders every interval to those who have not acknowledged, until the
    acknowledgement deadline; the reminder is a written notice, not tracked for acknowledgement."""
    state = issued(county_durham)
    assert exit.next_reminder(state, 7) == D(2023, 1, 18)
    assert exit.reminders_due(state, D(2023, 1, 17), 7) == ()
    assert exit.reminders_due(state, D(2023, 1, 18), 7) == ("dcc", "icb")
    ack = exit.AcknowledgeNotice(
        recipient="dcc", acknowledged_on=D(2023, 1, 12), acknowledged_by="Clerk"
    )
    state = exit.fold(state, exit.decide(state, ack))
    with pytest.raises(DomainError, match="dcc has already acknowledged; no reminder"):
        exit.decide(state, exit.SendExitReminder(recipient="dcc", sent_on=D(2023, 1, 18)))
    sent = []
    day = exit.next_reminder(state, 7)
    while day is not None:
        assert exit.reminders_due(state, day, 7) == ("icb",)
        events = exit.decide(state, exit.SendExitReminder(recipient="icb", sent_on=day))
        reminder, letter = events
        assert isinstance(reminder, ReminderSent) and reminder.deadline == D(2023, 2, 8)
        assert isinstance(letter, NoticeIssued) and letter.kind is NoticeKind.REMINDER
        assert "acknowledge the notice by 8 February 2023" in letter.body
        state = exit.fold(state, events)
        sent.append(day)
        day = exit.next_reminder(state, 7)
    assert sent == [D(2023, 1, 18), D(2023, 1, 25), D(2023, 2, 1), D(2023, 2, 8)]
    assert [n.recipient for n in state.notices] == ["dcc", "icb"]
    with pytest.raises(DomainError, match="deadline for icb has passed"):
        exit.decide(state, exit.SendExitReminder(recipient="icb", sent_on=D(2023, 2, 9)))


def test_exit_withdrawn_only_before_effective_date(county_durham: Partnership) -> None:
    state = notified(county_durham)
    effective = state.effective_on
    assert effective is not None
    with pytest.raises(DomainError) as on_the_day:
        exit.decide(state, exit.WithdrawExit(withdrawn_on=effective))
    assert f"takes effect on {effective}, on or before the withdrawal date" in str(on_the_day.value)
    assert "took effect" not in str(on_the_day.value)
    later = effective + timedelta(days=1)
    with pytest.raises(DomainError) as after:
        exit.decide(state, exit.WithdrawExit(withdrawn_on=later))
    assert f"took effect on {effective}, before the withdrawal date {later}" in str(after.value)
    assert "can no longer be withdrawn" in str(after.value)
    state = exit.fold(state, exit.decide(state, exit.WithdrawExit(withdrawn_on=D(2023, 3, 1))))
    assert state.status == "withdrawn"
    assert state.withdrawn_on == D(2023, 3, 1)
    with pytest.raises(DomainError, match="already withdrawn"):
        exit.decide(state, exit.CompleteExit(ended_on=D(2023, 3, 31)))


def test_exit_completes_on_effective_date_and_flags_bodies_000_s27(
    county_durham: Partnership,
) -> None:
    state = notified(county_durham, county_durham.signatories)
    with pytest.raises(DomainError, match="takes effect on 2023-03-31"):
        exit.decide(state, exit.CompleteExit(ended_on=D(2023, 3, 30)))
    (ended,) = exit.decide(state, exit.CompleteExit(ended_on=D(2023, 3, 31)))
    assert isinstance(ended, MembershipEnded)
    assert "cdcpe" in ended.bodies_affected
    assert ended.bodies_affected == tuple(b.body for b in state.effect().bodies)
    state = exit.fold(state, [ended])
    assert state.status == "ended"
    assert state.ended_on == D(2023, 3, 31)


# ---------------------------------------------------------------- committee (P3)


def started() -> committee.CommitteeState:
    state = committee.initial_state("county-durham")
    start = committee_commands.StartFormation(
        committee_id="jc",
        name="Joint Committee",
        preferred_option="joint committee",
        started_on=D(2022, 9, 1),
    )
    state = committee.fold(state, committee.decide(state, start))
    for plan in load_partnership("county-durham").committee_plan("joint-committee").milestones:
        state = committee.fold(state, committee.decide(state, plan))
    return state


def test_milestone_not_met_before_its_dependencies_002_p3() -> None:
    state = started()
    with pytest.raises(DomainError, match="cannot be met before 'preferred-option'"):
        committee.decide(
            state,
            committee_commands.MeetMilestone(milestone_id="co-production", met_on=D(2022, 9, 20)),
        )


def test_milestone_needs_every_agreement_002_s17() -> None:
    state = started()
    with pytest.raises(DomainError, match="still needs the agreement of cabinet"):
        committee.decide(
            state,
            committee_commands.MeetMilestone(
                milestone_id="preferred-option", met_on=D(2022, 9, 14)
            ),
        )
    agree = committee_commands.RecordMilestoneAgreement(
        milestone_id="preferred-option", agreed_by="cabinet", agreed_on=D(2022, 9, 14)
    )
    state = committee.fold(state, committee.decide(state, agree))
    met = committee_commands.MeetMilestone(milestone_id="preferred-option", met_on=D(2022, 9, 14))
    state = committee.fold(state, committee.decide(state, met))
    assert state.milestone("preferred-option").met_on == D(2022, 9, 14)


def test_slippage_and_replanning_after_guidance_002_s29() -> None:
    state = started()
    with pytest.raises(DomainError, match="not due until"):
        committee.decide(
            state,
            committee_commands.RecordSlippage(
                milestone_id="shadow-form", noticed_on=D(2022, 10, 31)
            ),
        )
    slip = committee_commands.RecordSlippage(milestone_id="shadow-form", noticed_on=D(2022, 11, 1))
    state = committee.fold(state, committee.decide(state, slip))
    with pytest.raises(DomainError, match="already recorded"):
        committee.decide(state, slip)
    guidance = committee_commands.PublishGuidance(
        title="ICS guidance",
        published_on=D(2022, 11, 2),
        changes_preferred_option=True,
        new_preferred_option="committee in common",
    )
    state = committee.fold(state, committee.decide(state, guidance))
    assert state.preferred_option == "committee in common"
    replan = committee_commands.ReplanMilestone(
        milestone_id="shadow-form",
        new_target_on=D(2023, 1, 31),
        today=D(2022, 11, 3),
        reason="guidance",
    )
    state = committee.fold(state, committee.decide(state, replan))
    assert state.milestone("shadow-form").target_on == D(2023, 1, 31)
    with pytest.raises(DomainError, match="milestones not yet met"):
        committee.decide(
            state,
            committee_commands.EstablishCommittee(
                established_on=D(2023, 4, 1), reports_to=("icb",)
            ),
        )


# ------------------------------------------------------------- escalation (P4)


CDCPE_PRESENT = tuple(
    Attendance(seat=s)
    for s in (
        "icb-director-place-based-delivery",
        "cddft-chief-executive",
        "tewv-chief-executive",
        "dcc-director-adults-health",
        "director-of-place",
    )
)


def raised(config: Partnership) -> escalation.EscalationState:
    state = escalation.initial_state(config)
    raise_ = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by=config.ladder[0].bodies[0],
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="waiting times",
        raised_on=D(2023, 1, 5),
        respond_by=D(2023, 2, 2),
    )
    return escalation.fold(state, escalation.decide(state, raise_))


def test_escalation_climbs_only_after_deadline_000_tor_s2(county_durham: Partnership) -> None:
    state = raised(county_durham)
    climb = escalation.ClimbEscalation(
        climbed_on=D(2023, 2, 2), reason=ClimbReason.DEADLINE_PASSED, respond_by=D(2023, 3, 2)
    )
    with pytest.raises(DomainError, match="has not passed"):
        escalation.decide(state, climb)
    climb = climb.model_copy(update={"climbed_on": D(2023, 2, 3)})
    state = escalation.fold(state, escalation.decide(state, climb))
    assert state.level == 2 and state.stage is not None and state.stage.bodies == ("cdcpe",)


def test_cdcpe_decision_with_conflicted_chair_000_tor_s6(county_durham: Partnership) -> None:
    state = raised(county_durham)
    state = escalation.fold(
        state,
        escalation.decide(
            state,
            escalation.ClimbEscalation(
                climbed_on=D(2023, 1, 20),
                reason=ClimbReason.NOT_RESOLVED,
                respond_by=D(2023, 2, 20),
            ),
        ),
    )
    chair = "icb-director-place-based-delivery"
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=D(2023, 1, 25),
        present=CDCPE_PRESENT,
        in_favour=("cddft-chief-executive", "tewv-chief-executive", "director-of-place"),
        rulings={chair: ConflictRuling.DISCUSS_NOT_DECIDE},
        summary="recovery plan",
    )
    events = escalation.decide(state, vote)
    replaced = next(e for e in events if isinstance(e, ItemChairReplaced))
    assert replaced.acting_chair == "cddft-chief-executive"
    decided = events[-1]
    assert isinstance(decided, EscalationDecided) and decided.carried
    assert chair not in decided.eligible_voters
    with pytest.raises(DomainError, match="may discuss but not decide"):
        escalation.decide(state, vote.model_copy(update={"in_favour": (chair,)}))


def test_not_quorate_body_cannot_decide_000_tor_s10(county_durham: Partnership) -> None:
    state = raised(county_durham)
    state = escalation.fold(
        state,
        escalation.decide(
            state,
            escalation.ClimbEscalation(
                climbed_on=D(2023, 1, 20),
                reason=ClimbReason.NOT_RESOLVED,
                respond_by=D(2023, 2, 20),
            ),
        ),
    )
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=D(2023, 1, 25),
        present=CDCPE_PRESENT[:3],
        in_favour=(),
        summary="x",
    )
    with pytest.raises(DomainError, match="cdcpe is not quorate"):
        escalation.decide(state, vote)


def test_sle_majority_of_eligible_affected_partners_003_s8_10(
    mid_south_essex: Partnership,
) -> None:
    state = raised(mid_south_essex)
    state = escalation.fold(
        state,
        escalation.decide(
            state,
            escalation.ClimbEscalation(
                climbed_on=D(2023, 1, 20),
                reason=ClimbReason.NOT_RESOLVED,
                respond_by=D(2023, 2, 20),
            ),
        ),
    )
    present = tuple(Attendance(seat=m.seat) for m in mid_south_essex.body("sle").voting_members)
    vote = escalation.DecideEscalation(
        body="sle",
        decided_on=D(2023, 1, 25),
        present=present,
        affected=("msft", "eput", "essex-cc"),
        in_favour=("msft", "eput"),
        against=("essex-cc",),
        summary="bed capacity",
    )
    decided = escalation.decide(state, vote)[-1]
    assert isinstance(decided, EscalationDecided) and decided.carried
    assert decided.eligible_voters == ("eput", "essex-cc", "msft")
    # NELFT is present but not affected: its vote is recorded, not counted, with the reason.
    with_nelft = vote.model_copy(update={"in_favour": ("msft", "nelft"), "against": ("eput",)})
    decided = escalation.decide(state, with_nelft)[-1]
    assert isinstance(decided, EscalationDecided)
    assert decided.in_favour == ("msft", "nelft") and decided.against == ("eput",)
    (uncounted,) = decided.not_counted
    assert uncounted.seat == "nelft"
    assert "not an eligible partner affected by the matter" in uncounted.reason
    assert "MSE MoU 2020 §8.10(2)" in uncounted.reason
    # Counted: MSFT for, EPUT against, Essex CC silent; 1 of 3 is no majority.
    assert not decided.carried and decided.eligible_voters == ("eput", "essex-cc", "msft")


def test_escalation_resolves_only_when_actions_complete_003_s7_5(
    county_durham: Partnership,
) -> None:
    state = raised(county_durham)
    agree = escalation.AgreeAction(
        kind=ActionKind.RECOVERY_PLAN,
        description="recovery plan",
        owner="cddft",
        due_on=D(2023, 3, 1),
        agreed_on=D(2023, 1, 10),
    )
    state = escalation.fold(state, escalation.decide(state, agree))
    resolve = escalation.ResolveEscalation(resolved_on=D(2023, 1, 11), resolution="plan agreed")
    with pytest.raises(DomainError, match="actions still open: a1"):
        escalation.decide(state, resolve)
    done = escalation.CompleteAction(action_id="a1", completed_on=D(2023, 2, 20))
    state = escalation.fold(state, escalation.decide(state, done))
    state = escalation.fold(state, escalation.decide(state, resolve))
    assert state.status == "resolved"


def test_top_of_ladder_cannot_climb(nenc: Partnership) -> None:
    state = raised(nenc)
    climb = escalation.ClimbEscalation(
        climbed_on=D(2023, 1, 20), reason=ClimbReason.NOT_RESOLVED, respond_by=D(2023, 2, 20)
    )
    state = escalation.fold(state, escalation.decide(state, climb))
    with pytest.raises(DomainError, match="top of the ladder"):
        escalation.decide(state, climb)


# ------------------------------------------------------------------------ what if


def test_what_if_changes_nothing_and_reports_per_body(
    signed_county_durham: PartnershipState,
) -> None:
    before = signed_county_durham.model_dump()
    absent = tuple(SeatRef(body="mhld-board", seat=s) for s in ("dcc-mhld-lead", "healthwatch-rep"))
    report = what_if(
        signed_county_durham,
        ProposedChange(
            leaving=("tewv",),
            absent=absent,
            conflicted=(
                Conflict(
                    body="cdcpe",
                    seat="icb-director-place-based-delivery",
                    ruling=ConflictRuling.LEAVE,
                ),
            ),
        ),
    )
    assert signed_county_durham.model_dump() == before
    by_body = {b.body: b for b in report.bodies}
    assert by_body["mhld-board"].quorum.status is QuorumStatus.NOT_QUORATE
    assert by_body["cdcpe"].chair_replaced
    majority = next(r for r in by_body["cdcpe"].rules if r.rule.value == "simple_majority")
    assert (majority.counted, majority.required) == (14, 8)
    assert "tewv" not in report.signatories_after
    assert report.exit is not None and report.exit.organisations == ("tewv",)


def test_what_if_three_quarters_rule_003_s8_4(mid_south_essex: Partnership) -> None:
    state = sign_all(mid_south_essex, D(2020, 6, 1))
    report = what_if(state, ProposedChange(leaving=("msft",)))
    board = next(b for b in report.bodies if b.body == "partnership-board")
    rule = next(r for r in board.rules if r.rule.value == "three_quarters_of_eligible")
    assert (rule.counted, rule.required, rule.achievable) == (10, 8, True)


def test_what_if_refuses_unknown_seat(signed_county_durham: PartnershipState) -> None:
    with pytest.raises(DomainError, match="not a seat on cdcpe"):
        what_if(signed_county_durham, ProposedChange(absent=(SeatRef(body="cdcpe", seat="x"),)))
