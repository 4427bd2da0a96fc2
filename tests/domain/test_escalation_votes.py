"""Members cast their own votes at an escalation's deciding level (CDCPE ToR §3; docs/rules.md
P4.10, A11), and the meeting's record counts them."""

from datetime import date

import pytest

from domain.aggregates import escalation
from domain.errors import DomainError
from domain.events import (
    ClimbReason,
    ConflictRuling,
    EscalationDecided,
    InterestDeclared,
    VoteCast,
    VoteChoice,
)
from domain.partnership import Partnership
from domain.rules.quorum import Attendance
from tests.domain.test_escalation_aggregate_workflow_rules import apply, raised

ON = date(2023, 1, 20)
SEATS = ("cddft-chief-executive", "tewv-chief-executive", "hdft-chief-executive")
MEMBER = "icb-medical-director"
LEAVE, TAKE_PART = ConflictRuling.LEAVE, ConflictRuling.TAKE_PART


def at_the_executive(config: Partnership) -> escalation.EscalationState:
    climb = escalation.ClimbEscalation(
        climbed_on=date(2023, 1, 10), reason=ClimbReason.NOT_RESOLVED
    )
    return apply(raised(config), climb)


def cast(seat: str, vote: VoteChoice, **kw: object) -> escalation.CastVote:
    fields: dict[str, object] = {"body": "cdcpe", "level": 2, "seat": seat, "vote": vote}
    return escalation.CastVote.model_validate(fields | {"cast_on": ON} | kw)


def meeting(**kw: object) -> escalation.DecideEscalation:
    present = tuple(Attendance(seat=s) for s in (*SEATS, MEMBER, "dcc-director-adults-health"))
    fields: dict[str, object] = {"body": "cdcpe", "decided_on": ON, "present": present}
    return escalation.DecideEscalation.model_validate(
        fields | {"in_favour": SEATS[:2], "summary": "Fund the team"} | kw
    )


def test_a_member_changes_their_vote_until_the_meeting_counts_it(
    county_durham: Partnership,
) -> None:
    state = apply(at_the_executive(county_durham), cast(MEMBER, VoteChoice.AGAINST))
    state = apply(state, cast(MEMBER, VoteChoice.FOR, declaration="A family member works there"))
    assert [(v.seat, v.vote) for v in state.votes] == [(MEMBER, VoteChoice.FOR)]
    rulings = {MEMBER: TAKE_PART}
    events = escalation.decide(state, meeting(rulings=rulings))
    declared = [e for e in events if isinstance(e, InterestDeclared)]
    assert [(d.seat, d.description) for d in declared] == [(MEMBER, "A family member works there")]
    decided = events[-1]
    assert isinstance(decided, EscalationDecided) and decided.carried
    assert decided.in_favour == tuple(sorted((*SEATS[:2], MEMBER)))
    state = escalation.fold(state, events)
    assert state.votes == ()
    with pytest.raises(DomainError, match="was decided on 2023-01-20; no more votes"):
        escalation.decide(state, cast(MEMBER, VoteChoice.AGAINST))


def test_a_record_contradicting_a_members_own_vote_is_refused_naming_the_seat(
    county_durham: Partnership,
) -> None:
    state = apply(at_the_executive(county_durham), cast(MEMBER, VoteChoice.ABSTAIN))
    with pytest.raises(DomainError, match=f"the record says {MEMBER} voted for, but {MEMBER}"):
        escalation.decide(state, meeting(in_favour=(*SEATS[:2], MEMBER)))
    decided = escalation.decide(state, meeting())[-1]
    assert isinstance(decided, EscalationDecided)
    assert MEMBER not in decided.in_favour + decided.against


def test_an_absent_members_vote_is_not_counted_nor_one_ruled_out_of_the_item(
    county_durham: Partnership,
) -> None:
    state = apply(at_the_executive(county_durham), cast(MEMBER, VoteChoice.AGAINST))
    state = apply(state, cast("icb-director-finance", VoteChoice.AGAINST, declaration="Own bid"))
    # Absent, their declaration needs no ruling and their vote is not counted.
    decided = escalation.decide(state, meeting(in_favour=SEATS, rulings={MEMBER: LEAVE}))[-1]
    assert isinstance(decided, EscalationDecided)
    assert decided.against == () and decided.carried
    assert [u.seat for u in decided.not_counted] == [MEMBER]
    assert "cast their own vote but left the meeting" in decided.not_counted[0].reason


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (cast(MEMBER, VoteChoice.FOR, level=1), "at level 2 .*, not level 1"),
        (cast(MEMBER, VoteChoice.FOR, body="hwbb"), "hwbb does not decide at level 2"),
        (cast("nobody", VoteChoice.FOR), "nobody is not a seat on cdcpe"),
        (cast("necs-in-attendance", VoteChoice.FOR), "does not vote \\(CDCPE ToR §3\\)"),
        (cast(MEMBER, VoteChoice.FOR, cast_on=date(2023, 1, 9)), "before it reached level 2"),
    ],
)
def test_a_vote_the_level_does_not_take_is_refused(
    county_durham: Partnership, command: escalation.CastVote, refusal: str
) -> None:
    with pytest.raises(DomainError, match=refusal):
        escalation.decide(at_the_executive(county_durham), command)


def test_a_vote_is_refused_where_the_level_does_not_vote(county_durham: Partnership) -> None:
    state = raised(county_durham)
    refused = cast(MEMBER, VoteChoice.FOR, level=1, body="acute-care-board")
    with pytest.raises(DomainError, match="does not decide by vote"):
        escalation.decide(state, refused)
    cast_event = escalation.decide(at_the_executive(county_durham), cast(MEMBER, VoteChoice.FOR))
    assert cast_event == [
        VoteCast(
            partnership="county-durham",
            escalation_id="e1",
            level=2,
            body="cdcpe",
            seat=MEMBER,
            vote=VoteChoice.FOR,
            cast_on=ON,
        )
    ]
