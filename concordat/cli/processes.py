"""Finding a partnership's running workflow and the processes it owns.

Commands address processes by partnership and subject, never by workflow id: the partnership
records every process it starts and ends, so its state says which review, exits, formations and
escalations are open, and Temporal's visibility (the typed search attributes every workflow
sets) says at what stage each is.
"""

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from concordat.cli.output import fail
from concordat.cli.params import Operator, signed
from concordat.cli.partnership_view import ProcessLine
from concordat.cli.temporal import call, query
from concordat.visibility import ProcessRow, describe, running_query, visible
from domain.aggregates.partnership import PartnershipState
from domain.errors import DomainError
from domain.events import ProcessKind
from domain.partnership import Partnership
from domain.streams import partnership_stream
from workflows.exit import ExitResult, ExitWorkflow
from workflows.launches import ProcessStart, Started
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewResult, ReviewWorkflow

PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]


async def list_processes(client: Client, visibility_query: str) -> list[ProcessRow]:
    """Every workflow matching `visibility_query`, oldest first."""
    try:
        return await visible(client, visibility_query)
    except RPCError as error:
        fail(f"Temporal refused to list workflows ({visibility_query}): {error.message}")


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
