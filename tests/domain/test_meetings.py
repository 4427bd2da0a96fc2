"""The meeting cycle (P5) and declarations rounds (P6), pure: CDCPE ToR §4-§6,
MoU §11, §23; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU §17, §20."""

from datetime import date, time

import pytest

from domain import declarations as decl, meetings
from domain.errors import DomainError, UnknownOrganisationError
from domain.events import (
    AgendaIssued,
    AgendaItemRequested,
    AttendanceRecorded,
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
    MeetingArranged,
    MeetingCycleClosed,
    MeetingScheduled,
    MinutesApproved,
    NoticeIssued,
    NoticeKind,
)
from domain.letters.meetings import agenda_lines
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership

MEETING = date(2022, 10, 15)


@pytest.fixture(scope="module")
def durham() -> Partnership:
    return load_partnership("county-durham")


def scheduled(durham: Partnership) -> meetings.MeetingState:
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    return meetings.fold(
        state, meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    )


def test_cycle_dates_follow_tor_5_ten_and_three_days(durham: Partnership) -> None:
    """ToR §5: requests at least 10 days before, agenda at least 3 days before; ToR §5 minutes of
    the previous (monthly, ToR §4) meeting come to this one."""
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    events = meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    first = events[0]
    assert isinstance(first, MeetingScheduled)
    # Saturday 15 October: 10 clear days back leave Tuesday 4 October; 3 working days (Wed 12 to
    # Fri 14) leave Tuesday 11 October (docs/rules.md P5.7).
    assert first.agenda_requests_due_on == date(2022, 10, 4)
    assert first.agenda_issue_by == date(2022, 10, 11)
    assert first.minutes_for_approval_of == date(2022, 9, 15)
    assert [c.split(":")[0] for c in first.deadline_citations] == ["2022-10-04", "2022-10-11"]
    assert all("CDCPE ToR §5" in c for c in first.deadline_citations)


def test_a_cycle_recorded_before_the_statutory_calendar_replays_in_calendar_days(
    durham: Partnership,
) -> None:
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    legacy = meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1), statutory_calendar=False)
    first = meetings.decide(state, legacy)[0]
    assert isinstance(first, MeetingScheduled)
    assert (first.agenda_requests_due_on, first.agenda_issue_by) == (
        date(2022, 10, 5),
        date(2022, 10, 12),
    )
    assert first.deadline_citations == ()


def test_call_for_items_goes_to_each_member_organisation_once_tor_5(durham: Partnership) -> None:
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    events = meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    recipients = [n.recipient for n in notices]
    assert recipients == list(meetings.member_organisations(durham, "cdcpe"))
    assert len(set(recipients)) == len(recipients) and "icb" in recipients
    assert {n.kind for n in notices} == {NoticeKind.AGENDA_REQUEST}
    assert all(n.respond_by == date(2022, 10, 4) for n in notices)
    assert "at least ten days before the meeting" in notices[0].body


@pytest.mark.parametrize(
    ("per_year", "months"),
    [
        (12, tuple(range(1, 13))),  # CDCPE ToR §4, NENC ICS MoU §20: monthly
        (6, (1, 3, 5, 7, 9, 11)),  # MSE MoU 2020 §6.16: bi-monthly
        (4, (1, 4, 7, 10)),  # MSE MoU 2020 §6.5, NENC ICS MoU §17: quarterly
        (3, (1, 5, 9)),  # CDCP MoU §11: three times a year
        (2, (1, 7)),
        (1, (1,)),
    ],
)
def test_cadence_months(per_year: int, months: tuple[int, ...]) -> None:
    assert meetings.meeting_months(per_year) == months


def test_a_cadence_not_in_whole_months_is_refused() -> None:
    with pytest.raises(DomainError, match="whole months"):
        meetings.meeting_months(5)


