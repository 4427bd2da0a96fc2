"""Schedules on Temporal's dev server (the time-skipping server has none): they exist only for
partnerships that have started (the partnership's workflow makes them when it starts; `sync`
deletes those of one not running); making them is idempotent and follows a changed cadence; a
fired schedule starts the meeting cycle for the right date.

Cadences: CDCPE ToR §4 (CDCPE monthly), CDCP MoU §11 (forum 3 a year); NENC ICS MoU §17
(quarterly), §20 (monthly); declarations CDCPE ToR §6 (annual, six-monthly review).
"""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.contracts import SyncResult
from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import ScheduleInfo, ensure_partnership_schedules, list_schedules
from activities.store import StoreActivities
from concordat.reach import start_partnership
from deploy.schedules import has_started, sync_schedules
from deploy.temporal_dev import TemporalDevServer
from domain.bodies import Cadence
from domain.events import MeetingScheduled
from domain.meetings import meeting_date_for
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.streams import meeting_stream, partnership_stream
from eventstore.store import EventStore
from tests.workflows.conftest import stream_events
from worker import build_worker
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.schedule_plan import meeting_schedule_id, planned_schedules

WEB = "https://concordat.example.gov.uk"
"""Where the letters the partnerships send point people to."""


async def listed(client: Client, prefix: str, count: int) -> list[ScheduleInfo]:
    """Schedules are listed through visibility, which lags a moment behind."""
    found: list[ScheduleInfo] = []
    for _ in range(100):
        found = [s for s in await list_schedules(client) if s.schedule_id.startswith(prefix)]
        if len(found) == count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} schedules under {prefix}, listed {len(found)}")


def with_forum_cadence(config: Partnership, per_year: int) -> Partnership:
    bodies = tuple(
        b.model_copy(
            update={
                "cadence": Cadence(meetings_per_year=per_year, description="changed", clause="test")
            }
        )
        if b.slug == "partnership-forum"
        else b
        for b in config.bodies
    )
    return config.model_copy(update={"bodies": bodies})


def renamed(config: Partnership) -> Partnership:
    """The partnership under a slug of the test's own: the dev server outlives each test."""
    return config.model_copy(update={"slug": f"{config.slug}-{uuid.uuid4().hex[:6]}"})


async def described_zones(client: Client, config: Partnership) -> dict[str, str | None]:
    """The time zone of each of `config`'s planned schedules that exists."""
    zones: dict[str, str | None] = {}
    for planned in planned_schedules(config):
        try:
            described = await client.get_schedule_handle(planned.schedule_id).describe()
        except RPCError:
            continue
        zones[planned.schedule_id] = described.schedule.spec.time_zone_name
    return zones


async def test_schedules_exist_only_while_the_partnership_runs(
    dev_client: Client, store: EventStore, delivery: DeliveryActivities, task_queue: str
) -> None:
    durham = renamed(load_partnership("county-durham"))
    planned = planned_schedules(durham)
    # Not started: the sync makes none.
    assert await sync_schedules(dev_client, task_queue, [durham], web_base_url=WEB) == []
    assert await described_zones(dev_client, durham) == {}

    async with build_worker(dev_client, store, task_queue, delivery):
        await start_partnership(dev_client, durham, "schedules-test", task_queue, web_base_url=WEB)
        zones: dict[str, str | None] = {}
        for _ in range(200):
            zones = await described_zones(dev_client, durham)
            if len(zones) == len(planned):
                break
            await asyncio.sleep(0.1)
        # Started: every meeting and declarations round on London's calendar.
        assert zones == {p.schedule_id: "Europe/London" for p in planned}
        assert await has_started(dev_client, durham.slug)
        again = await sync_schedules(dev_client, task_queue, [durham], web_base_url=WEB)
        assert {r.outcome for r in again} == {"unchanged"} and len(again) == len(planned)

        await dev_client.get_workflow_handle(partnership_stream(durham.slug)).terminate("ended")
        await listed(dev_client, f"schedule:meeting:{durham.slug}:", 6)
        ended = await sync_schedules(dev_client, task_queue, [durham], web_base_url=WEB)
        assert sorted(r.schedule_id for r in ended if r.outcome == "deleted") == sorted(
            p.schedule_id for p in planned
        )
        assert await described_zones(dev_client, durham) == {}


