"""How a process's workflow ended when it ended without its own last word, read from Temporal.

A child that is terminated, cancelled, timed out or failed leaves its partnership only a
`ChildWorkflowError`; who terminated it, and why, is in the close event of its history. The
partnership records that as the process being abandoned (docs/rules.md R11), so the record never
says a process is open when its workflow is gone.
"""

from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistoryEventFilterType
from temporalio.service import RPCError, RPCStatusCode

from activities.contracts import HOW_IT_ENDED, HowItEnded
from domain.events import Abandonment
from domain.text import LINE_MAX, NAME_MAX, printable

_HOW = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "cancelled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed out",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
}


class EndingActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name=HOW_IT_ENDED)
    async def how_it_ended(self, request: HowItEnded) -> Abandonment:
        """The close event of the workflow's latest run: how, by whom and why it ended."""
        handle = self._client.get_workflow_handle(request.workflow_id)
        try:
            return await _close_of(handle)
        except RPCError as error:
            # Its history is gone (retention, or a lost Temporal database): say so rather than
            # retry for ever; any other error is Temporal being unreachable, worth retrying.
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            return Abandonment(how="vanished", by=None, reason="Temporal no longer holds it")


async def _close_of(handle: WorkflowHandle[Any, Any]) -> Abandonment:
    async for event in handle.fetch_history_events(
        event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT
    ):
        how = _HOW.get(event.event_type)
        if how is None:
            continue
        by, reason = None, ""
        if event.HasField("workflow_execution_terminated_event_attributes"):
            closed = event.workflow_execution_terminated_event_attributes
            by, reason = closed.identity or None, closed.reason
        elif event.HasField("workflow_execution_failed_event_attributes"):
            reason = event.workflow_execution_failed_event_attributes.failure.message
        # Whatever an operator typed is kept, made safe to print and bounded like any
        # other text the record holds.
        return Abandonment(
            how=how,
            by=printable(by)[:NAME_MAX] if by else None,
            reason=printable(reason)[:LINE_MAX] or "no reason was given",
        )
    return Abandonment(how="vanished", by=None, reason="its workflow has no close event")
