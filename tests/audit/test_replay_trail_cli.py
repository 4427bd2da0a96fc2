"""`concordat audit replay` and `trail` on the County Durham story, as the auditor role."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.audit.cli import concordat
from tests.audit.story import CONFIG, county_durham_story, recorded_story
from tests.people import SIGNER


async def replay_json(auditor: str, as_of: str, *known_on: str) -> Any:
    ran = await concordat(
        "audit",
        "replay",
        "county-durham",
        "--as-of",
        as_of,
        *known_on,
        "--json",
        "--database-url",
        auditor,
    )
    assert ran.code == 0, ran.stderr
    return ran.json()


def signed(report: Any) -> list[str]:
    return [s["organisation"] for s in report["signatories"] if s["signed_on"] is not None]


async def test_replay_as_of_dates_across_the_story(story: int, auditor: str) -> None:
    july = await replay_json(auditor, "2022-07-31")
    assert signed(july) == [] and july["mou_version"] == 0 and july["review_due_on"] is None

    mid_august = await replay_json(auditor, "2022-08-16")
    assert signed(mid_august) == ["icb", "dcc", "cddft", "tewv", "hdft", "pcns"]
    assert mid_august["effective_on"] is None

    effective = await replay_json(auditor, "2022-08-23")
    assert signed(effective) == list(CONFIG.signatories)
    assert (effective["mou_version"], effective["effective_on"]) == (1, "2022-08-23")
    assert effective["review_due_on"] == "2023-08-23"
    assert effective["open_escalations"] == []

    raised = await replay_json(auditor, "2022-10-10")
    assert [(e["escalation_id"], e["level"]) for e in raised["open_escalations"]] == [
        ("acute-outcome", 1)
    ]
    climbed = await replay_json(auditor, "2022-10-24")
    (escalation,) = climbed["open_escalations"]
    assert (escalation["level"], escalation["stage"]) == (2, "CDCP Executive")
    assert escalation["open_actions"] == ["a1"]
    milestones = {m["milestone_id"]: m for m in climbed["committees"][0]["milestones"]}
    assert milestones["co-production"]["met_on"] == "2022-09-30"
    assert milestones["shadow-form"]["met_on"] is None

    resolved = await replay_json(auditor, "2022-12-31")
    assert resolved["open_escalations"] == []

    notice_given = await replay_json(auditor, "2023-02-01")
    assert [x["organisation"] for x in notice_given["open_exits"]] == ["hdft"]
    assert "hdft" in signed(notice_given)

    left = await replay_json(auditor, "2023-04-01")
    assert left["open_exits"] == [] and "hdft" not in signed(left)
    assert left["mou_version"] == 2
    assert [d["organisation"] for d in left["departures"]] == ["hdft"]

    reviewed = await replay_json(auditor, "2023-12-31")
    assert reviewed["review_due_on"] == "2024-07-12"
    assert reviewed["events_applied"] == story and reviewed["last_position"] == story


async def test_replay_as_known_on_sees_what_was_recorded_by_then(story: int, auditor: str) -> None:
    # The story of 2022-23 is appended today: as of its dates, as known only from today.
    today = datetime.now(UTC).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    before = await replay_json(auditor, "2023-12-31", "--as-known-on", yesterday)
    assert before["events_applied"] == 0 and signed(before) == []
    assert before["as_known_on"] == yesterday
    now = await replay_json(auditor, "2022-09-01", "--as-known-on", today.isoformat())
    assert signed(now) == list(CONFIG.signatories) and now["effective_on"] == "2022-08-23"
    ran = await concordat(
        "audit",
        "replay",
        "county-durham",
        "--as-of",
        "2022-09-01",
        "--as-known-on",
        yesterday,
        "--database-url",
        auditor,
    )
    assert ran.stdout.splitlines()[0] == (
        f"County Durham Care Partnership (county-durham) as of 2022-09-01, as known on {yesterday}"
    )


async def test_replay_prints_for_people(story: int, auditor: str) -> None:
    ran = await concordat(
        "audit", "replay", "county-durham", "--as-of", "2022-10-24", "--database-url", auditor
    )
    assert ran.code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "County Durham Care Partnership (county-durham) as of 2022-10-24"
    assert "MoU: version 1, effective 2022-08-23, review due 2023-08-23" in lines
    assert any(line.startswith("  acute-outcome: level 2 (CDCP Executive)") for line in lines)
    assert any("[met 2022-09-30] co-production" in line for line in lines)


async def test_trail_has_a_line_an_event_with_actor_and_run(story: int, auditor: str) -> None:
    ran = await concordat("audit", "trail", "county-durham", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    events = recorded_story(county_durham_story())
    assert len(lines) == story == len(events)
    assert lines[3].startswith(
        "2022-08-10 [4] tewv (Tees, Esk and Wear Valleys NHS Foundation Trust) signed the MoU "
        "(Chief Executive, A. Signer of tewv) (by Dev Representative of Tees, Esk and Wear "
        "Valleys NHS Foundation Trust <dev.rep.tewv@county-durham.example> (representative of "
        f"tewv; web); signed by key {SIGNER.public_key[:16]}; "
        # The story of 2022, appended today with no reason: R12 flags it.
        "entered "
    )
    assert (
        "days after its date, no reason recorded; workflow partnership:county-durham run "
        in (lines[3])
    )
    for line, event in zip(lines, events, strict=True):
        assert f"by {event.metadata['actor']};" in line
        assert f"workflow {event.stream_id} run {event.metadata['run_id']}, activity " in line
        assert line.endswith("attempt 1)")

    ran = await concordat("audit", "trail", "county-durham", "--json", "--database-url", auditor)
    entries = ran.json()
    assert [e["type"] for e in entries] == [e.type for e in events]
    assert entries[0]["attempt"] == 1 and entries[0]["activity_id"] == "1"


async def test_a_partnership_with_no_events_has_an_empty_trail(story: int, auditor: str) -> None:
    ran = await concordat("audit", "trail", "nenc-ics", "--database-url", auditor)
    assert ran.code == 0
    assert ran.stdout == "no events of nenc-ics\n"
