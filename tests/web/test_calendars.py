"""Calendar feeds read back by the `icalendar` parser, as a calendar client reads them: served
by the real web service from a real event log (the auditor role), each person's subscription
address from signing in at the real OpenID provider (docs/rules.md P8, A9)."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.worker import Worker

from concordat.settings import Settings
from concordat.web.calendar_tokens import CalendarTokens
from domain.events import DomainEvent, MeetingArranged, MeetingCancelled, MeetingScheduled
from domain.meetings import CancelMeeting, MoveMeeting, SetMeeting
from domain.provenance import Channel, system_actor
from domain.streams import meeting_stream
from eventstore.codec import to_new_event
from eventstore.store import EventStore
from tests.people import shipped, signed
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token
from workflows.contracts.meeting_cycle import MeetingCycleInput, MeetingUpdate
from workflows.meeting_cycle import MeetingCycleWorkflow

SLUG = "county-durham"
SUMMER = date(2027, 7, 15)
"""British Summer Time: 14:00 in London is 13:00 UTC."""
WINTER = date(2027, 1, 15)
"""Greenwich Mean Time: 14:00 in London is 14:00 UTC."""
CDCPE = meeting_stream(SLUG, "cdcpe", SUMMER)
ACUTE = meeting_stream(SLUG, "acute-care-board", WINTER)
CYP = meeting_stream(SLUG, "cyp-board", date(2027, 3, 15))
HEALTHWATCH = "dev-rep-healthwatch-county-durham"
"""Healthwatch holds seats on the executive and the acute care board, not the children's."""


