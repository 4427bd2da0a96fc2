"""The escalation rules the workflow relies on (docs/rules.md P4), without Temporal."""

from datetime import date, timedelta

import pytest

from domain.aggregates import escalation
from domain.bodies import DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ActionKind,
    ActionOverdue,
    ClimbReason,
    EscalationClimbed,
    EscalationClosed,
    EscalationDecided,
    EscalationReason,
    NoticeIssued,
    NoticeKind,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.rules.quorum import Attendance

RAISED_ON = date(2023, 1, 5)


def raised(config: Partnership, affected: tuple[str, ...] = ()) -> escalation.EscalationState:
    state = escalation.initial_state(config)
    command = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by=config.ladder[0].bodies[0],
        reason=EscalationReason.WORK_PLAN_EXCEPTION,
        summary="waiting times",
        raised_on=RAISED_ON,
        affected=affected,
    )
    return escalation.fold(state, escalation.decide(state, command))


def apply(
    state: escalation.EscalationState, command: escalation.EscalationCommand
) -> escalation.EscalationState:
    return escalation.fold(state, escalation.decide(state, command))


def lapse(state: escalation.EscalationState) -> escalation.EscalationState:
    assert state.respond_by is not None
    return apply(state, escalation.LevelLapsed(on=state.respond_by + timedelta(days=1)))


def test_raise_defaults_the_deadline_and_writes_to_the_level_p4_policy(
    county_durham: Partnership,
) -> None:
    state = escalation.initial_state(county_durham)
    events = escalation.decide(
        state,
        escalation.RaiseEscalation(
            escalation_id="e1",
            raised_by="acute-care-board",
            reason=EscalationReason.OUTCOME_NOT_DELIVERED,
            summary="x",
            raised_on=RAISED_ON,
        ),
    )
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    assert {n.recipient for n in notices} == set(county_durham.ladder[0].bodies)
    assert all(n.content_hash == content_hash(n.subject, n.body) for n in notices)
    assert all(n.respond_by == RAISED_ON + timedelta(days=28) for n in notices)


def test_every_level_lapses_upward_then_closes_at_the_top_mse_003_s8_10(
    mid_south_essex: Partnership,
) -> None:
    state = raised(mid_south_essex)
    with pytest.raises(DomainError, match="has not passed"):
        escalation.decide(state, escalation.LevelLapsed(on=RAISED_ON + timedelta(days=28)))
    for level in (2, 3, 4):
        state = lapse(state)
        assert state.level == level
    assert escalation.level_recipients(state) == ("partnership-board",)
    closing = escalation.decide(state, escalation.LevelLapsed(on=date(2023, 6, 1)))
    closed = closing[0]
    assert isinstance(closed, EscalationClosed) and "top of the ladder" in closed.reason
    state = escalation.fold(state, closing)
    assert (state.status, escalation.next_due(state)) == ("closed", None)


def test_facilitator_notice_goes_to_the_sle_003_s8_10_3(mid_south_essex: Partnership) -> None:
    state = lapse(lapse(raised(mid_south_essex)))
    assert state.level == 3 and escalation.level_recipients(state) == ("sle",)


def test_partner_governance_level_writes_to_affected_partners_000_tor_s1_3(
    county_durham: Partnership,
) -> None:
    state = lapse(lapse(raised(county_durham, affected=("cddft", "dcc"))))
    assert escalation.level_recipients(state) == ("hwbb", "cddft", "dcc")
    with pytest.raises(DomainError, match="top of the ladder"):
        escalation.decide(
            state,
            escalation.ReferUp(level=3, body="hwbb", referred_on=date(2023, 4, 1), notes="x"),
        )


def test_not_accepted_at_the_top_closes_003_s8_10_4(nenc: Partnership) -> None:
    state = lapse(raised(nenc))
    members = nenc.body("management-group").voting_members
    vote = escalation.DecideEscalation(
        body="management-group",
        decided_on=date(2023, 2, 10),
        present=tuple(Attendance(seat=m.seat) for m in members),
        in_favour=tuple(m.seat for m in members),
        summary="x",
    )
    state = apply(state, vote)
    events = escalation.decide(
        state,
        escalation.DecisionNotAccepted(level=2, by="cddft", on=date(2023, 2, 11), reason="no"),
    )
    assert isinstance(events[0], EscalationClosed)
    assert "not accepted by the" in events[0].reason


def test_failed_vote_is_recorded_as_no_decision_and_the_level_stays_p4(
    county_durham: Partnership,
) -> None:
    state = apply(
        raised(county_durham),
        escalation.ClimbEscalation(climbed_on=date(2023, 1, 10), reason=ClimbReason.NOT_RESOLVED),
    )
    seats = ("cddft-chief-executive", "tewv-chief-executive", "hdft-chief-executive")
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=date(2023, 1, 20),
        present=tuple(Attendance(seat=s) for s in (*seats, "dcc-director-adults-health")),
        in_favour=seats[:1],
        summary="x",
    )
    events = escalation.decide(state, vote)
    assert not any(isinstance(e, EscalationClimbed) for e in events)
    decided = events[-1]
    assert isinstance(decided, EscalationDecided) and not decided.carried
    assert apply(state, vote).level == 2


def test_rule_not_configured_for_the_body_is_refused_003_s8_4(
    county_durham: Partnership,
) -> None:
    state = apply(
        raised(county_durham),
        escalation.ClimbEscalation(climbed_on=date(2023, 1, 10), reason=ClimbReason.NOT_RESOLVED),
    )
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=date(2023, 1, 20),
        present=(),
        in_favour=(),
        rule=DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE,
        summary="x",
    )
    seats = (
        "cddft-chief-executive",
        "tewv-chief-executive",
        "hdft-chief-executive",
        "icb-medical-director",
    )
    vote = vote.model_copy(update={"present": tuple(Attendance(seat=s) for s in seats)})
    with pytest.raises(DomainError, match="cdcpe has no three_quarters_of_eligible rule"):
        escalation.decide(state, vote)


def test_overdue_action_noticed_once_and_next_due_follows_003_s7_5(
    county_durham: Partnership,
) -> None:
    state = raised(county_durham)
    state = apply(
        state,
        escalation.AgreeAction(
            kind=ActionKind.FUNDING_RESTRICTION,
            description="restrict discretionary funding",
            owner="icb",
            due_on=date(2023, 1, 20),
            agreed_on=RAISED_ON,
        ),
    )
    assert escalation.next_due(state) == date(2023, 1, 20)
    assert escalation.decide(state, escalation.NoticeOverdueActions(on=date(2023, 1, 20))) == []
    events = escalation.decide(state, escalation.NoticeOverdueActions(on=date(2023, 1, 21)))
    assert isinstance(events[0], ActionOverdue)
    reminder = events[1]
    assert isinstance(reminder, NoticeIssued) and reminder.kind is NoticeKind.REMINDER
    state = escalation.fold(state, events)
    assert escalation.overdue_actions(state, date(2023, 2, 1)) == ()
    assert escalation.next_due(state) == state.respond_by