async def test_ensuring_twice_creates_each_schedule_once_and_follows_a_changed_cadence(
    dev_client: Client,
) -> None:
    # Under a slug of its own: a partnership started by another test on this dev server makes
    # County Durham's schedules itself.
    durham = renamed(load_partnership("county-durham"))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    planned = planned_schedules(durham)
    # CDCPE and four boards monthly, the forum 3 a year, two declarations rounds for the CDCPE.
    assert len(planned) == 6 + 2

    async def ensure(config: Partnership) -> list[SyncResult]:
        return await ensure_partnership_schedules(
            dev_client, queue, config.slug, planned_schedules(config)
        )

    first = await ensure(durham)
    assert {r.outcome for r in first} == {"created"} and len(first) == len(planned)
    second = await ensure(durham)
    assert {r.outcome for r in second} == {"unchanged"} and len(second) == len(planned)
    found = await listed(dev_client, f"schedule:meeting:{durham.slug}:", 6)
    assert len({s.schedule_id for s in found}) == 6

    forum_id = meeting_schedule_id(durham.slug, "partnership-forum")
    forum = next(s for s in found if s.schedule_id == forum_id)
    assert forum.workflow == "MeetingCycle" and "CDCP MoU §11" in forum.comment
    assert len(forum.next_runs) == 3
    for run in forum.next_runs:
        # 06:00 in London, in winter and in summer time alike.
        local = run.astimezone(ZoneInfo("Europe/London"))
        assert (local.month, local.day, local.hour) in {(m, 1, 6) for m in (1, 5, 9)}
    monthly = next(s for s in found if s.schedule_id.endswith(":cdcpe"))
    gaps = {(b - a).days for a, b in zip(monthly.next_runs, monthly.next_runs[1:], strict=False)}
    assert gaps <= {28, 29, 30, 31}

    changed = await ensure(with_forum_cadence(durham, 4))
    # The configuration travels in every action's input, so every action follows the change.
    assert {r.outcome for r in changed} == {"updated"} and len(changed) == len(planned)
    described = await dev_client.get_schedule_handle(forum_id).describe()
    months = [r.start for r in described.schedule.spec.calendars[0].month]
    assert months == [1, 4, 7, 10]
    assert described.schedule.spec.time_zone_name == "Europe/London"
    again = await ensure(with_forum_cadence(durham, 4))
    assert {r.outcome for r in again} == {"unchanged"}

    # A body that no longer has a cadence loses its schedule.
    no_forum = durham.model_copy(
        update={
            "bodies": tuple(
                b.model_copy(update={"cadence": None}) if b.slug == "partnership-forum" else b
                for b in durham.bodies
            )
        }
    )
    pruned = await ensure(no_forum)
    assert [r.schedule_id for r in pruned if r.outcome == "deleted"] == [forum_id]
    for s in planned:
        if s.schedule_id != forum_id:
            await dev_client.get_schedule_handle(s.schedule_id).delete()


