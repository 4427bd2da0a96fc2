"""Processes started as staff start them: through an effective partnership's workflow.

A review, an exit, a committee's formation or an escalation runs only as its partnership's child
(one started on its own is refused), so workflow tests start a partnership, have every signatory
sign on the server's date, and ask the partnership to start the process.
"""

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from domain.aggregates.partnership import PartnershipState, SignMou
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.people import signed
from workflows.contracts.partnership import PartnershipInput, ProcessStart, Started
from workflows.partnership import PartnershipWorkflow

R = TypeVar("R")

PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]

TIME_SKIPPING: list[WorkflowEnvironment] = []
"""The session's time-skipping server, set for every workflow test by an autouse fixture in
conftest.py, so that helpers acting as staff can let its clock reach the day they act on."""


async def on_the_day(day: date) -> None:
    """Staff record what happened on or after its day (R10 refuses a date after today): the
    time-skipping server's clock is moved on to `day` if it has not reached it."""
    env = TIME_SKIPPING[0]
    ahead = day - (await env.get_current_time()).date()
    if ahead > timedelta(0):
        await env.sleep(ahead)


def own_slug(config: Partnership) -> Partnership:
    """`config` under a slug of its own, so ids never meet on a server shared by many tests."""
    return config.model_copy(update={"slug": f"{config.slug}-{uuid.uuid4().hex[:6]}"})


def county_durham(signatories: tuple[str, ...] | None = None) -> Partnership:
    """County Durham under a slug of its own; with `signatories`, only those sign the MoU (as
    if the others had left)."""
    config = own_slug(load_partnership("county-durham"))
    if signatories is not None:
        config = config.model_copy(update={"signatories": signatories})
    return config


async def effective_partnership(
    client: Client,
    config: Partnership,
    task_queue: str,
    signed_on: date,
    **input: Any,
) -> PartnershipHandle:
    """The partnership's workflow with every signatory's signature recorded on `signed_on`."""
    handle = await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config, **input),
        id=partnership_stream(config.slug),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    for organisation in config.signatories:
        await sign_mou(handle, config, organisation, signed_on)
    return handle


async def sign_mou(
    handle: PartnershipHandle, config: Partnership, organisation: str, signed_on: date
) -> None:
    """`organisation`'s chief executive signs the MoU on `signed_on`."""
    await handle.execute_update(
        PartnershipWorkflow.execute,
        signed(
            config,
            SignMou(
                organisation=organisation,
                signatory_name=f"Chief Executive of {organisation}",
                signatory_role="Chief Executive",
                signed_on=signed_on,
            ),
        ),
    )


async def start_process(partnership: PartnershipHandle, command: ProcessStart) -> Started:
    """Asks the partnership to start a process, as the secretariat (or, for an exit, the
    leaving partner's representative) does under the partnership's access data."""
    config = (await partnership.query(PartnershipWorkflow.state)).config
    return await partnership.execute_update(PartnershipWorkflow.start, signed(config, command))


_CLOSED = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
}


async def result_of(env: WorkflowEnvironment, handle: WorkflowHandle[Any, R], days: int = 400) -> R:
    """The result of a process that runs under a partnership. The time-skipping server moves
    its clock on by itself only while nothing else is running; the partnership always is, so
    time is let pass a day at a time until the process has closed."""
    for _ in range(days):
        last = None
        async for event in handle.fetch_history_events():
            last = event
        if last is not None and last.event_type in _CLOSED:
            return await handle.result()
        await env.sleep(timedelta(days=1))
    raise AssertionError(f"{handle.id} did not close within {days} days")


async def raw_description(
    client: Client, handle: WorkflowHandle[Any, Any]
) -> DescribeWorkflowExecutionResponse:
    """The unparsed description: the test server keeps an unset datetime search attribute in a
    form `describe()` cannot parse."""
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )


async def settled(store: EventStore, client: Client, handle: WorkflowHandle[Any, Any]) -> int:
    """The stream's length once the workflow has nothing in flight (the notices a start or a
    command issued are delivered and their receipts recorded in the background)."""
    length = -1
    for _ in range(200):
        pending = (await raw_description(client, handle)).pending_activities
        now = len(await store.read_stream(handle.id))
        if not pending and now == length:
            return now
        length = now
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} did not settle")
