"""`concordat schedules sync`: the Temporal Schedules of the fixed cadences (docs/architecture.md
principle 5) in step with the partnerships' files, for the partnerships that have started.

A partnership whose workflow runs gets the schedules its file plans
(`workflows.schedule_plan.planned_schedules`); one that has not started, or whose workflow has
ended, gets none, and any it had are deleted. Idempotent: running it again changes nothing.
"""

from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from activities.contracts import SyncResult
from activities.schedules import (
    ScheduleInfo,
    ensure_partnership_schedules,
    list_schedules,
    remove_partnership_schedules,
)
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, load_partnership, partnership_slugs
from domain.streams import partnership_stream
from workflows.schedule_plan import planned_schedules

__all__ = ["ScheduleInfo", "SyncResult", "has_started", "list_schedules", "sync_schedules"]


async def has_started(client: Client, partnership: str) -> bool:
    """Whether the partnership's workflow is running."""
    try:
        described = await client.get_workflow_handle(partnership_stream(partnership)).describe()
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        return False
    return described.status is WorkflowExecutionStatus.RUNNING


async def sync_schedules(
    client: Client,
    task_queue: str,
    partnerships: Sequence[Partnership | str] | None = None,
    folder: Path = SHIPPED,
    *,
    web_base_url: str,
) -> list[SyncResult]:
    """Creates, updates or deletes Concordat's schedules to match the configuration of
    `partnerships` (all those in `folder` by default) that have started; the schedules of the
    others are deleted. `web_base_url` goes into each configuration as its workflow's has it
    (the address its letters point to), so a schedule made at the start is not changed here."""
    configs = [
        (p if isinstance(p, Partnership) else load_partnership(p, folder)).model_copy(
            update={"web_base_url": web_base_url}
        )
        for p in (partnerships if partnerships is not None else partnership_slugs(folder))
    ]
    results: list[SyncResult] = []
    for config in configs:
        if await has_started(client, config.slug):
            results += await ensure_partnership_schedules(
                client, task_queue, config.slug, planned_schedules(config)
            )
        else:
            results += await remove_partnership_schedules(client, config.slug)
    return results