async def test_a_fired_schedule_starts_the_cycle_for_the_meeting_date(
    dev_client: Client, store: EventStore, delivery: DeliveryActivities
) -> None:
    """The meeting date follows from the fire time (ToR §5 dates are counted from it)."""
    nenc = load_partnership("nenc-ics")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    await ensure_partnership_schedules(dev_client, queue, nenc.slug, planned_schedules(nenc))
    schedule = dev_client.get_schedule_handle(meeting_schedule_id("nenc-ics", "management-group"))
    async with Worker(
        dev_client,
        task_queue=queue,
        workflows=[MeetingCycleWorkflow],
        activities=[
            StoreActivities(store).append_events,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
    ):
        await schedule.trigger()
        for _ in range(200):
            running = (await schedule.describe()).info.recent_actions
            if running:
                break
            await asyncio.sleep(0.1)
        action = running[0]
        meeting_on = meeting_date_for(action.scheduled_at.astimezone(UTC).date())
        stream_id = meeting_stream("nenc-ics", "management-group", meeting_on)
        events = []
        for _ in range(200):
            events = await stream_events(store, stream_id)
            if events:
                break
            await asyncio.sleep(0.1)
        first = events[0]
        assert isinstance(first, MeetingScheduled)
        assert first.meeting_on == meeting_on
        assert first.agenda_requests_due_on == meeting_on - timedelta(days=10)
        started = action.action
        workflow_id = getattr(started, "workflow_id", "")
        assert workflow_id.startswith("meeting:nenc-ics:management-group-")
        await dev_client.get_workflow_handle(workflow_id).terminate("test over")
    for planned in planned_schedules(nenc):
        await dev_client.get_schedule_handle(planned.schedule_id).delete()


def concordat(server: TemporalDevServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CONCORDAT_TEMPORAL_ADDRESS": server.address,
        "CONCORDAT_TASK_QUEUE": "cli-test",
        "CONCORDAT_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "concordat.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_sync_is_idempotent_and_list_shows_next_runs(
    dev_server: TemporalDevServer, dev_client: Client
) -> None:
    unstarted = await asyncio.to_thread(
        concordat, dev_server, "schedules", "sync", "--partnership", "mid-south-essex"
    )
    assert unstarted.returncode == 0, unstarted.stderr
    assert "no schedules" in unstarted.stdout
    # Running, as far as the sync can tell: no worker needs to have picked it up.
    mse = await start_partnership(
        dev_client,
        load_partnership("mid-south-essex"),
        "cli-test",
        "cli-test-idle",
        web_base_url=WEB,
    )
    first = await asyncio.to_thread(
        concordat, dev_server, "schedules", "sync", "--partnership", "mid-south-essex", "--json"
    )
    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout)
    assert sorted(r["schedule_id"] for r in created) == [
        "schedule:meeting:mid-south-essex:partnership-board",
        "schedule:meeting:mid-south-essex:transformation-delivery-group",
    ]
    assert {r["outcome"] for r in created} == {"created"}
    second = await asyncio.to_thread(
        concordat, dev_server, "schedules", "sync", "--partnership", "mid-south-essex"
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().endswith("2 unchanged")

    await listed(dev_client, "schedule:meeting:mid-south-essex:", 2)
    shown = await asyncio.to_thread(concordat, dev_server, "schedules", "list", "--json")
    assert shown.returncode == 0, shown.stderr
    board = next(
        s
        for s in json.loads(shown.stdout)
        if s["schedule_id"] == "schedule:meeting:mid-south-essex:partnership-board"
    )
    assert "MSE MoU 2020 §6.5" in board["comment"] and len(board["next_runs"]) == 3
    text = await asyncio.to_thread(concordat, dev_server, "schedules", "list")
    assert "schedule:meeting:mid-south-essex:partnership-board" in text.stdout
    assert "next: " in text.stdout

    unknown = await asyncio.to_thread(
        concordat, dev_server, "schedules", "sync", "--partnership", "atlantis"
    )
    assert unknown.returncode != 0
    assert unknown.stderr.strip().startswith("concordat: no partnership called 'atlantis'")
    await dev_client.get_workflow_handle(mse).terminate("test over")
    removed = await asyncio.to_thread(
        concordat, dev_server, "schedules", "sync", "--partnership", "mid-south-essex", "--json"
    )
    assert sorted(r["schedule_id"] for r in json.loads(removed.stdout)) == sorted(
        s["schedule_id"] for s in created
    )
