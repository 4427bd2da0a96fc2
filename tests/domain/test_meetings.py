"""The meeting cycle (P5) and declarations rounds (P6), pure: CDCPE ToR §4-§6,
MoU §11, §23; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU §17, §20."""

from datetime import date

import pytest

from domain import declarations as decl, meetings
from domain.errors import DomainError, UnknownOrganisationError
from domain.events import (
    AgendaIssued,
    AgendaItemRequested,
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
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
    assert first.agenda_requests_due_on == date(2022, 10, 5)
    assert first.agenda_issue_by == date(2022, 10, 12)
    assert first.minutes_for_approval_of == date(2022, 9, 15)


def test_call_for_items_goes_to_each_member_organisation_once_tor_5(durham: Partnership) -> None:
    state = meetings.initial_state(durham, "cdcpe", MEETING)
    events = meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    recipients = [n.recipient for n in notices]
    assert recipients == list(meetings.member_organisations(durham, "cdcpe"))
    assert len(set(recipients)) == len(recipients) and "icb" in recipients
    assert {n.kind for n in notices} == {NoticeKind.AGENDA_REQUEST}
    assert all(n.respond_by == date(2022, 10, 5) for n in notices)
    assert "at least 10 days before the meeting" in notices[0].body


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
            requested_on=date(2022, 10, 5),
            today=date(2022, 10, 5),
        ),
    )
    late = meetings.decide(
        state,
        meetings.RequestItem(
            item="Urgent care update",
            requested_by="dcc",
            requested_on=date(2022, 10, 6),
            today=date(2022, 10, 6),
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
    assert "Declarations of interest" in body and "CDCPE ToR §6" in body


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
    named = {s for n in notices for s in requested.seats if s in n.body}
    assert named == set(requested.seats)


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
