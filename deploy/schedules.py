"""Temporal Schedules for the fixed cadences of each partnership (docs/architecture.md principle 5).

Each body with a meeting cadence gets a schedule starting its `MeetingCycle` before every meeting
(P5: CDCPE ToR §4-§5, CDCP MoU §11; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU §17, §20), and each
register of interests an annual and a six-monthly `Declarations` round (P6: CDCPE ToR §6, CDCP MoU
§23). `sync_schedules` is idempotent: it creates a missing schedule, updates one whose calendar or
action differs from the configuration (compared by a fingerprint kept in the schedule's note),
leaves an equal one alone and deletes Concordat's schedules that the configuration no longer asks
for.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from domain.declarations import registers, round_calendar
from domain.meetings import FireCalendar, meeting_calendar
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, load_partnership, partnership_slugs
from workflows import search_attributes
from workflows.declarations import DeclarationsInput
from workflows.meeting_cycle import MeetingCycleInput

PREFIX = "schedule:"
NOTE_PREFIX = "concordat-sync "
CATCHUP_WINDOW = timedelta(days=7)
"""A fire missed while the service was down still runs if it comes back within a week."""


class PlannedSchedule(BaseModel):
    """A schedule the configuration asks for."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    schedule_id: str
    partnership: str
    process: Literal["meeting", "declarations"]
    workflow: Literal["MeetingCycle", "Declarations"]
    workflow_id: str
    calendar: FireCalendar
    input: MeetingCycleInput | DeclarationsInput

    def fingerprint(self, task_queue: str) -> str:
        """Changes whenever the calendar, the action or its input would."""
        material = {
            "workflow": self.workflow,
            "workflow_id": self.workflow_id,
            "task_queue": task_queue,
            "calendar": self.calendar.model_dump(mode="json"),
            "input": self.input.model_dump(mode="json"),
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


class SyncResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_id: str
    outcome: Literal["created", "updated", "unchanged", "deleted"]


class ScheduleInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_id: str
    workflow: str
    comment: str
    paused: bool
    next_runs: tuple[datetime, ...]


def meeting_schedule_id(partnership: str, body: str) -> str:
    return f"{PREFIX}meeting:{partnership}:{body}"


def declarations_schedule_id(partnership: str, body: str, kind: str) -> str:
    return f"{PREFIX}declarations:{partnership}:{body}:{kind}"


def planned_schedules(config: Partnership) -> list[PlannedSchedule]:
    """Every schedule `config` asks for: one per body with a cadence, two per register."""
    planned: list[PlannedSchedule] = []
    for body in config.bodies:
        calendar = meeting_calendar(body)
        if calendar is None:
            continue
        planned.append(
            PlannedSchedule(
                schedule_id=meeting_schedule_id(config.slug, body.slug),
                partnership=config.slug,
                process="meeting",
                workflow="MeetingCycle",
                workflow_id=meeting_schedule_workflow_id(config.slug, body.slug),
                calendar=calendar,
                input=MeetingCycleInput(config=config, body=body.slug),
            )
        )
    for body_slug in registers(config):
        for kind in ("annual", "review"):
            planned.append(
                PlannedSchedule(
                    schedule_id=declarations_schedule_id(config.slug, body_slug, kind),
                    partnership=config.slug,
                    process="declarations",
                    workflow="Declarations",
                    workflow_id=declarations_schedule_workflow_id(config.slug, body_slug, kind),
                    calendar=round_calendar(kind),
                    input=DeclarationsInput(config=config, body=body_slug, kind=kind),
                )
            )
    return planned


def _spec(calendar: FireCalendar) -> ScheduleSpec:
    return ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                second=[ScheduleRange(0)],
                minute=[ScheduleRange(0)],
                hour=[ScheduleRange(calendar.hour)],
                day_of_month=[ScheduleRange(calendar.day_of_month)],
                month=[ScheduleRange(m) for m in calendar.months],
                comment=calendar.comment,
            )
        ],
        time_zone_name=calendar.time_zone,
    )


