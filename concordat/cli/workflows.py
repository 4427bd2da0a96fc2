"""`concordat workflows list` and `concordat status`: what runs, read through the API.

`list` asks the API for Temporal's visibility, filtered on the typed search attributes every
Concordat workflow sets (workflows/search_attributes.py), so it answers without waking any
workflow. `status` asks for one process: its description and its `state` as its own fold has
it rather than a copy.
"""

from datetime import datetime
from typing import Any

import click
from pydantic import BaseModel, ConfigDict

from concordat.cli.exits import exit_status, exit_text
from concordat.cli.output import emit, json_option, run_async
from concordat.cli.params import PARTNERSHIP
from concordat.cli.partnership_view import partnership_view, view_text
from concordat.cli.processes import list_processes, live_processes, process
from concordat.cli.review import review_status, review_text
from concordat.visibility import ProcessRow
from domain.aggregates.exit import ExitState
from domain.aggregates.partnership import PartnershipState
from domain.aggregates.review import ReviewState
from domain.partnership import Partnership
from workflows import search_attributes


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
    rows = await list_processes(partnership.slug if partnership else None, only_open)
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
    state: dict[str, Any]


@click.command()
@click.argument("workflow_id")
@json_option
@run_async
async def status(workflow_id: str, as_json: bool) -> None:
    """Show one workflow: its type, Temporal status and search attributes, and its state from
    the `state` query of its type."""
    described, state = await process(workflow_id)
    if as_json:
        emit(WorkflowStatus(workflow=described, state=_without_config(state)), True)
    else:
        emit(f"{_described_text(described)}\n{await _state_text(described, state)}", False)


def _without_config(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "config"}


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


async def _state_text(workflow: ProcessRow, state: dict[str, Any]) -> str:
    """The state as the matching `concordat` command prints it; other kinds field by field."""
    match workflow.workflow_type:
        case "Partnership":
            partnership = PartnershipState.model_validate(state)
            processes = await live_processes(partnership)
            source = f"its workflow {workflow.workflow_id}"
            return view_text(partnership_view(partnership, processes, source))
        case "Review":
            review = ReviewState.model_validate(state)
            return review_text(review_status(workflow.workflow_id, review))
        case "Exit":
            return exit_text(exit_status(workflow.workflow_id, ExitState.model_validate(state)))
    fields = {k: v for k, v in state.items() if k not in ("config", "bodies")}
    return "\n".join(_fields(fields))


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
