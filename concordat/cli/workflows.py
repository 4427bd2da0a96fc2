"""`concordat workflows list` and `concordat status`: what runs, read through Temporal.

`list` asks Temporal's visibility, filtering on the typed search attributes every Concordat
workflow sets (workflows/search_attributes.py), so it answers without waking any workflow.
`status` describes one workflow and asks it for its `state`, with the query of its type, so
staff see the process as its own fold has it rather than a copy.
"""

from datetime import datetime
from typing import Any

import click
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from concordat.cli.exits import exit_status, exit_text
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import PARTNERSHIP
from concordat.cli.partnership_view import partnership_view, view_text
from concordat.cli.processes import list_processes, live_processes
from concordat.cli.review import review_status, review_text
from concordat.cli.temporal import client, query
from concordat.visibility import ProcessRow, describe
from domain.partnership import Partnership
from workflows import search_attributes
from workflows.committee import CommitteeWorkflow
from workflows.declarations import DeclarationsWorkflow
from workflows.escalation import EscalationWorkflow
from workflows.exit import ExitWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

# The `state` query of each workflow type, so its result comes back as the type's model.
_STATE_QUERIES: dict[str, Any] = {
    "Partnership": PartnershipWorkflow.state,
    "Review": ReviewWorkflow.state,
    "Exit": ExitWorkflow.state,
    "Committee": CommitteeWorkflow.state,
    "Escalation": EscalationWorkflow.state,
    "MeetingCycle": MeetingCycleWorkflow.state,
    "Declarations": DeclarationsWorkflow.state,
}


@click.group(name="workflows")
def workflows_group() -> None:
    """Concordat's workflows as Temporal lists them."""


@workflows_group.command(name="list")
@click.option(
    "--partnership", type=PARTNERSHIP, help="Only this partnership's workflows (its slug)."
)
@click.option("--open", "only_open", is_flag=True, help="Only workflows still running.")
@json_option
@run_async
async def list_(partnership: Partnership | None, only_open: bool, as_json: bool) -> None:
    """Workflows with their type, Temporal status, Concordat status (ConcordatStatus) and next
    deadline (ConcordatNextDeadline), oldest first."""
    clauses = []
    if partnership is not None:
        clauses.append(f"{search_attributes.PARTNERSHIP.name} = '{partnership.slug}'")
    if only_open:
        clauses.append("ExecutionStatus = 'Running'")
    rows = await list_processes(await client(), " AND ".join(clauses))
    emit(rows, as_json, _rows_text)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def _deadline(r: ProcessRow) -> str:
    """The next deadline; "unknown" when Temporal holds one that did not decode."""
    if search_attributes.NEXT_DEADLINE.name in r.unreadable:
        return "unknown"
    return _when(r.next_deadline)


def _concordat_status(r: ProcessRow) -> str:
    if search_attributes.STATUS.name in r.unreadable:
        return "unknown"
    return r.concordat_status or "-"


def _rows_text(rows: list[ProcessRow]) -> str:
    if not rows:
        return "no workflows"
    width = max(len(r.workflow_id) for r in rows)
    header = (
        f"{'WORKFLOW ID':<{width}}  {'TYPE':<12} {'STATUS':<10} {'CONCORDAT':<26} NEXT DEADLINE"
    )
    lines = [
        f"{r.workflow_id:<{width}}  {r.workflow_type:<12} {r.status:<10} "
        f"{_concordat_status(r):<26} {_deadline(r)}"
        for r in rows
    ]
    return "\n".join([header, *lines])


class WorkflowStatus(BaseModel):
    """One workflow as Temporal describes it, and its state as its own query gives it."""

    model_config = ConfigDict(frozen=True)

    workflow: ProcessRow
    state: dict[str, Any] | None
    state_problem: str | None = None


@click.command()
@click.argument("workflow_id")
@json_option
@run_async
async def status(workflow_id: str, as_json: bool) -> None:
    """Show one workflow: its type, Temporal status and search attributes, and its state from
    the `state` query of its type."""
    temporal = await client()
    handle = temporal.get_workflow_handle(workflow_id)
    described = await _describe(temporal, workflow_id)
    state_query = _STATE_QUERIES.get(described.workflow_type)
    state: BaseModel | None = None
    problem = None
    if state_query is None:
        problem = f"{described.workflow_type} is not a Concordat workflow type"
    else:
        state = await query(handle, state_query)
    if as_json:
        dumped = state.model_dump(mode="json", exclude={"config"}) if state else None
        emit(WorkflowStatus(workflow=described, state=dumped, state_problem=problem), True)
    elif state is None:
        emit(f"{_described_text(described)}\n  no state: {problem}", False)
    else:
        state_text = await _state_text(temporal, described, state)
        emit(f"{_described_text(described)}\n{state_text}", False)


async def _describe(temporal: Client, workflow_id: str) -> ProcessRow:
    try:
        return await describe(temporal, workflow_id)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            fail(f"no workflow {workflow_id!r} is known to Temporal")
        fail(f"Temporal refused to describe {workflow_id}: {error.message}")


def _described_text(workflow: ProcessRow) -> str:
    lines = [
        f"{workflow.workflow_id}: {workflow.workflow_type}, {workflow.status}",
        f"  started {_when(workflow.started_at)}"
        + (f", closed {_when(workflow.closed_at)}" if workflow.closed_at else ""),
        f"  ConcordatPartnership={workflow.partnership or '-'} "
        f"ConcordatStatus={_concordat_status(workflow)} "
        f"ConcordatNextDeadline={_deadline(workflow)}",
    ]
    return "\n".join(lines)


async def _state_text(temporal: Client, workflow: ProcessRow, state: Any) -> str:
    """The state as the matching `concordat` command prints it; other kinds field by field."""
    match workflow.workflow_type:
        case "Partnership":
            handle = temporal.get_workflow_handle_for(PartnershipWorkflow.run, workflow.workflow_id)
            processes = await live_processes(temporal, handle, state.slug)
            source = f"its workflow {workflow.workflow_id}"
            return view_text(partnership_view(state, processes, source))
        case "Review":
            return review_text(review_status(workflow.workflow_id, state))
        case "Exit":
            return exit_text(exit_status(workflow.workflow_id, state))
    return "\n".join(_fields(state.model_dump(mode="json", exclude={"config", "bodies"})))


def _fields(values: dict[str, Any]) -> list[str]:
    lines = []
    for name, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"  {name}: {len(value)}")
            lines.extend(f"    {_brief(item)}" for item in value)
        elif isinstance(value, list):
            lines.append(f"  {name}: {', '.join(map(str, value)) or 'none'}")
        else:
            lines.append(f"  {name}: {value if value not in (None, '') else '-'}")
    return lines


def _brief(item: dict[str, Any]) -> str:
    """One line for a nested record: its scalar fields."""
    return "; ".join(
        f"{k}={v}"
        for k, v in item.items()
        if not isinstance(v, list | dict) and v not in (None, "")
    )
