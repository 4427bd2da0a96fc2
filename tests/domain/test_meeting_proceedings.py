"""A meeting once held (docs/rules.md P5.13, P5.14), pure: opened with the declarations
confirmed, conflicts declared on items with the Chair's rulings and each item of other business
agreed or declined by the group (CDCPE ToR §5, §6); decisions taken by the members the rulings
leave to decide, quorate among them (ToR §6, §10)."""

from datetime import date

import pytest

from domain import meetings
from domain.errors import DomainError
from domain.events import (
    ConflictRuling,
    DecisionRecorded,
    ItemConflict,
    MeetingOpened,
    OtherBusiness,
)
from domain.meeting_proceedings import OpenMeeting, RecordDecision
from domain.partnership import Partnership
from tests.domain.test_meetings import EASTER_THURSDAY, cycle_for_easter, set_on

PLAN = "Better Care Fund plan 2027/28"
LATE = "Winter pressures"
PRESENT = (
    "icb-medical-director",
    "cddft-chief-executive",
    "dcc-director-adults-health",
    "tewv-chief-executive",
)


def held(durham: Partnership) -> meetings.MeetingState:
    """The Easter meeting, held: one item asked for in time, one after the deadline (only any
    other business), four present (one by deputy), quorate under ToR §10."""
    state = cycle_for_easter(durham)
    for command in (
        set_on(EASTER_THURSDAY),
        meetings.RequestItem(
            item=PLAN, requested_by="dcc", requested_on=date(2027, 3, 10), today=date(2027, 3, 10)
        ),
        meetings.CloseRequests(on=date(2027, 3, 20)),
        meetings.RequestItem(
            item=LATE, requested_by="icb", requested_on=date(2027, 3, 23), today=date(2027, 3, 23)
        ),
        meetings.IssueAgenda(on=date(2027, 3, 24)),
        meetings.RecordAttendance(
            present=PRESENT, by_deputy=("tewv-chief-executive",), today=EASTER_THURSDAY
        ),
    ):
        state = meetings.fold(state, meetings.decide(state, command))
    assert state.agenda_items == (PLAN,) and state.any_other_business == (LATE,)
    return state


def opening(*other: OtherBusiness, conflicts: tuple[ItemConflict, ...] = ()) -> OpenMeeting:
    return OpenMeeting(
        declarations_confirmed=PRESENT[:3], conflicts=conflicts, other_business=other
    )


SHARES = ItemConflict(
    item=LATE,
    seat="icb-medical-director",
    interest="director of a care home group",
    ruling=ConflictRuling.LEAVE,
)
TRUSTEE = ItemConflict(
    item=PLAN,
    seat="cddft-chief-executive",
    interest="trustee of a hospice the plan funds",
    ruling=ConflictRuling.TAKE_PART,
)


def test_the_meeting_opens_confirming_declarations_and_agreeing_other_business_tor_5_6(
    county_durham: Partnership,
) -> None:
    state = held(county_durham)
    command = opening(
        OtherBusiness(item=LATE, agreed=True),
        OtherBusiness(item="Car parking", agreed=False),
        conflicts=(SHARES, TRUSTEE),
    )
    (opened,) = meetings.decide(state, command)
    assert isinstance(opened, MeetingOpened)
    assert opened.held_on == EASTER_THURSDAY
    assert opened.declarations_confirmed == PRESENT[:3]
    assert opened.conflicts == (SHARES, TRUSTEE)
    state = meetings.fold(state, [opened])
    with pytest.raises(DomainError, match="already been opened"):
        meetings.decide(state, command)


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (opening(), f"{LATE}, asked for after the deadline, must be declared as other business"),
        (
            OpenMeeting(
                declarations_confirmed=("healthwatch-chair",),
                other_business=(OtherBusiness(item=LATE, agreed=True),),
            ),
            "healthwatch-chair confirmed declarations but is not present",
        ),
        (
            opening(OtherBusiness(item=PLAN, agreed=True), OtherBusiness(item=LATE, agreed=True)),
            f"{PLAN} is on the agenda, not other business",
        ),
        (
            opening(OtherBusiness(item=LATE, agreed=False), conflicts=(SHARES,)),
            f"'{LATE}' is not an item the meeting takes",
        ),
        (
            opening(
                OtherBusiness(item=LATE, agreed=True),
                conflicts=(SHARES.model_copy(update={"seat": "hdft-chief-executive"}),),
            ),
            "hdft-chief-executive declared an interest but is not present",
        ),
    ],
)
def test_an_opening_that_does_not_add_up_is_refused(
    county_durham: Partnership, command: OpenMeeting, refusal: str
) -> None:
    with pytest.raises(DomainError, match=refusal.replace("(", r"\(")):
        meetings.decide(held(county_durham), command)


def test_decisions_are_taken_by_those_the_rulings_leave_quorate_among_them_tor_6_10(
    county_durham: Partnership,
) -> None:
    state = held(county_durham)
    decide_plan = RecordDecision(item=PLAN, decision="Approved for submission to the HWBB.")
    with pytest.raises(DomainError, match="must be opened"):
        meetings.decide(state, decide_plan)
    state = meetings.fold(
        state,
        meetings.decide(
            state,
            opening(
                OtherBusiness(item=LATE, agreed=True),
                OtherBusiness(item="Car parking", agreed=False),
                conflicts=(SHARES, TRUSTEE),
            ),
        ),
    )
    (decided,) = meetings.decide(state, decide_plan)
    assert isinstance(decided, DecisionRecorded)
    # The trustee declared, and the Chair let them take part: four decide, quorate.
    assert decided.deciding == PRESENT and decided.quorum == "quorate"
    assert decided.decided_on == EASTER_THURSDAY
    state = meetings.fold(state, [decided])
    assert state.decided == (PLAN,)
    with pytest.raises(DomainError, match="already recorded"):
        meetings.decide(state, decide_plan)

    # The medical director leaves for the late item: three remain, short of ToR §10's four.
    with pytest.raises(DomainError, match="3 of the 4 members needed are present"):
        meetings.decide(state, RecordDecision(item=LATE, decision="Noted."))
    with pytest.raises(DomainError, match="neither on the agenda nor other business"):
        meetings.decide(state, RecordDecision(item="Car parking", decision="Agreed."))
