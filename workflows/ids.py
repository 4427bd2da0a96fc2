"""Workflow ids: a process's workflow id is its stream id (`domain.streams`), except where a
schedule starts the workflow."""

from domain.streams import (
    committee_stream,
    escalation_stream,
    exit_stream,
    review_stream,
)
from domain.streams import meeting_stream as meeting_stream
from domain.streams import partnership_stream as partnership_stream

partnership_workflow_id = partnership_stream
review_workflow_id = review_stream
exit_workflow_id = exit_stream
committee_workflow_id = committee_stream
escalation_workflow_id = escalation_stream


def meeting_schedule_workflow_id(partnership: str, body: str) -> str:
    """The id of the workflow a body's meeting schedule starts (P5); Temporal appends the fire
    time, so each meeting's run has its own id and a fire is never started twice."""
    return f"meeting:{partnership}:{body}"


def declarations_schedule_workflow_id(partnership: str, body: str, kind: str) -> str:
    """The id of the workflow a declarations schedule starts (P6); Temporal appends the fire
    time. Its stream is the round's: `domain.streams.declarations_stream`."""
    return f"declarations:{partnership}:{body}:{kind}"
