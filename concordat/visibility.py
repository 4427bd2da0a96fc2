"""Temporal's visibility, read by the CLI and the web service alike: each workflow as one row
with the search attributes every Concordat workflow sets."""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.api.common.v1 import SearchAttributes, WorkflowExecution as ExecutionRef
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    ListWorkflowExecutionsRequest,
)
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.converter import decode_typed_search_attributes

from workflows import search_attributes


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
