"""The Temporal Schedule that mints a signed checkpoint of the log at a fixed interval (hourly by
default; docs/architecture.md principle 5, docs/audit.md)."""

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from activities.contracts import MintCheckpoint
from workflows.checkpoint import CheckpointWorkflow

SCHEDULE_ID = "checkpoint:log"
"""Not under deploy/schedules.py's prefix, whose sync deletes what the partnerships don't ask."""


def checkpoint_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CheckpointWorkflow.run,
            MintCheckpoint(reason="schedule"),
            id="checkpoint:scheduled",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # A missed hour is covered by the next checkpoint: no catching up, no overlap.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_checkpoint_schedule(client: Client, task_queue: str, every: timedelta) -> None:
    """Creates the schedule, or sets an existing one to `every`; idempotent."""
    wanted = checkpoint_schedule(task_queue, every)
    handle = client.get_schedule_handle(SCHEDULE_ID)
    try:
        await handle.describe()
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        await client.create_schedule(SCHEDULE_ID, wanted)
        return

    def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=wanted)

    await handle.update(update)