def test_calendar_fires_before_the_request_deadline_tor_5(durham: Partnership) -> None:
    calendar = meetings.meeting_calendar(durham.body("partnership-forum"))
    assert calendar is not None and calendar.months == (1, 5, 9)
    fired = date(2023, 5, calendar.day_of_month)
    meeting_on = meetings.meeting_date_for(fired)
    assert meeting_on == date(2023, 5, meetings.MEETING_DAY)
    # The call for items leaves time to meet the 10-day deadline (ToR §5).
    assert (meeting_on - fired).days > 10
    assert meetings.meeting_calendar(durham.body("hwbb")) is None


def test_item_requested_late_is_any_other_business_tor_5(durham: Partnership) -> None:
    state = scheduled(durham)
    on_time = meetings.decide(
        state,
        meetings.RequestItem(
            item="Winter plan",
            requested_by="dcc",
            requested_on=date(2022, 10, 4),
            today=date(2022, 10, 4),
        ),
    )
    late = meetings.decide(
        state,
        meetings.RequestItem(
            item="Urgent care update",
            requested_by="dcc",
            requested_on=date(2022, 10, 5),
            today=date(2022, 10, 5),
        ),
    )
    assert isinstance(on_time[0], AgendaItemRequested) and not on_time[0].any_other_business
    assert isinstance(late[0], AgendaItemRequested) and late[0].any_other_business


def test_only_member_organisations_request_items_tor_5(durham: Partnership) -> None:
    state = scheduled(durham)
    with pytest.raises(UnknownOrganisationError):
        meetings.decide(
            state,
            meetings.RequestItem(
                item="x", requested_by="nobody", requested_on=MEETING, today=MEETING
            ),
        )
    # Harrogate has a seat; the forum's agenda is for the forum's members.
    forum = meetings.initial_state(durham, "partnership-forum", MEETING)
    forum = meetings.fold(
        forum, meetings.decide(forum, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    )
    outsiders = set(durham.signatories) - set(
        meetings.member_organisations(durham, "partnership-forum")
    )
    assert outsiders
    with pytest.raises(DomainError, match="no seat"):
        meetings.decide(
            forum,
            meetings.RequestItem(
                item="x",
                requested_by=sorted(outsiders)[0],
                requested_on=date(2022, 10, 2),
                today=date(2022, 10, 2),
            ),
        )


def test_agenda_carries_declarations_and_previous_minutes_tor_5_tor_6(
    durham: Partnership,
) -> None:
    state = scheduled(durham)
    for command in (
        meetings.RequestItem(
            item="Winter plan", requested_by="dcc", requested_on=MEETING, today=MEETING
        ),
        meetings.CloseRequests(on=date(2022, 10, 6)),
    ):
        state = meetings.fold(state, meetings.decide(state, command))
    events = meetings.decide(state, meetings.IssueAgenda(on=date(2022, 10, 12)))
    issued = events[0]
    assert isinstance(issued, AgendaIssued)
    assert issued.items == () and issued.any_other_business == ("Winter plan",)
    lines = agenda_lines(issued.items, issued.any_other_business, issued.minutes_for_approval_of)
    assert lines[1] == "2. Declarations of interest: members confirm the register"
    assert lines[2] == "3. Minutes of the meeting of 15 September 2022, for approval"
    assert "Winter plan" in lines[-1]
    body = next(e for e in events if isinstance(e, NoticeIssued)).body
    assert "Declarations of interest" in body and "§" not in body


def agenda_issued(durham: Partnership) -> meetings.MeetingState:
    state = scheduled(durham)
    for command in (
        meetings.CloseRequests(on=date(2022, 10, 6)),
        meetings.IssueAgenda(on=date(2022, 10, 12)),
    ):
        state = meetings.fold(state, meetings.decide(state, command))
    return state


def test_minutes_approved_at_the_meeting_go_to_every_partner_tor_5(durham: Partnership) -> None:
    state = agenda_issued(durham)
    with pytest.raises(DomainError, match="approved at the meeting"):
        meetings.decide(
            state,
            meetings.ApproveMinutes(
                approved_on=date(2022, 10, 14), reference="m", today=date(2022, 10, 14)
            ),
        )
    events = meetings.decide(
        state, meetings.ApproveMinutes(approved_on=MEETING, reference="CDCPE/22/09", today=MEETING)
    )
    approved = events[0]
    assert isinstance(approved, MinutesApproved) and approved.minutes_of == date(2022, 9, 15)
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    assert [n.recipient for n in notices] == list(durham.signatories)
    assert {n.kind for n in notices} == {NoticeKind.MINUTES}
    state = meetings.fold(state, events)
    with pytest.raises(DomainError, match="already approved"):
        meetings.decide(
            state, meetings.ApproveMinutes(approved_on=MEETING, reference="x", today=MEETING)
        )
    closed = meetings.decide(state, meetings.CloseCycle(on=MEETING))
    assert closed == [
        MeetingCycleClosed(
            partnership="county-durham",
            body="cdcpe",
            meeting_on=MEETING,
            closed_on=MEETING,
            minutes_approved=True,
        )
    ]


def test_too_late_to_issue_the_agenda_in_time_is_refused_tor_5(durham: Partnership) -> None:
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    with pytest.raises(DomainError, match="3 days before"):
        meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 13)))