def build_schedule(planned: PlannedSchedule, task_queue: str, paused: bool = False) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            planned.workflow,
            planned.input,
            id=planned.workflow_id,
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(search_attributes.PARTNERSHIP, planned.partnership),
                    SearchAttributePair(search_attributes.PROCESS, planned.process),
                ]
            ),
        ),
        spec=_spec(planned.calendar),
        # Every meeting and round is its own process: one still open never holds up the next.
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.ALLOW_ALL, catchup_window=CATCHUP_WINDOW
        ),
        state=ScheduleState(note=NOTE_PREFIX + planned.fingerprint(task_queue), paused=paused),
    )


async def _sync_one(client: Client, planned: PlannedSchedule, task_queue: str) -> SyncResult:
    handle = client.get_schedule_handle(planned.schedule_id)
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        await client.create_schedule(planned.schedule_id, build_schedule(planned, task_queue))
        return SyncResult(schedule_id=planned.schedule_id, outcome="created")
    wanted = NOTE_PREFIX + planned.fingerprint(task_queue)
    if description.schedule.state.note == wanted:
        return SyncResult(schedule_id=planned.schedule_id, outcome="unchanged")

    def updater(current: ScheduleUpdateInput) -> ScheduleUpdate:
        # A schedule staff paused stays paused.
        paused = current.description.schedule.state.paused
        return ScheduleUpdate(schedule=build_schedule(planned, task_queue, paused))

    await handle.update(updater)
    return SyncResult(schedule_id=planned.schedule_id, outcome="updated")


async def sync_schedules(
    client: Client,
    task_queue: str,
    partnerships: Sequence[Partnership | str] | None = None,
    folder: Path = SHIPPED,
) -> list[SyncResult]:
    """Creates, updates or deletes Concordat's schedules to match the configuration of
    `partnerships` (all those in `folder` by default). Running it again changes nothing."""
    configs = [
        p if isinstance(p, Partnership) else load_partnership(p, folder)
        for p in (partnerships if partnerships is not None else partnership_slugs(folder))
    ]
    results: list[SyncResult] = []
    wanted: set[str] = set()
    for config in configs:
        for planned in planned_schedules(config):
            wanted.add(planned.schedule_id)
            results.append(await _sync_one(client, planned, task_queue))
    owned = tuple(
        f"{PREFIX}{process}:{c.slug}:" for c in configs for process in ("meeting", "declarations")
    )
    for info in await list_schedules(client):
        if info.schedule_id.startswith(owned) and info.schedule_id not in wanted:
            try:
                await client.get_schedule_handle(info.schedule_id).delete()
            except RPCError as error:
                # Listing lags behind: another sync may have deleted it already.
                if error.status is not RPCStatusCode.NOT_FOUND:
                    raise
                continue
            results.append(SyncResult(schedule_id=info.schedule_id, outcome="deleted"))
    return results


async def list_schedules(client: Client, next_runs: int = 3) -> list[ScheduleInfo]:
    """Concordat's schedules with their next run times, sorted by id. Temporal lists schedules
    through its visibility store, so one created a moment ago may not be listed yet."""
    found: list[ScheduleInfo] = []
    async for entry in await client.list_schedules():
        if not entry.id.startswith(PREFIX) or entry.schedule is None:
            continue
        action = entry.schedule.action
        calendars = entry.schedule.spec.calendars
        found.append(
            ScheduleInfo(
                schedule_id=entry.id,
                workflow=getattr(action, "workflow", ""),
                comment=(calendars[0].comment or "") if calendars else "",
                paused=entry.schedule.state.paused,
                next_runs=tuple(entry.info.next_action_times[:next_runs]) if entry.info else (),
            )
        )
    return sorted(found, key=lambda s: s.schedule_id)


def meeting_schedule_workflow_id(partnership: str, body: str) -> str:
    """The id of the workflow a body's meeting schedule starts (P5); Temporal appends the fire
    time, so each meeting's run has its own id and a fire is never started twice."""
    return f"meeting:{partnership}:{body}"


def declarations_schedule_workflow_id(partnership: str, body: str, kind: str) -> str:
    """The id of the workflow a declarations schedule starts (P6); Temporal appends the fire
    time. Its stream is the round's: `domain.streams.declarations_stream`."""
    return f"declarations:{partnership}:{body}:{kind}"
