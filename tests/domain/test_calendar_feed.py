"""What a partnership's calendar holds (docs/rules.md P8), folded from recorded events, pure."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from domain.calendar_feed import CalendarItem, Recorded, calendar_of, for_body
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    DeclarationsRequested,
    DomainEvent,
    EscalationClimbed,
    EscalationRaised,
    EscalationResolved,
    ExitNotified,
    ExitWithdrawn,
    MeetingArranged,
    MeetingCancelled,
    MeetingScheduled,
    MilestonePlanned,
    MilestoneReplanned,
    MouEffective,
    NoticeAcknowledged,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
)
from domain.events.escalation import ActionKind, ClimbReason, EscalationReason
from domain.partnership import Partnership
from domain.streams import declarations_stream, escalation_stream, exit_stream, meeting_stream

SLUG = "county-durham"
NOMINAL = date(2027, 7, 15)
MEETING = meeting_stream(SLUG, "cdcpe", NOMINAL)
EXIT = exit_stream(SLUG, "tewv", date(2027, 3, 1))
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def recorded(*events: tuple[str, DomainEvent]) -> Iterator[Recorded]:
    """Each event in its stream, recorded an hour after the one before."""
    for n, (stream, event) in enumerate(events):
        yield Recorded(stream=stream, recorded_at=START + timedelta(hours=n), event=event)


def scheduled(body: str = "cdcpe") -> MeetingScheduled:
    return MeetingScheduled(
        partnership=SLUG,
        body=body,
        meeting_on=NOMINAL,
        scheduled_on=date(2027, 7, 1),
        agenda_requests_due_on=date(2027, 7, 5),
        agenda_issue_by=date(2027, 7, 12),
    )


def arranged(held_on: date, starts_at: time, moved_from: date | None = None) -> MeetingArranged:
    return MeetingArranged(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=NOMINAL,
        arranged_on=date(2027, 7, 2),
        held_on=held_on,
        starts_at=starts_at,
        venue="County Hall, Durham",
        moved_from=moved_from,
        reason="the chair is away" if moved_from else None,
        agenda_requests_due_on=held_on - timedelta(days=10),
        agenda_issue_by=held_on - timedelta(days=3),
    )


def meeting_notice(stream: str, process: ProcessKind = ProcessKind.MEETING) -> NoticeIssued:
    return NoticeIssued(
        partnership=SLUG,
        process=process,
        process_id=stream,
        notice_id=f"{stream}:notice:dcc",
        kind=NoticeKind.MEETING_NOTICE,
        recipient="dcc",
        issued_on=date(2027, 7, 2),
        subject="Meeting",
        body="Text",
        content_hash="0" * 64,
    )


def by_key(items: tuple[CalendarItem, ...]) -> dict[str, CalendarItem]:
    return {i.entry.key: i for i in items}


def test_a_moved_meeting_keeps_its_key_and_counts_each_change(county_durham: Partnership) -> None:
    items = by_key(
        calendar_of(
            county_durham,
            recorded(
                (MEETING, scheduled()),
                (MEETING, arranged(NOMINAL, time(14))),
                (MEETING, meeting_notice(MEETING)),
                (MEETING, arranged(date(2027, 7, 20), time(10), moved_from=NOMINAL)),
            ),
        )
    )
    meeting = items[MEETING]
    assert (meeting.entry.on, meeting.entry.starts_at) == (date(2027, 7, 20), time(10))
    # Scheduled, set, (a notice: no change), moved: two changes after it first appeared.
    assert meeting.sequence == 2
    assert meeting.created == START
    assert meeting.last_modified == START + timedelta(hours=3)
    assert meeting.entry.location == "County Hall, Durham"
    assert "20 July 2027" in meeting.entry.description
    assert "10:00 at County Hall, Durham" in meeting.entry.description
    # Setting the meeting on its nominal day left the deadline alone; moving it moved it.
    requests = items[f"{MEETING}:agenda-requests"]
    assert requests.entry.on == date(2027, 7, 10) and requests.sequence == 1
    assert items[f"{MEETING}:agenda-issue"].entry.on == date(2027, 7, 17)


def test_a_cancelled_meeting_stays_in_the_calendar_marked_cancelled(
    county_durham: Partnership,
) -> None:
    cancelled = MeetingCancelled(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=NOMINAL,
        cancelled_on=date(2027, 7, 3),
        reason="no business",
    )
    items = calendar_of(
        county_durham,
        recorded(
            (MEETING, scheduled()), (MEETING, arranged(NOMINAL, time(14))), (MEETING, cancelled)
        ),
    )
    assert [(i.entry.kind, i.entry.cancelled, i.sequence) for i in items] == [
        ("deadline", True, 1),
        ("deadline", True, 1),
        ("meeting", True, 2),
    ]
    assert "cancelled" in items[-1].entry.summary


def test_the_partnerships_own_dates_come_with_plain_words(county_durham: Partnership) -> None:
    notified = ExitNotified(
        partnership=SLUG,
        exit_id="tewv-2027",
        organisation="tewv",
        notified_on=date(2027, 3, 1),
        effective_on=date(2027, 9, 1),
        signatory_name="A Person",
        recipients=("dcc",),
    )
    notice = meeting_notice(EXIT, ProcessKind.EXIT).model_copy(
        update={"kind": NoticeKind.EXIT_NOTICE, "respond_by": date(2027, 3, 15)}
    )
    acknowledged = NoticeAcknowledged(
        partnership=SLUG,
        exit_id="tewv-2027",
        recipient="dcc",
        acknowledged_on=date(2027, 3, 4),
        acknowledged_by="B Person",
    )
    withdrawn = ExitWithdrawn(
        partnership=SLUG, exit_id="tewv-2027", organisation="tewv", withdrawn_on=date(2027, 3, 9)
    )
    committee = f"committee:{SLUG}:joint-committee"
    planned = MilestonePlanned(
        partnership=SLUG,
        committee_id="joint-committee",
        milestone_id="terms",
        title="agree the terms of reference",
        owner="dcc",
        target_on=date(2027, 5, 1),
        clause="000 MoU §1",
    )
    replanned = MilestoneReplanned(
        partnership=SLUG,
        committee_id="joint-committee",
        milestone_id="terms",
        previous_target_on=date(2027, 5, 1),
        new_target_on=date(2027, 6, 1),
        replanned_on=date(2027, 4, 1),
        reason="guidance awaited",
    )
    effective = MouEffective(
        partnership=SLUG, effective_on=date(2027, 1, 4), version=1, review_due_on=date(2028, 1, 4)
    )
    items = by_key(
        calendar_of(
            county_durham,
            recorded(
                (f"partnership:{SLUG}", effective),
                (EXIT, notified),
                (EXIT, notice),
                (EXIT, acknowledged),
                (EXIT, withdrawn),
                (committee, planned),
                (committee, replanned),
            ),
        )
    )
    leaving = items[f"{EXIT}:effective"]
    assert leaving.entry.on == date(2027, 9, 1) and leaving.entry.cancelled
    assert leaving.entry.summary == (
        "Tees, Esk and Wear Valleys NHS Foundation Trust leaves County Durham Care Partnership "
        "(withdrawn)"
    )
    assert leaving.entry.page == f"/processes/{EXIT}"
    acknowledgement = items[f"{EXIT}:acknowledgement:dcc"]
    assert acknowledgement.entry.on == date(2027, 3, 15)
    assert "Acknowledged on 4 March 2027" in acknowledgement.entry.description
    assert acknowledgement.sequence == 2 and acknowledgement.entry.cancelled
    milestone = items[f"{committee}:milestone:terms"]
    assert (milestone.entry.on, milestone.sequence) == (date(2027, 6, 1), 1)
    assert items[f"partnership:{SLUG}:review-due"].entry.on == date(2028, 1, 4)
    for item in items.values():
        said = f"{item.entry.summary} {item.entry.description}"
        assert ":" not in said.replace(": ", " ") and "§" not in said, said
        assert "tewv" not in said and "joint-committee" not in said, said


def test_a_body_calendar_holds_only_that_bodys_entries(county_durham: Partnership) -> None:
    board = meeting_stream(SLUG, "acute-care-board", NOMINAL)
    round_id = declarations_stream(SLUG, "cdcpe", "annual", date(2027, 4, 1))
    requested = DeclarationsRequested(
        partnership=SLUG,
        body="cdcpe",
        round_id=round_id,
        kind="annual",
        requested_on=date(2027, 4, 1),
        return_by=date(2027, 4, 29),
        seats=("dcc-director-adults-health",),
    )
    items = calendar_of(
        county_durham,
        recorded(
            (MEETING, scheduled()),
            (board, scheduled("acute-care-board")),
            (round_id, requested),
            (
                f"partnership:{SLUG}",
                MouEffective(
                    partnership=SLUG,
                    effective_on=date(2027, 1, 4),
                    version=1,
                    review_due_on=date(2028, 1, 4),
                ),
            ),
        ),
    )
    assert len(items) == 8
    cdcpe = for_body(items, "cdcpe")
    assert {i.entry.key for i in cdcpe} == {
        MEETING,
        f"{MEETING}:agenda-requests",
        f"{MEETING}:agenda-issue",
        f"{round_id}:return-by",
    }
    assert all(i.entry.starts_at is None for i in cdcpe)  # not yet set: all-day entries


def test_an_escalations_deadlines_and_actions_follow_it_up_the_ladder(
    county_durham: Partnership,
) -> None:
    """P4 with P8.1: each level's response deadline falls to the body handling it; climbing
    says so on the level left; an agreed action has its due date; once resolved the level's
    deadline is off, and the entries speak plainly."""
    stream = escalation_stream(SLUG, "esc-1")
    said = "Discharge delays have not fallen."
    raised = EscalationRaised(
        partnership=SLUG,
        escalation_id="esc-1",
        raised_by="acute-care-board",
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary=said,
        raised_on=date(2027, 1, 4),
        level=1,
        respond_by=date(2027, 2, 1),
    )
    climbed = EscalationClimbed(
        partnership=SLUG,
        escalation_id="esc-1",
        from_level=1,
        to_level=2,
        climbed_on=date(2027, 2, 2),
        reason=ClimbReason.DEADLINE_PASSED,
        respond_by=date(2027, 3, 2),
    )
    action = ActionAgreed(
        partnership=SLUG,
        escalation_id="esc-1",
        action_id="a1",
        kind=ActionKind.MITIGATING_ACTION,
        description="A discharge recovery plan.",
        owner="cddft",
        due_on=date(2027, 4, 1),
        agreed_on=date(2027, 2, 20),
        level=2,
    )
    completed = ActionCompleted(
        partnership=SLUG, escalation_id="esc-1", action_id="a1", completed_on=date(2027, 3, 25)
    )
    resolved = EscalationResolved(
        partnership=SLUG,
        escalation_id="esc-1",
        level=2,
        resolved_on=date(2027, 3, 30),
        resolution="Delays fell.",
    )
    items = calendar_of(
        county_durham,
        recorded(
            (stream, raised),
            (stream, climbed),
            (stream, action),
            (stream, completed),
            (stream, resolved),
        ),
    )
    keyed = by_key(items)
    first, second = keyed[f"{stream}:level:1"], keyed[f"{stream}:level:2"]
    assert (first.entry.on, first.entry.body, first.sequence) == (
        date(2027, 2, 1),
        "acute-care-board",
        1,
    )
    assert first.entry.summary == "Escalation response due: Thematic partnership board"
    assert "Moved up the ladder on 2 February 2027, not settled." in first.entry.description
    assert not first.entry.cancelled
    assert (second.entry.on, second.entry.body) == (date(2027, 3, 2), "cdcpe")
    assert second.entry.summary == "Escalation response due: CDCP Executive"
    assert second.entry.description.endswith("Resolved on 30 March 2027.")
    assert said in second.entry.description and second.entry.cancelled
    plan = keyed[f"{stream}:action:a1"]
    assert (plan.entry.on, plan.sequence) == (date(2027, 4, 1), 1)
    assert plan.entry.description.endswith("Completed on 25 March 2027.")
    assert [i.entry.key for i in for_body(items, "cdcpe")] == [f"{stream}:level:2"]
    for item in items:
        words = f"{item.entry.summary} {item.entry.description}"
        assert "esc-1" not in words and "cdcpe" not in words and "cddft" not in words, words
        assert item.entry.page == f"/processes/{stream}"