# ------------------------------------------------------------------ P6 declarations


def opened(durham: Partnership, kind: decl.RoundKind) -> decl.DeclarationsState:
    state = decl.initial_state(durham, "cdcpe", kind)
    return decl.fold(state, decl.decide(state, decl.RequestDeclarations(on=date(2023, 4, 1))))


def test_annual_declaration_asks_every_seat_tor_6_mou_23(durham: Partnership) -> None:
    state = decl.initial_state(durham, "cdcpe", "annual")
    events = decl.decide(state, decl.RequestDeclarations(on=date(2023, 4, 1)))
    requested = events[0]
    assert isinstance(requested, DeclarationsRequested)
    assert requested.seats == tuple(m.seat for m in durham.body("cdcpe").members)
    assert requested.return_by == date(2023, 4, 29)
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    assert {n.kind for n in notices} == {NoticeKind.DECLARATION_REQUEST}
    # Each seat is named by its role, not its slug, in the letter to its organisation.
    roles = {m.seat: m.role for m in durham.body("cdcpe").members}
    named = {s for n in notices for s in requested.seats if roles[s] in n.body}
    assert named == set(requested.seats)
    assert not any(s in n.body for n in notices for s in requested.seats)


def test_round_closes_naming_those_outstanding(durham: Partnership) -> None:
    state = opened(durham, "annual")
    seat = state.seats[0]
    state = decl.fold(
        state,
        decl.decide(
            state,
            decl.ReturnDeclaration(seat=seat, returned_on=date(2023, 4, 3), today=date(2023, 4, 3)),
        ),
    )
    with pytest.raises(DomainError, match="already returned"):
        decl.decide(
            state,
            decl.ReturnDeclaration(seat=seat, returned_on=date(2023, 4, 4), today=date(2023, 4, 4)),
        )
    with pytest.raises(DomainError, match="not a seat"):
        decl.decide(
            state,
            decl.ReturnDeclaration(
                seat="nobody", returned_on=date(2023, 4, 4), today=date(2023, 4, 4)
            ),
        )
    [closed] = decl.decide(state, decl.CloseRound(on=date(2023, 4, 30)))
    assert isinstance(closed, DeclarationsRoundClosed)
    assert closed.outstanding == state.seats[1:]
    assert isinstance(
        decl.decide(
            opened(durham, "annual"),
            decl.ReturnDeclaration(seat=seat, returned_on=date(2023, 4, 1), today=date(2023, 4, 1)),
        )[0],
        DeclarationReturned,
    )


