"""What the CLI and the web service share in reaching the workflows: starting a partnership's
workflow, and the one-line reasons Temporal's refusals are given as."""

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)
from temporalio.exceptions import FailureError
from temporalio.service import RPCError, RPCStatusCode

from domain.partnership import Partnership
from domain.streams import partnership_stream
from workflows import search_attributes
from workflows.contracts.partnership import PartnershipInput
from workflows.partnership import PROCESS, PartnershipWorkflow


def refusal(error: WorkflowUpdateFailedError) -> str:
    """The validator's own words; str() of an ApplicationError would prefix its type."""
    cause = error.cause
    return cause.message if isinstance(cause, FailureError) else str(cause or error)


def rpc_reason(workflow_id: str, error: RPCError) -> str:
    if error.status is RPCStatusCode.NOT_FOUND:
        return f"no process {workflow_id} is running"
    if error.status is RPCStatusCode.FAILED_PRECONDITION:
        return f"process {workflow_id} has ended: {error.message}"
    return f"Temporal refused the request for {workflow_id}: {error.message}"


async def start_partnership(
    client: Client, config: Partnership, actor: str, task_queue: str, *, web_base_url: str
) -> str:
    """Starts the partnership's workflow with `config`, or leaves the running one be; returns
    its id. RPCError if Temporal refuses. `web_base_url` goes into the configuration, so the
    workflow's letters can give the addresses of the pages where recipients act."""
    workflow_id = partnership_stream(config.slug)
    await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config.model_copy(update={"web_base_url": web_base_url})),
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # Listed at once, before the workflow's first task sets the rest.
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(search_attributes.PARTNERSHIP, config.slug),
                SearchAttributePair(search_attributes.PROCESS, PROCESS),
            ]
        ),
        memo={"started_by": actor},
    )
    return workflow_id
