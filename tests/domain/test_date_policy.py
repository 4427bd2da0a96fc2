"""R9: a governance date is checked against the world; a refusal names the date and the rule."""

from datetime import date, timedelta

import pytest

from domain.aggregates import escalation, exit, partnership, review
from domain.errors import DomainError
from domain.events import EscalationReason
from domain.partnership import Partnership
from tests.domain.test_process_aggregates import CDCPE_PRESENT, issued, open_review, raised

TODAY = date(2026, 11, 29)


def sign(organisation: str, signed_on: date) -> partnership.SignMou:
    return partnership.SignMou(
        organisation=organisation,
        signatory_name="Chief Executive",
        signatory_role="Chief Executive",
        signed_on=signed_on,
        today=TODAY,
    )


def test_a_signature_in_the_future_or_in_year_one_is_refused_naming_the_date(
    nenc: Partnership,
) -> None:
    state = partnership.initial_state(nenc)
    last = nenc.signatories[-1]
    for organisation in nenc.signatories[:-1]:
        state = partnership.fold(state, partnership.decide(state, sign(organisation, TODAY)))
    with pytest.raises(DomainError, match="2999-12-31: that is after today \\(2026-11-29\\)"):
        partnership.decide(state, sign(last, date(2999, 12, 31)))
    with pytest.raises(DomainError, match="0001-01-01: that is before the earliest governance"):
        partnership.decide(state, sign(last, date(1, 1, 1)))
    events = partnership.decide(state, sign(last, TODAY))
    assert partnership.fold(state, events).effective_on == TODAY


def test_an_acknowledgement_dated_2099_is_refused(county_durham: Partnership) -> None:
    state = issued(county_durham)
    ack = exit.AcknowledgeNotice(
        recipient="dcc", acknowledged_on=date(2099, 1, 1), acknowledged_by="Clerk", today=TODAY
    )
    with pytest.raises(DomainError, match="an acknowledgement cannot be dated 2099-01-01"):
        exit.decide(state, ack)


def test_a_withdrawal_before_the_notice_or_after_today_is_refused(
    county_durham: Partnership,
) -> None:
    state = issued(county_durham)
    early = exit.WithdrawExit(withdrawn_on=date(2023, 1, 9), today=date(2023, 2, 1))
    with pytest.raises(DomainError, match="before the notice was given \\(2023-01-10\\)"):
        exit.decide(state, early)
    late = early.model_copy(update={"withdrawn_on": date(2023, 2, 2)})
    with pytest.raises(DomainError, match="2023-02-02: that is after today"):
        exit.decide(state, late)


def test_a_decision_dated_before_the_escalation_was_raised_is_refused(
    county_durham: Partnership,
) -> None:
    state = raised(county_durham)
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=date(2001, 1, 1),
        present=CDCPE_PRESENT,
        in_favour=(),
        summary="recovery plan",
        today=TODAY,
    )
    with pytest.raises(
        DomainError,
        match="a decision cannot be dated 2001-01-01: that is before the escalation was raised "
        "\\(2023-01-05\\)",
    ):
        escalation.decide(state, vote)
    future = vote.model_copy(update={"decided_on": date(2027, 1, 1)})
    with pytest.raises(DomainError, match="2027-01-01: that is after today"):
        escalation.decide(state, future)


def test_an_escalation_raised_in_the_future_is_refused(county_durham: Partnership) -> None:
    raise_ = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by=county_durham.ladder[0].bodies[0],
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="waiting times",
        raised_on=date(2099, 1, 5),
        today=TODAY,
    )
    with pytest.raises(DomainError, match="an escalation cannot be dated 2099-01-05"):
        escalation.decide(escalation.initial_state(county_durham), raise_)


def test_a_review_response_after_today_is_refused() -> None:
    state = open_review()
    response = review.RecordResponse(
        organisation="a",
        received_on=state.opened_on,
        confirms_unchanged=True,
        today=state.opened_on,
    )
    assert review.decide(state, response)
    assert state.opened_on is not None
    tomorrow = state.opened_on + timedelta(days=1)
    with pytest.raises(
        DomainError, match=f"a response cannot be dated {tomorrow.isoformat()}: that is after today"
    ):
        review.decide(state, response.model_copy(update={"received_on": tomorrow}))


def test_a_decision_entered_late_but_dated_before_its_level_was_reached_is_refused(
    county_durham: Partnership,
) -> None:
    """Raised 5 Jan 2023 at the Acute Care Partnership Board, referred to the Executive on
    20 Jan: a vote of the Executive dated 10 Jan contradicts the record, which has the issue
    still with the board that day."""
    state = raised(county_durham)
    referral = escalation.ReferUp(
        level=1,
        body="acute-care-board",
        referred_on=date(2023, 1, 20),
        notes="needs the Executive",
        today=TODAY,
    )
    state = escalation.fold(state, escalation.decide(state, referral))
    assert (state.level, state.level_since) == (2, date(2023, 1, 20))
    vote = escalation.DecideEscalation(
        body="cdcpe",
        decided_on=date(2023, 1, 10),
        present=CDCPE_PRESENT,
        in_favour=tuple(a.seat for a in CDCPE_PRESENT),
        summary="recovery plan",
        today=TODAY,
    )
    with pytest.raises(
        DomainError,
        match="a decision cannot be dated 2023-01-10: that is before it reached level 2 "
        "\\(2023-01-20\\)",
    ):
        escalation.decide(state, vote)
    on_the_day = vote.model_copy(update={"decided_on": date(2023, 1, 20)})
    assert escalation.decide(state, on_the_day)
