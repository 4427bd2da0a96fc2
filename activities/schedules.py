"""Temporal Schedules of one partnership, made to match its plan (`workflows.schedule_plan`).

`ensure_schedules` is idempotent: it creates a missing schedule, updates one whose calendar or
action differs from the plan (compared by a fingerprint kept in the schedule's note), leaves an
equal one alone and deletes the partnership's schedules the plan no longer has. The partnership's
workflow runs it when it starts; `concordat schedules sync` calls the same functions.
"""

from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity
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

from activities.contracts import ENSURE_SCHEDULES, EnsureSchedules, PlannedSchedule, SyncResult
from domain.meetings import FireCalendar
from workflows import search_attributes
from workflows.schedule_plan import PREFIX, partnership_prefixes, planned_schedules

log = structlog.get_logger(__name__)

NOTE_PREFIX = "concordat-sync "
CATCHUP_WINDOW = timedelta(days=7)
"""A fire missed while the service was down still runs if it comes back within a week."""


class ScheduleInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_id: str
    workflow: str
    comment: str
    paused: bool
    next_runs: tuple[datetime, ...]


class SchedulesActivities:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @activity.defn(name=ENSURE_SCHEDULES)
    async def ensure_schedules(self, request: EnsureSchedules) -> list[SyncResult]:
        """The partnership's schedules made to match `request`, on this worker's task queue."""
        planned = request.schedules if request.config is None else planned_schedules(request.config)
        try:
            return await ensure_partnership_schedules(
                self._client, self._task_queue, request.partnership, planned
            )
        except RPCError as error:
            # Temporal's time-skipping test server has no Schedules; every real one has.
            if error.status is not RPCStatusCode.UNIMPLEMENTED:
                raise
            log.warning("this Temporal runs no schedules", partnership=request.partnership)
            return []


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
        try:
            await client.create_schedule(planned.schedule_id, build_schedule(planned, task_queue))
        except RPCError as conflict:
            # Another sync (the partnership's workflow, or staff) made it a moment ago.
            if conflict.status is not RPCStatusCode.ALREADY_EXISTS:
                raise
            return await _sync_one(client, planned, task_queue)
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


async def ensure_partnership_schedules(
    client: Client, task_queue: str, partnership: str, planned: list[PlannedSchedule]
) -> list[SyncResult]:
    """Creates, updates or deletes `partnership`'s schedules to match `planned`."""
    results = [await _sync_one(client, p, task_queue) for p in planned]
    wanted = {p.schedule_id for p in planned}
    mine = partnership_prefixes(partnership)
    for info in await list_schedules(client):
        stale = info.schedule_id.startswith(mine) and info.schedule_id not in wanted
        if stale and await _delete(client, info.schedule_id):
            results.append(SyncResult(schedule_id=info.schedule_id, outcome="deleted"))
    return results


async def remove_partnership_schedules(client: Client, partnership: str) -> list[SyncResult]:
    """Deletes every schedule of `partnership` (one not started, or ended)."""
    return await ensure_partnership_schedules(client, "", partnership, [])


async def _delete(client: Client, schedule_id: str) -> bool:
    try:
        await client.get_schedule_handle(schedule_id).delete()
    except RPCError as error:
        # Listing lags behind: another sync may have deleted it already.
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        return False
    return True


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