class Log:
    """Appends to the real store as the meeting cycle would, one stream version after another."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.versions: dict[str, int] = {}

    async def append(self, stream: str, *events: DomainEvent) -> datetime:
        """Appends `events`; when the log recorded the last of them."""
        actor = system_actor("schedule:meeting-cycle", Channel.SCHEDULE)
        version = self.versions.get(stream, 0)
        result = await self.store.append(
            stream,
            version,
            [
                to_new_event(e, event_id=uuid.uuid4(), occurred_at=datetime.now(UTC), actor=actor)
                for e in events
            ],
        )
        self.versions[stream] = version + len(events)
        (last,) = await self.store.read_stream(stream, after_version=result.last_version - 1)
        return last.recorded_at


def scheduled(body: str, meeting_on: date) -> MeetingScheduled:
    return MeetingScheduled(
        partnership=SLUG,
        body=body,
        meeting_on=meeting_on,
        scheduled_on=meeting_on - timedelta(days=14),
        agenda_requests_due_on=meeting_on - timedelta(days=10),
        agenda_issue_by=meeting_on - timedelta(days=3),
    )


def arranged(
    body: str, meeting_on: date, held_on: date, starts_at: time, **place: str
) -> MeetingArranged:
    return MeetingArranged(
        partnership=SLUG,
        body=body,
        meeting_on=meeting_on,
        arranged_on=meeting_on - timedelta(days=13),
        held_on=held_on,
        starts_at=starts_at,
        moved_from=None if held_on == meeting_on else meeting_on,
        agenda_requests_due_on=held_on - timedelta(days=10),
        agenda_issue_by=held_on - timedelta(days=3),
        **place,
    )


@pytest.fixture
async def log(store: EventStore) -> AsyncIterator[Log]:
    log = Log(store)
    await log.append(
        CDCPE,
        scheduled("cdcpe", SUMMER),
        arranged("cdcpe", SUMMER, SUMMER, time(14), venue="County Hall, Durham"),
    )
    await log.append(
        ACUTE,
        scheduled("acute-care-board", WINTER),
        arranged("acute-care-board", WINTER, WINTER, time(14), link="https://meet.example/acb"),
    )
    await log.append(
        CYP,
        scheduled("cyp-board", date(2027, 3, 15)),
        MeetingCancelled(
            partnership=SLUG,
            body="cyp-board",
            meeting_on=date(2027, 3, 15),
            cancelled_on=date(2027, 3, 2),
            reason="no business",
        ),
    )
    yield log


async def subscription(web: str, issuer: str, sub: str) -> dict[str, Any]:
    token = await program_token(issuer, sub)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as api:
        answer = await api.get(f"{web}/api/v1/calendars/subscription")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def calendar(url: str) -> Calendar:
    """The feed at `url`, fetched without signing in, as a calendar client does."""
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["content-disposition"].endswith('.ics"')
    return Calendar.from_ical(answer.content)


def events(feed: Calendar) -> dict[str, Any]:
    return {str(e["UID"]).split("@")[0]: e for e in feed.walk("VEVENT")}


def partnership_url(found: dict[str, Any]) -> str:
    (county_durham,) = [p for p in found["partnerships"] if p["slug"] == SLUG]
    url: str = county_durham["url"]
    return url


async def test_a_partnership_feed_holds_every_meeting_and_deadline_in_london_time(
    serve: Serve, issuer: str, log: Log, database_url: str
) -> None:
    async with serve(auditor_database_url=SecretStr(database_url)) as web:
        found = await subscription(web, issuer, SECRETARY)
        feed = await calendar(partnership_url(found))
        assert str(feed["X-WR-CALNAME"]) == "County Durham Care Partnership"
        assert [str(tz["TZID"]) for tz in feed.walk("VTIMEZONE")] == ["Europe/London"]
        entries = events(feed)
        assert set(entries) == {
            f"{stream}{suffix}"
            for stream in (CDCPE, ACUTE, CYP)
            for suffix in ("", ":agenda-requests", ":agenda-issue")
        }
        summer = entries[CDCPE]["DTSTART"].dt
        assert (summer.hour, str(summer.tzinfo)) == (14, "Europe/London")
        assert summer.astimezone(UTC).hour == 13
        assert entries[CDCPE]["DTSTART"].params["TZID"] == "Europe/London"
        winter = entries[ACUTE]["DTSTART"].dt
        assert (winter.hour, winter.astimezone(UTC).hour) == (14, 14)
        assert str(entries[CDCPE]["LOCATION"]) == "County Hall, Durham"
        assert str(entries[ACUTE]["LOCATION"]) == "https://meet.example/acb"
        assert str(entries[CDCPE]["URL"]) == f"{web}/partnerships/{SLUG}/meetings"
        assert str(entries[CDCPE]["SUMMARY"]) == (
            "County Durham Care Partnership Executive meeting"
        )
        assert entries[f"{CDCPE}:agenda-requests"]["DTSTART"].dt == SUMMER - timedelta(days=10)
        assert entries[f"{ACUTE}:agenda-issue"]["DTSTART"].dt == WINTER - timedelta(days=3)
        for entry in entries.values():
            assert str(entry["STATUS"]) == (
                "CANCELLED" if CYP in str(entry["UID"]) else "CONFIRMED"
            )
            assert SLUG not in str(entry["DESCRIPTION"]) + str(entry["SUMMARY"])
            assert entry["DTSTAMP"].dt == entry["LAST-MODIFIED"].dt


async def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence(
    serve: Serve, issuer: str, log: Log, database_url: str
) -> None:
    async with serve(auditor_database_url=SecretStr(database_url)) as web:
        url = partnership_url(await subscription(web, issuer, SECRETARY))
        before = events(await calendar(url))[CDCPE]
        moved_at = await log.append(
            CDCPE,
            arranged("cdcpe", SUMMER, date(2027, 7, 20), time(10), venue="Town Hall, Durham"),
        )
        after = events(await calendar(url))[CDCPE]
        again = events(await calendar(url))[CDCPE]
        async with httpx.AsyncClient() as client:
            held = await client.get(url)
            unchanged = await client.get(url, headers={"If-None-Match": held.headers["etag"]})
            await log.append(CDCPE, arranged("cdcpe", SUMMER, SUMMER, time(9), venue="Online"))
            changed = await client.get(url, headers={"If-None-Match": held.headers["etag"]})
        assert unchanged.status_code == 304 and not unchanged.content
        assert changed.status_code == 200
        assert events(Calendar.from_ical(changed.content))[CDCPE]["SEQUENCE"] == 3
    assert after["UID"] == before["UID"]
    assert (before["SEQUENCE"], after["SEQUENCE"], again["SEQUENCE"]) == (1, 2, 2)
    assert after["DTSTART"].dt == datetime(2027, 7, 20, 9, tzinfo=UTC)
    # iCalendar keeps whole seconds: the move may fall in the same second as what came before.
    assert after["LAST-MODIFIED"].dt == moved_at.replace(microsecond=0)
    assert str(after["LOCATION"]) == "Town Hall, Durham"


async def test_a_body_feed_and_a_person_see_only_what_they_may(
    serve: Serve, issuer: str, log: Log, database_url: str
) -> None:
    async with serve(auditor_database_url=SecretStr(database_url)) as web:
        secretary = await subscription(web, issuer, SECRETARY)
        (county_durham,) = [p for p in secretary["partnerships"] if p["slug"] == SLUG]
        (cdcpe,) = [b for b in county_durham["bodies"] if b["slug"] == "cdcpe"]
        assert set(events(await calendar(cdcpe["url"]))) == {
            CDCPE,
            f"{CDCPE}:agenda-requests",
            f"{CDCPE}:agenda-issue",
        }
        healthwatch = await subscription(web, issuer, HEALTHWATCH)
        assert [p["slug"] for p in healthwatch["partnerships"]] == [SLUG]
        bodies = {b["slug"] for b in healthwatch["partnerships"][0]["bodies"]}
        assert {"cdcpe", "acute-care-board"} <= bodies and "cyp-board" not in bodies
        seen = set(events(await calendar(partnership_url(healthwatch))))
        assert CDCPE in seen and ACUTE in seen and not any(CYP in uid for uid in seen)
        assert set(events(await calendar(healthwatch["url"]))) == seen
        cdcpe_path = cdcpe["url"].replace(secretary["url"].removesuffix(".ics"), "")
        healthwatch_base = healthwatch["url"].removesuffix(".ics")
        async with httpx.AsyncClient() as client:
            forbidden = await client.get(f"{healthwatch_base}/{SLUG}/cyp-board.ics")
            allowed = await client.get(f"{healthwatch_base}{cdcpe_path}")
        assert forbidden.status_code == 404 and forbidden.json() == {"detail": "no such calendar"}
        assert allowed.status_code == 200
        essex = await subscription(web, issuer, "dev-secretary-mid-south-essex")
        assert SLUG not in [p["slug"] for p in essex["partnerships"]]
        async with httpx.AsyncClient() as client:
            other = await client.get(f"{essex['url'].removesuffix('.ics')}/{SLUG}.ics")
        assert other.status_code == 404


async def test_bad_and_revoked_tokens_are_refused_and_a_kept_key_survives_a_restart(
    serve: Serve, issuer: str, log: Log, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    keys = SecretStr(Fernet.generate_key().decode())
    stack = {"auditor_database_url": SecretStr(database_url), "calendar_keys": keys}
    async with serve(**stack) as web:
        url = (await subscription(web, issuer, SECRETARY))["url"]
        token = url.removesuffix(".ics").rsplit("/", 1)[1]
    async with serve(**stack) as web, httpx.AsyncClient() as client:
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            restarted = await client.get(f"{web}/calendars/{token}.ics")
        assert restarted.status_code == 200
        logged = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
        assert any("/calendars/<token>.ics" in line for line in logged), logged
        assert not any(token in line for line in logged)
        for bad in (
            "not-a-token",
            token[:-4] + "AAAA",
            Fernet(Fernet.generate_key()).encrypt(b"{}").decode(),
        ):
            refused = await client.get(f"{web}/calendars/{bad}.ics")
            assert refused.status_code == 404 and refused.json() == {"detail": "no such calendar"}
    person = f"{issuer}:{SECRETARY}"
    revoked = {person: datetime.now(UTC) + timedelta(seconds=1)}
    async with serve(**stack, calendar_revoked=revoked) as web, httpx.AsyncClient() as client:
        assert (await client.get(f"{web}/calendars/{token}.ics")).status_code == 404
    rotated = SecretStr(Fernet.generate_key().decode())
    both = SecretStr(f"{rotated.get_secret_value()},{keys.get_secret_value()}")
    async with serve(**{**stack, "calendar_keys": both}) as web, httpx.AsyncClient() as client:
        assert (await client.get(f"{web}/calendars/{token}.ics")).status_code == 200
    rotated_stack = {**stack, "calendar_keys": rotated}
    async with serve(**rotated_stack) as web, httpx.AsyncClient() as client:
        assert (await client.get(f"{web}/calendars/{token}.ics")).status_code == 404


async def test_the_meeting_cycle_sets_moves_and_cancels_what_the_feed_shows(
    serve: Serve, issuer: str, temporal: Client, worker: Worker, database_url: str
) -> None:
    """The clerk's commands go through the real meeting cycle workflow; the feed, read from the
    log it wrote, follows each one with the same UID and a rising SEQUENCE."""
    durham = shipped(SLUG)
    handle = await temporal.start_workflow(
        MeetingCycleWorkflow.run,
        MeetingCycleInput(config=durham, body="cdcpe", meeting_on=SUMMER),
        id=f"{CDCPE}-{uuid.uuid4().hex[:8]}",
        task_queue=worker.task_queue,
    )
    async with serve(auditor_database_url=SecretStr(database_url)) as web:
        url = partnership_url(await subscription(web, issuer, SECRETARY))

        async def meeting_after(command: MeetingUpdate | None) -> Any:
            if command is not None:
                await handle.execute_update(MeetingCycleWorkflow.execute, signed(durham, command))
            for _ in range(100):
                found = events(await calendar(url)).get(CDCPE)
                if found is not None:
                    return found
                await asyncio.sleep(0.1)
            raise AssertionError("the meeting never reached the feed")

        scheduled = await meeting_after(None)
        place = "Committee Room 2, County Hall, Durham"
        set_ = await meeting_after(SetMeeting(held_on=SUMMER, starts_at=time(14), venue=place))
        moved = await meeting_after(
            MoveMeeting(
                held_on=SUMMER + timedelta(days=7),
                starts_at=time(10, 30),
                venue=place,
                reason="the chair is away",
            )
        )
        cancelled = await meeting_after(CancelMeeting(reason="no business to transact"))
    assert {str(e["UID"]) for e in (scheduled, set_, moved, cancelled)} == {str(scheduled["UID"])}
    assert [e["SEQUENCE"] for e in (scheduled, set_, moved, cancelled)] == [0, 1, 2, 3]
    assert scheduled["DTSTART"].dt == SUMMER  # all day until the clerk sets the time
    assert set_["DTSTART"].dt == datetime(2027, 7, 15, 13, tzinfo=UTC)
    assert moved["DTSTART"].dt == datetime(2027, 7, 22, 9, 30, tzinfo=UTC)
    assert [str(e["STATUS"]) for e in (set_, moved, cancelled)] == [
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    ]


def test_a_calendar_key_that_is_not_a_fernet_key_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="CONCORDAT_CALENDAR_KEYS: Fernet key must be 32"):
        CalendarTokens(Settings(calendar_keys=SecretStr("change-me-fernet-key")))
