"""Finding a partnership's running workflow and the processes it owns.

Commands address processes by partnership and subject, never by workflow id: the partnership
records every process it starts and ends, so its state says which review, exits, formations and
escalations are open, and Temporal's visibility (the typed search attributes every workflow
sets) says at what stage each is.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.api.common.v1 import SearchAttributes, WorkflowExecution as ExecutionRef
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    ListWorkflowExecutionsRequest,
)
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.converter import decode_typed_search_attributes
from temporalio.service import RPCError, RPCStatusCode

from concordat.cli.output import fail
from concordat.cli.params import Operator, signed
from concordat.cli.partnership_view import ProcessLine
from concordat.cli.temporal import call, query
from domain.aggregates.partnership import PartnershipState
from domain.errors import DomainError
from domain.events import ProcessKind
from domain.partnership import Partnership
from domain.streams import partnership_stream
from workflows import search_attributes
from workflows.exit import ExitResult, ExitWorkflow
from workflows.launches import ProcessStart, Started
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewResult, ReviewWorkflow

PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]


class ProcessRow(BaseModel):
    """One workflow as Temporal's visibility lists it."""

    model_config = ConfigDict(frozen=True)

    workflow_id: str
    workflow_type: str
    status: str
    partnership: str | None
    concordat_status: str | None
    next_deadline: datetime | None
    started_at: datetime
    closed_at: datetime | None
    unreadable: tuple[str, ...] = ()
    """Search attributes whose values did not decode: shown as unknown, not as absent."""


def _attributes(raw: SearchAttributes) -> tuple[TypedSearchAttributes, tuple[str, ...]]:
    """Each attribute decoded on its own: the SDK decodes all at once and raises on the first it
    cannot read, which would lose the rest and end the command."""
    pairs: list[SearchAttributePair[Any]] = []
    unreadable = []
    for name, payload in raw.indexed_fields.items():
        if not payload.data:
            continue  # the time-skipping test server keeps an unset value as empty data
        try:
            one = SearchAttributes(indexed_fields={name: payload})
            pairs.extend(decode_typed_search_attributes(one))
        except (ValueError, TypeError, RuntimeError):
            unreadable.append(name)
    return TypedSearchAttributes(pairs), tuple(sorted(unreadable))


def row(info: WorkflowExecutionInfo) -> ProcessRow:
    """One workflow from the raw visibility record Temporal returns."""
    attributes, unreadable = _attributes(info.search_attributes)
    closed = info.close_time.ToDatetime(UTC) if info.HasField("close_time") else None
    return ProcessRow(
        workflow_id=info.execution.workflow_id,
        workflow_type=info.type.name,
        status=WorkflowExecutionStatus(info.status).name if info.status else "UNKNOWN",
        partnership=attributes.get(search_attributes.PARTNERSHIP),
        concordat_status=attributes.get(search_attributes.STATUS),
        next_deadline=attributes.get(search_attributes.NEXT_DEADLINE),
        started_at=info.start_time.ToDatetime(UTC),
        closed_at=closed,
        unreadable=unreadable,
    )


async def visible(client: Client, visibility_query: str) -> list[ProcessRow]:
    """Every workflow matching `visibility_query`, oldest first; RPCError if Temporal refuses."""
    rows: list[ProcessRow] = []
    token = b""
    while True:
        page = await client.workflow_service.list_workflow_executions(
            ListWorkflowExecutionsRequest(
                namespace=client.namespace, query=visibility_query, next_page_token=token
            ),
            retry=True,
        )
        rows.extend(row(info) for info in page.executions)
        token = page.next_page_token
        if not token:
            return sorted(rows, key=lambda r: (r.started_at, r.workflow_id))


async def list_processes(client: Client, visibility_query: str) -> list[ProcessRow]:
    """Every workflow matching `visibility_query`, oldest first."""
    try:
        return await visible(client, visibility_query)
    except RPCError as error:
        fail(f"Temporal refused to list workflows ({visibility_query}): {error.message}")