def test_review_sets_the_next_six_monthly_review_tor_6(durham: Partnership) -> None:
    state = opened(durham, "review")
    events = decl.decide(
        state, decl.RecordReview(reviewed_on=date(2023, 4, 20), today=date(2023, 4, 20))
    )
    reviewed = events[0]
    assert isinstance(reviewed, DeclarationsReviewed)
    assert reviewed.next_review_due_on == date(2023, 10, 20)
    assert isinstance(events[1], DeclarationsRoundClosed)
    with pytest.raises(DomainError, match="no formal review"):
        decl.decide(
            opened(durham, "annual"),
            decl.RecordReview(reviewed_on=date(2023, 4, 20), today=date(2023, 4, 20)),
        )


def test_declaration_calendars_annual_and_six_monthly_tor_6() -> None:
    assert decl.round_calendar("annual").months == (decl.ANNUAL_MONTH,)
    review = decl.round_calendar("review").months
    assert len(review) == 2 and review[1] - review[0] == 6


def test_only_bodies_with_a_register_have_rounds_tor_6(durham: Partnership) -> None:
    assert decl.registers(durham) == ("cdcpe",)
    with pytest.raises(DomainError, match="no register"):
        decl.initial_state(durham, "partnership-forum", "annual")
    assert decl.registers(load_partnership("nenc-ics")) == ()


# ------------------------------------------------------------------ set, moved, attended (P5.8-9)

EASTER_THURSDAY = date(2027, 4, 1)


def cycle_for_easter(durham: Partnership) -> meetings.MeetingState:
    state = meetings.initial_state(durham, "cdcpe", date(2027, 4, 15))
    return meetings.fold(
        state, meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2027, 3, 1)))
    )


def set_on(held_on: date, today: date = date(2027, 3, 1)) -> meetings.SetMeeting:
    return meetings.SetMeeting(
        held_on=held_on, starts_at=time(14), venue="County Hall, Durham", today=today
    )


def test_a_meeting_set_after_easter_takes_its_agenda_deadline_past_both_bank_holidays(
    durham: Partnership,
) -> None:
    """Set for Thursday 1 April 2027: the agenda by Wednesday 24 March, three working days
    clear of Good Friday and Easter Monday; members told when, where and by when (ToR §5)."""
    state = cycle_for_easter(durham)
    arranged, *notices = meetings.decide(state, set_on(EASTER_THURSDAY))
    assert isinstance(arranged, MeetingArranged)
    assert (arranged.agenda_issue_by, arranged.agenda_requests_due_on) == (
        date(2027, 3, 24),
        date(2027, 3, 19),
    )
    assert arranged.deadline_citations[1].startswith("2027-03-24: 3 working days before")
    assert [n.recipient for n in notices if isinstance(n, NoticeIssued)] == list(
        meetings.member_organisations(durham, "cdcpe")
    )
    assert all(isinstance(n, NoticeIssued) and "14:00 (Europe/London" in n.body for n in notices)
    after = meetings.fold(state, [arranged, *notices])
    assert after.held_on == EASTER_THURSDAY and after.agenda_issue_by == date(2027, 3, 24)


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (set_on(date(2027, 3, 1)), "must be after today"),
        (set_on(date(2027, 3, 4)), "too close"),
        (
            meetings.SetMeeting(held_on=EASTER_THURSDAY, starts_at=time(9), today=date(2027, 3, 1)),
            "a venue, an online link, or both",
        ),
        (
            meetings.SetMeeting(
                held_on=EASTER_THURSDAY,
                starts_at=time(9),
                link="http://meet.example.org",
                today=date(2027, 3, 1),
            ),
            "does not start with https://",
        ),
        (
            meetings.MoveMeeting(
                held_on=EASTER_THURSDAY,
                starts_at=time(9),
                venue="x",
                reason="r",
                today=date(2027, 3, 1),
            ),
            "not set yet",
        ),
        (
            meetings.RecordAttendance(present=("icb-medical-director",), today=date(2027, 3, 1)),
            "cannot record attendance",
        ),
    ],
)
def test_bad_arrangements_are_refused_naming_why(
    durham: Partnership, command: meetings.MeetingCommand, refusal: str
) -> None:
    with pytest.raises(DomainError, match=refusal):
        meetings.decide(cycle_for_easter(durham), command)


