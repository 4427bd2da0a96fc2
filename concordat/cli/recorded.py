"""Waiting for a newly started process to write its first events before the command returns.

A command that starts a process (a committee formation, an escalation) would otherwise return
while the workflow is still recording its start, and a script's next command, or an auditor's
`concordat audit digest`, could run before the log has it. A process publishes its status search
attribute whenever it changes, and a workflow's description reads it from the workflow's own
state, so a status past the one it has before its start is recorded is the signal to wait for.
"""

import asyncio
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from concordat.cli.output import fail
from workflows import search_attributes

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.2


async def until_recorded(handle: WorkflowHandle[Any, Any], unrecorded: str | None = None) -> None:
    """Returns once `handle`'s workflow has published a status other than `unrecorded` (the one
    it publishes, having read its empty stream, before its start is recorded); a workflow that
    ends without doing so, or takes too long (no worker running), ends the command."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        described = await handle.describe()
        if described.typed_search_attributes.get(search_attributes.STATUS) not in (
            None,
            unrecorded,
        ):
            return
        if described.status not in (None, WorkflowExecutionStatus.RUNNING):
            fail(f"{handle.id} ended before recording its start ({described.status.name})")
        await asyncio.sleep(POLL_SECONDS)
    fail(f"{handle.id} was started but has not recorded it yet: is a worker running?")
