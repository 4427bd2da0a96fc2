"""The forward plan (docs/rules.md P5.10): key decisions in the next 28 clear days, pure."""

from datetime import date, time, timedelta

from domain.events import (
    AgendaItemRequested,
    DomainEvent,
    ExitNotified,
    ExitWithdrawn,
    MeetingArranged,
    MeetingCancelled,
    MeetingScheduled,
    MilestonePlanned,
    MilestoneReplanned,
    MouEffective,
)
from domain.forward_plan import forward_plan
from domain.partnership import Partnership

TODAY = date(2027, 3, 1)
LAST = TODAY + timedelta(days=29)
"""28 clear days after today: the last day the plan must show."""
SLUG = "county-durham"


def scheduled(meeting_on: date, body: str = "cdcpe") -> MeetingScheduled:
    return MeetingScheduled(
        partnership=SLUG,
        body=body,
        meeting_on=meeting_on,
        scheduled_on=TODAY,
        agenda_requests_due_on=meeting_on - timedelta(days=11),
        agenda_issue_by=meeting_on - timedelta(days=4),
    )


def arranged(meeting_on: date, held_on: date) -> MeetingArranged:
    return MeetingArranged(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=meeting_on,
        arranged_on=TODAY,
        held_on=held_on,
        starts_at=time(14),
        venue="County Hall",
        agenda_requests_due_on=held_on - timedelta(days=11),
        agenda_issue_by=held_on - timedelta(days=4),
    )


def item(meeting_on: date, name: str, aob: bool = False) -> AgendaItemRequested:
    return AgendaItemRequested(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=meeting_on,
        item=name,
        requested_by="dcc",
        requested_on=TODAY,
        any_other_business=aob,
    )


def test_the_plan_shows_what_falls_after_today_up_to_28_clear_days_ahead(
    county_durham: Partnership,
) -> None:
    in_window, moved_out, cancelled = date(2027, 3, 15), date(2027, 3, 20), date(2027, 3, 25)
    events: list[DomainEvent] = [
        scheduled(in_window),
        item(in_window, "Winter plan"),
        item(in_window, "Late item", aob=True),
        scheduled(moved_out),
        arranged(moved_out, LAST + timedelta(days=1)),
        scheduled(cancelled),
        MeetingCancelled(
            partnership=SLUG, body="cdcpe", meeting_on=cancelled, cancelled_on=TODAY, reason="x"
        ),
        MouEffective(
            partnership=SLUG, effective_on=date(2026, 3, 30), version=1, review_due_on=LAST
        ),
        ExitNotified(
            partnership=SLUG,
            exit_id="e1",
            organisation="tewv",
            notified_on=TODAY,
            effective_on=date(2027, 3, 10),
            signatory_name="A. Name",
            recipients=("icb",),
        ),
        ExitNotified(
            partnership=SLUG,
            exit_id="e2",
            organisation="hdft",
            notified_on=TODAY,
            effective_on=date(2027, 3, 11),
            signatory_name="A. Name",
            recipients=("icb",),
        ),
        ExitWithdrawn(partnership=SLUG, exit_id="e2", organisation="hdft", withdrawn_on=TODAY),
        MilestonePlanned(
            partnership=SLUG,
            committee_id="jc",
            milestone_id="m1",
            title="Shadow form",
            owner="icb",
            target_on=date(2027, 6, 1),
            clause="DCC Cabinet 2022 §6(b)",
        ),
        MilestoneReplanned(
            partnership=SLUG,
            committee_id="jc",
            milestone_id="m1",
            previous_target_on=date(2027, 6, 1),
            new_target_on=date(2027, 3, 12),
            replanned_on=TODAY,
            reason="brought forward",
        ),
        scheduled(TODAY),
    ]
    plan = forward_plan(county_durham, events, TODAY)
    assert plan.until == LAST == date(2027, 3, 30)
    assert [(d.on, d.by) for d in plan.decisions] == [
        (date(2027, 3, 10), "tewv"),
        (date(2027, 3, 12), "icb"),
        (in_window, "cdcpe"),
        (LAST, SLUG),
    ]
    meeting = plan.decisions[2]
    assert "Winter plan" in meeting.what and "Late item" not in meeting.what