async def describe(client: Client, workflow_id: str) -> ProcessRow:
    """The latest run of `workflow_id` as Temporal describes it; RPCError if it cannot."""
    described = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=ExecutionRef(workflow_id=workflow_id)
        ),
        retry=True,
    )
    return row(described.workflow_execution_info)


def running_query(partnership: str | None = None, workflow_type: str | None = None) -> str:
    """A visibility query for running workflows; slugs and types are validated names, so they
    are quoted as they stand."""
    clauses = ["ExecutionStatus = 'Running'"]
    if partnership is not None:
        clauses.append(f"{search_attributes.PARTNERSHIP.name} = '{partnership}'")
    if workflow_type is not None:
        clauses.append(f"WorkflowType = '{workflow_type}'")
    return " AND ".join(clauses)


def not_running(config: Partnership) -> str:
    return (
        f"the {config.slug} partnership's workflow is not running; "
        f"start it with: concordat partnerships start {config.slug}"
    )


async def partnership_handle(client: Client, config: Partnership) -> PartnershipHandle:
    """The running workflow of `config`'s partnership, or a refusal saying how to start it."""
    handle = client.get_workflow_handle_for(
        PartnershipWorkflow.run, partnership_stream(config.slug)
    )
    status = await execution_status(client, handle.id)
    if status is not WorkflowExecutionStatus.RUNNING:
        fail(not_running(config))
    return handle


async def execution_status(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    """The status of the workflow's latest run; None when there has never been one."""
    try:
        described = await describe(client, workflow_id)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return None
        fail(f"Temporal refused to describe {workflow_id}: {error.message}")
    return WorkflowExecutionStatus[described.status] if described.status != "UNKNOWN" else None


async def start_process(
    client: Client, config: Partnership, command: ProcessStart, actor: Operator
) -> Started:
    """Asks the partnership to start a process; a refusal is one line, and nothing is written."""
    handle = await partnership_handle(client, config)
    started: Started = await call(handle, PartnershipWorkflow.start, signed(command, actor))
    return started


async def partnership_state(handle: PartnershipHandle) -> PartnershipState:
    result: PartnershipState = await query(handle, PartnershipWorkflow.state)
    return result


async def open_review(
    client: Client, config: Partnership
) -> WorkflowHandle[ReviewWorkflow, ReviewResult]:
    """The partnership's open review, or a refusal saying when the next one is due."""
    state = await partnership_state(await partnership_handle(client, config))
    review = state.open_process(ProcessKind.REVIEW)
    if review is None:
        due = f"; the next review is due {state.review_due_on}" if state.review_due_on else ""
        fail(f"no review of the {config.slug} MoU is open{due}")
    return client.get_workflow_handle_for(ReviewWorkflow.run, review.process_id)


async def open_exit(
    client: Client, config: Partnership, organisation: str
) -> WorkflowHandle[ExitWorkflow, ExitResult]:
    """The open exit of `organisation`, or a refusal naming what is wrong with the request."""
    known_organisation(config, organisation)
    state = await partnership_state(await partnership_handle(client, config))
    notice = state.open_process(ProcessKind.EXIT, organisation)
    if notice is None:
        exits = sorted(p.subject for p in state.open_processes if p.process is ProcessKind.EXIT)
        pending = f" (open exits: {', '.join(exits)})" if exits else ""
        fail(f"{organisation} has no exit notice open in {config.slug}{pending}")
    return client.get_workflow_handle_for(ExitWorkflow.run, notice.process_id)


def known_organisation(config: Partnership, organisation: str) -> None:
    """Refuses an organisation the partnership does not know, listing those it does."""
    try:
        config.organisation(organisation)
    except DomainError as error:
        fail(str(error))


async def live_processes(client: Client, handle: PartnershipHandle, slug: str) -> list[ProcessLine]:
    """The processes the partnership has open, each with the ConcordatStatus it publishes."""
    state = await partnership_state(handle)
    running = {r.workflow_id: r for r in await list_processes(client, running_query(slug))}
    return [
        ProcessLine(
            kind=p.process.value,
            subject=p.subject,
            workflow_id=p.process_id,
            status=found.concordat_status if (found := running.get(p.process_id)) else None,
        )
        for p in state.open_processes
    ]
