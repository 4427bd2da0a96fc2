"""Mid and South Essex as its own documents have it, beside County Durham's scenario (issue 14's
"done when"), pure: the Board's and the Delivery Group's deadlines around Christmas and Easter,
each citing the policy the file declares where the MoU is silent (MSE MoU 2020 §6.3, §6.5,
§6.16); the Board's quorum with a deputy; no register of interests, since the MoU asks for none;
the forward plan's next 28 clear days (docs/rules.md P5.7, P5.9, P5.10, P5.12, P6.3)."""

from datetime import date, time, timedelta

import pytest

from domain.aggregates.partnership import UpdateInterests, decide, initial_state
from domain.declarations import registers
from domain.errors import DomainError
from domain.events import (
    AgendaItemRequested,
    DomainEvent,
    ExitNotified,
    MeetingArranged,
    MeetingScheduled,
)
from domain.forward_plan import forward_plan
from domain.meetings import meeting_deadlines
from domain.partnership import Partnership
from domain.registers import register_of
from domain.rules.quorum import Attendance, QuorumStatus, assess_quorum
from workflows.schedule_plan import planned_schedules

SLUG = "mid-south-essex"

DEADLINES = [
    # (body, meeting, requests by, agenda by): the Board gives 10 and 5 clear days (a meeting
    # in public), the Delivery Group 10 clear and 3 working days; a date on a bank holiday or
    # a weekend moves back to the working day before.
    # New Year's Day 2027 is a Friday; 25 and 28 December 2026 are bank holidays.
    ("partnership-board", date(2027, 1, 7), date(2026, 12, 24), date(2026, 12, 31)),
    ("transformation-delivery-group", date(2027, 1, 7), date(2026, 12, 24), date(2026, 12, 31)),
    # 2028: 27 and 28 December 2027 and 3 January 2028 are the substitute days.
    ("partnership-board", date(2028, 1, 6), date(2027, 12, 24), date(2027, 12, 31)),
    ("transformation-delivery-group", date(2028, 1, 6), date(2027, 12, 24), date(2027, 12, 30)),
    # Good Friday 26 March 2027, Easter Monday 29 March.
    ("partnership-board", date(2027, 4, 1), date(2027, 3, 19), date(2027, 3, 25)),
    ("transformation-delivery-group", date(2027, 4, 1), date(2027, 3, 19), date(2027, 3, 24)),
]


@pytest.mark.parametrize(("body", "held_on", "requests_by", "agenda_by"), DEADLINES)
def test_mse_deadlines_fall_on_working_days_around_christmas_and_easter(
    mid_south_essex: Partnership, body: str, held_on: date, requests_by: date, agenda_by: date
) -> None:
    requests, agenda = meeting_deadlines(mid_south_essex, body, held_on)
    assert (requests.on, agenda.on) == (requests_by, agenda_by)
    for deadline in (requests, agenda):
        assert deadline.on.weekday() < 5
        assert deadline.on not in mid_south_essex.bank_holidays.days
        # Policy, saying so, and the clause that leaves it to policy; never County Durham's.
        assert "(policy; MSE MoU 2020 §6." in deadline.citation
        assert "CDCPE" not in deadline.citation


def test_the_board_is_quorate_with_eleven_members_and_a_deputy_is_not_counted(
    mid_south_essex: Partnership,
) -> None:
    board = mid_south_essex.body("partnership-board")
    voting = [m.seat for m in board.voting_members]
    assert "independent-chair" not in voting and len(voting) == 21
    eleven = [Attendance(seat=s) for s in voting[:11]]
    deputy = Attendance(seat=voting[11], deputy=True)
    quorate = assess_quorum(board, [*eleven, deputy])
    assert quorate.status is QuorumStatus.QUORATE and len(quorate.counted) == 11
    assert quorate.not_counted == (
        f"{voting[11]} sent a deputy, which partnership-board does not allow",
    )
    short = assess_quorum(board, [*eleven[:10], deputy])
    assert short.status is QuorumStatus.NOT_QUORATE
    assert short.explanation == "10 of the 11 members needed are present"


def test_mse_keeps_no_register_of_interests_as_its_mou_asks_for_none(
    mid_south_essex: Partnership,
) -> None:
    assert registers(mid_south_essex) == ()
    assert {p.process for p in planned_schedules(mid_south_essex)} == {"meeting"}
    with pytest.raises(DomainError, match="partnership-board of mid-south-essex keeps no register"):
        register_of(mid_south_essex, "partnership-board", [])
    update = UpdateInterests(
        body="partnership-board", seat="eput", updated_on=date(2027, 1, 4), today=date(2027, 1, 4)
    )
    with pytest.raises(DomainError, match="keeps no register of interests"):
        decide(initial_state(mid_south_essex), update)


def test_the_mse_forward_plan_lists_the_next_28_clear_days(mid_south_essex: Partnership) -> None:
    today = date(2027, 3, 1)
    last = today + timedelta(days=29)
    board_on, group_on, later_on = date(2027, 3, 18), date(2027, 3, 30), date(2027, 4, 15)

    def scheduled(body: str, meeting_on: date) -> MeetingScheduled:
        requests, agenda = meeting_deadlines(mid_south_essex, body, meeting_on)
        return MeetingScheduled(
            partnership=SLUG,
            body=body,
            meeting_on=meeting_on,
            scheduled_on=today,
            agenda_requests_due_on=requests.on,
            agenda_issue_by=agenda.on,
        )

    events: list[DomainEvent] = [
        scheduled("partnership-board", board_on),
        AgendaItemRequested(
            partnership=SLUG,
            body="partnership-board",
            meeting_on=board_on,
            item="NHS capital priorities 2027/28",
            requested_by="essex-cc",
            requested_on=today,
            any_other_business=False,
        ),
        scheduled("transformation-delivery-group", group_on),
        scheduled("partnership-board", later_on),
        # Set for a day past the window: it leaves the plan.
        scheduled("transformation-delivery-group", date(2027, 3, 9)),
        MeetingArranged(
            partnership=SLUG,
            body="transformation-delivery-group",
            meeting_on=date(2027, 3, 9),
            arranged_on=today,
            held_on=last + timedelta(days=1),
            starts_at=time(10),
            link="https://meet.example.org/tdg",
            agenda_requests_due_on=date(2027, 3, 19),
            agenda_issue_by=date(2027, 3, 25),
        ),
        ExitNotified(
            partnership=SLUG,
            exit_id="exit:mid-south-essex:uclp:2027-01-04",
            organisation="uclp",
            notified_on=date(2027, 1, 4),
            effective_on=last,
            signatory_name="A. Name",
            recipients=("essex-cc",),
        ),
    ]
    plan = forward_plan(mid_south_essex, events, today)
    assert plan.until == last == date(2027, 3, 30)
    assert [(d.on, d.by) for d in plan.decisions] == [
        (board_on, "partnership-board"),
        (group_on, "transformation-delivery-group"),
        (last, "uclp"),
    ]
    assert "NHS capital priorities 2027/28" in plan.decisions[0].what