def test_a_meeting_is_set_once_then_moved_with_a_reason(durham: Partnership) -> None:
    state = cycle_for_easter(durham)
    state = meetings.fold(state, meetings.decide(state, set_on(EASTER_THURSDAY)))
    with pytest.raises(DomainError, match="already set for 1 April 2027 at 14:00"):
        meetings.decide(state, set_on(date(2027, 4, 8)))
    move = meetings.MoveMeeting(
        held_on=date(2027, 4, 8),
        starts_at=time(10),
        venue="County Hall, Durham",
        reason="Easter week",
        today=date(2027, 3, 2),
    )
    moved, *notices = meetings.decide(state, move)
    assert isinstance(moved, MeetingArranged) and moved.moved_from == EASTER_THURSDAY
    assert all(
        isinstance(n, NoticeIssued) and "moved" in n.subject and "Easter week" in n.body
        for n in notices
    )


def attended(durham: Partnership, held_on: date) -> meetings.MeetingState:
    """The Easter meeting with its agenda issued, on the day it is held."""
    state = cycle_for_easter(durham)
    for command in (
        set_on(held_on),
        meetings.CloseRequests(on=date(2027, 3, 20)),
        meetings.IssueAgenda(on=date(2027, 3, 24)),
    ):
        state = meetings.fold(state, meetings.decide(state, command))
    return state


def test_three_members_and_a_deputy_are_quorate_and_three_alone_approve_nothing(
    durham: Partnership,
) -> None:
    """CDCPE ToR §10: four members or their deputies, across health and social care."""
    state = attended(durham, EASTER_THURSDAY)
    present = ("icb-medical-director", "cddft-chief-executive", "dcc-director-adults-health")
    four = meetings.RecordAttendance(
        present=(*present, "tewv-chief-executive"),
        by_deputy=("tewv-chief-executive",),
        today=EASTER_THURSDAY,
    )
    (recorded,) = meetings.decide(state, four)
    assert isinstance(recorded, AttendanceRecorded) and recorded.quorate
    assert recorded.quorum == "quorate" and len(recorded.counted) == 4

    three = meetings.RecordAttendance(present=present, today=EASTER_THURSDAY)
    (short,) = meetings.decide(state, three)
    assert isinstance(short, AttendanceRecorded) and not short.quorate
    state = meetings.fold(state, [short])
    approve = meetings.ApproveMinutes(
        approved_on=EASTER_THURSDAY, reference="CDCPE/1", today=EASTER_THURSDAY
    )
    with pytest.raises(DomainError, match="was not quorate"):
        meetings.decide(state, approve)


@pytest.mark.parametrize(
    ("present", "by_deputy", "apologies", "refusal"),
    [
        (("icb-medical-director",), ("cddft-chief-executive",), (), "sent a deputy but is not"),
        (("icb-medical-director",), (), ("icb-medical-director",), "both as present"),
        (("nobody",), (), (), "'nobody' is not a seat on cdcpe"),
        (("icb-medical-director",), (), ("nobody",), "nobody is not a seat on cdcpe"),
        ((), (), (), "at least one seat present"),
    ],
)
def test_attendance_that_does_not_add_up_is_refused(
    durham: Partnership,
    present: tuple[str, ...],
    by_deputy: tuple[str, ...],
    apologies: tuple[str, ...],
    refusal: str,
) -> None:
    command = meetings.RecordAttendance(
        present=present, by_deputy=by_deputy, apologies=apologies, today=EASTER_THURSDAY
    )
    with pytest.raises(DomainError, match=refusal):
        meetings.decide(attended(durham, EASTER_THURSDAY), command)
