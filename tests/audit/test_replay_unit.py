"""The replay folds recorded events "as of" a date, without a database or Temporal."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from audit.replay import (
    GovernanceReport,
    Replay,
    counted,
    governance_on,
    known_by,
    occurred_on,
    recorded_on,
    replay,
    stream_kind,
)
from eventstore.models import RecordedEvent
from tests.audit.story import CONFIG, EXIT_STREAM, SIGNED, county_durham_story, recorded_story

EVENTS = recorded_story(county_durham_story())


def at(day: str) -> GovernanceReport:
    return replay(CONFIG, EVENTS, date.fromisoformat(day))


def test_before_anything_nothing_is_signed() -> None:
    report = at("2022-07-31")
    assert report.events_applied == 0 and report.last_position == 0
    assert report.mou_version == 0 and report.effective_on is None
    assert report.review_due_on is None
    assert report.outstanding_signatures == CONFIG.signatories
    assert all(s.signed_on is None for s in report.signatories)


def test_signatures_count_on_the_day_they_were_signed() -> None:
    report = at("2022-08-12")
    signed = [s.organisation for s in report.signatories if s.signed_on is not None]
    assert signed == ["icb", "dcc", "cddft", "tewv", "hdft"]
    assert report.effective_on is None and report.mou_version == 0
    assert at("2022-08-11").signatories[4].signed_on is None


def test_each_signature_says_who_recorded_it_and_that_its_signature_verifies() -> None:
    report = at("2022-08-12")
    tewv = next(s for s in report.signatories if s.organisation == "tewv")
    assert tewv.recorded_by == (
        "Dev Representative of Tees, Esk and Wear Valleys NHS Foundation Trust "
        "<dev.rep.tewv@county-durham.example> (representative of tewv; web) (signed)"
    )
    assert next(s for s in report.signatories if s.organisation == "pcns").recorded_by is None


def test_the_mou_takes_effect_with_the_last_signature() -> None:
    report = at("2022-08-23")
    assert report.outstanding_signatures == ()
    assert {s.organisation: s.signed_on for s in report.signatories} == SIGNED
    assert report.mou_version == 1
    assert report.effective_on == date(2022, 8, 23)
    assert report.review_due_on == date(2023, 8, 23)
    assert at("2022-08-22").effective_on is None


def test_the_escalation_climbs_then_is_resolved() -> None:
    assert at("2022-10-02").open_escalations == ()
    (raised,) = at("2022-10-10").open_escalations
    assert (raised.level, raised.stage) == (1, "Thematic partnership board")
    assert raised.raised_by == "acute-care-board" and raised.respond_by == date(2022, 10, 31)
    (climbed,) = at("2022-10-20").open_escalations
    assert (climbed.level, climbed.stage) == (2, "CDCP Executive")
    assert climbed.open_actions == ()
    (acting,) = at("2022-10-24").open_escalations
    assert acting.open_actions == ("a1",)
    assert at("2022-11-28").open_escalations[0].open_actions == ()
    assert at("2022-12-05").open_escalations == ()


def test_committee_milestones_met_open_slipped_and_replanned() -> None:
    def statuses(day: str) -> dict[str, str]:
        (formation,) = at(day).committees
        return {m.milestone_id: m.status for m in formation.milestones}

    assert at("2022-09-13").committees == ()
    assert statuses("2022-09-14")["preferred-option"] == "met"
    assert statuses("2022-09-14")["co-production"] == "planned"
    assert statuses("2022-10-27")["shadow-form"] == "planned"
    assert statuses("2022-10-28")["shadow-form"] == "met"
    assert statuses("2023-01-03")["functions-identified"] == "slipped"
    assert statuses("2023-01-10")["functions-identified"] == "replanned"
    (formation,) = at("2023-01-10").committees
    assert formation.status == "forming"


def test_an_exit_is_open_until_it_takes_effect() -> None:
    before = at("2023-01-08")
    assert before.open_exits == ()
    notified = at("2023-01-09")
    (pending,) = notified.open_exits
    assert pending.exit_id == EXIT_STREAM and pending.organisation == "hdft"
    assert pending.effective_on == date(2023, 3, 31)
    assert len(pending.unacknowledged) == 7
    assert "hdft" in [s.organisation for s in notified.signatories]

    after = at("2023-03-31")
    assert after.open_exits == ()
    assert "hdft" not in [s.organisation for s in after.signatories]
    assert [d.organisation for d in after.departures] == ["hdft"]
    assert after.mou_version == 2
    for body in after.bodies:
        assert all(m.organisation != "hdft" for m in body.members), body.slug
    assert any(m.organisation == "hdft" for b in notified.bodies for m in b.members)


def test_the_review_opens_and_moves_the_review_date() -> None:
    (review,) = at("2023-07-01").open_reviews
    assert review.review_id == "2023" and len(review.awaiting) == 7
    # HDFT's exit on 31 Mar 2023 brought the review forward to within 90 days (CDCP MoU §27).
    assert at("2023-07-01").review_due_on == date(2023, 6, 29)
    concluded = at("2023-07-12")
    assert concluded.open_reviews == ()
    assert concluded.review_due_on == date(2024, 7, 12)
    assert concluded.events_applied == len(EVENTS)


def test_other_partnerships_streams_are_not_folded() -> None:
    foreign = [
        replace(e, stream_id=e.stream_id.replace("county-durham", "elsewhere")) for e in EVENTS
    ]
    report = replay(CONFIG, foreign, date(2024, 1, 1))
    assert report.events_applied == 0 and report.mou_version == 0


def test_order_is_the_logs_not_the_lists() -> None:
    assert replay(CONFIG, reversed(EVENTS), date(2024, 1, 1)) == at("2024-01-01")


@pytest.mark.parametrize(
    ("stream_id", "kind"),
    [
        ("partnership:county-durham", "partnership"),
        ("review:county-durham:2023", "review"),
        ("exit:county-durham:hdft:2023-01-09", "exit"),
        ("committee:county-durham:jc", "committee"),
        ("escalation:county-durham:e1", "escalation"),
        ("partnership:county-durham-north", None),
        ("review:county-durham-north:2023", None),
        ("meeting:county-durham:cdcpe", None),
    ],
)
def test_streams_are_routed_by_their_ids(stream_id: str, kind: str | None) -> None:
    assert stream_kind(stream_id, "county-durham") == kind


def entered_late(recorded_on: datetime) -> list[RecordedEvent]:
    """The eight signatures, all dated 23 Aug 2022, entered on `recorded_on` (issue 9)."""
    signing = [e for e in EVENTS if e.stream_id == "partnership:county-durham"][:9]
    assert [e.type for e in signing] == ["MouSigned"] * 8 + ["MouEffective"]
    return [
        replace(
            e,
            data={**e.data, "signed_on": "2022-08-23"} if e.type == "MouSigned" else e.data,
            occurred_at=recorded_on,
            recorded_at=recorded_on,
        )
        for e in signing
    ]


def test_as_of_counts_signatures_by_the_date_signed_not_the_day_entered() -> None:
    late = entered_late(datetime(2026, 11, 29, 10, tzinfo=UTC))
    report = replay(CONFIG, late, date(2022, 9, 1))
    assert report.outstanding_signatures == () and report.events_applied == 9
    assert {s.signed_on for s in report.signatories} == {date(2022, 8, 23)}
    assert report.effective_on == date(2022, 8, 23) and report.mou_version == 1
    assert replay(CONFIG, late, date(2022, 8, 22)).events_applied == 0


def test_as_known_on_shows_what_the_record_said_that_day() -> None:
    late = entered_late(datetime(2026, 11, 29, 10, tzinfo=UTC))
    yesterday = replay(CONFIG, late, date(2022, 9, 1), known_on=date(2026, 11, 28))
    assert yesterday.events_applied == 0 and yesterday.effective_on is None
    assert yesterday.as_known_on == date(2026, 11, 28)
    assert yesterday.outstanding_signatures == CONFIG.signatories
    today = replay(CONFIG, late, date(2022, 9, 1), known_on=date(2026, 11, 29))
    assert today.effective_on == date(2022, 8, 23)


def test_both_cuts_agree_when_events_are_entered_on_the_days_they_speak_of() -> None:
    for day in ("2022-08-12", "2022-10-20", "2023-01-09", "2023-07-12"):
        known = replay(CONFIG, EVENTS, date(2024, 1, 1), known_on=date.fromisoformat(day))
        assert known.model_copy(update={"as_of": at(day).as_of, "as_known_on": None}) == at(day)


def test_a_stream_waits_at_its_first_event_dated_after_the_cut() -> None:
    # A signature entered after a later-dated one: the stream's later events were decided on it.
    first, second, *_ = EVENTS
    later = replace(first, data={**first.data, "signed_on": "2022-08-20"})
    assert governance_on(later) == date(2022, 8, 20)
    assert counted([later, second], date(2022, 8, 10)) == []
    assert counted([later, second], date(2022, 8, 20)) == [later, second]


def test_an_undated_event_counts_from_the_utc_date_it_occurred() -> None:
    (planned, *_) = [e for e in EVENTS if e.type == "MilestonePlanned"]
    late = replace(
        planned, occurred_at=datetime(2022, 9, 15, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    )
    assert governance_on(late) == occurred_on(late) == date(2022, 9, 14)


def test_as_known_on_compares_the_utc_date() -> None:
    # 00:30 on 24 Aug in UTC+1 is 23:30 on 23 Aug in UTC: it was known on the 23rd.
    late = replace(
        EVENTS[0], recorded_at=datetime(2022, 8, 24, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    )
    assert recorded_on(late) == date(2022, 8, 23)
    assert replay(CONFIG, [late], date(2022, 8, 23), date(2022, 8, 23)).events_applied == 1
    assert replay(CONFIG, [late], date(2022, 8, 23), date(2022, 8, 22)).events_applied == 0
    midnight = replace(late, recorded_at=datetime(2022, 8, 24, tzinfo=UTC))
    assert replay(CONFIG, [midnight], date(2022, 8, 23), date(2022, 8, 23)).events_applied == 0


def test_a_streamed_replay_is_the_replay_and_refuses_events_out_of_order() -> None:
    """The CLI feeds events one at a time as the store streams them: the same report on every
    date of the story; an event before one already fed is refused, never folded out of order."""
    for day in ("2022-08-16", "2022-10-24", "2023-02-01", "2024-01-01"):
        streamed = Replay(CONFIG, date.fromisoformat(day))
        for recorded in EVENTS:
            streamed.feed(recorded)
        assert streamed.report() == at(day)
    streamed = Replay(CONFIG, date(2024, 1, 1))
    streamed.feed(EVENTS[1])
    with pytest.raises(ValueError, match="log order: position 1 after 2"):
        streamed.feed(EVENTS[0])


def test_the_log_is_read_up_to_the_end_of_the_day_known_on() -> None:
    """`--as-known-on` reads only the rows recorded before the next day begins (UTC), exactly
    the rows `recorded_on` keeps."""
    cut = known_by(date(2022, 8, 16))
    assert cut == datetime(2022, 8, 17, tzinfo=UTC)
    assert known_by(None) is None
    for recorded in EVENTS:
        assert (recorded.recorded_at < cut) == (recorded_on(recorded) <= date(2022, 8, 16))


def test_a_process_let_go_of_at_its_last_event_reports_the_same_and_takes_no_more() -> None:
    """Fed with each stream's last event marked, as the store reads them, the replay keeps of
    an ended process only what the report shows: the same report on every date of the story."""
    ends = {e.stream_id: e.position for e in EVENTS}
    for day in ("2022-08-16", "2022-10-24", "2023-02-01", "2024-01-01"):
        settled, whole = (
            Replay(CONFIG, date.fromisoformat(day)),
            Replay(CONFIG, date.fromisoformat(day)),
        )
        for recorded in EVENTS:
            settled.feed(recorded, last=ends[recorded.stream_id] == recorded.position)
            whole.feed(recorded)
        assert settled.report() == whole.report()
    (first_step, second_step) = [e for e in EVENTS if e.stream_id == EXIT_STREAM][:2]
    early = Replay(CONFIG, date(2024, 1, 1))
    for recorded in EVENTS[: EVENTS.index(first_step) + 1]:
        early.feed(recorded, last=recorded is first_step)
    with pytest.raises(ValueError, match=f"comes after the end of {EXIT_STREAM}"):
        early.feed(second_step)
