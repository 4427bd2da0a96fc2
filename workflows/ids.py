"""Workflow ids and stream ids, derived from the partnership and the subject so that the same
process cannot be started twice by accident (DESIGN.md principle 2: one writer per stream)."""

from datetime import date


def partnership_workflow_id(partnership: str) -> str:
    return f"partnership:{partnership}"


def partnership_stream(partnership: str) -> str:
    return f"partnership:{partnership}"


def review_workflow_id(partnership: str, review_id: str) -> str:
    """One review process per review of a partnership (PROCESSES.md P1); also its stream id."""
    return f"review:{partnership}:{review_id}"


def exit_workflow_id(partnership: str, organisation: str, notified_on: date) -> str:
    """One exit process per notice a partner gives (PROCESSES.md P2); also its stream id. A
    partner that withdrew its notice may give another later, under a new id."""
    return f"exit:{partnership}:{organisation}:{notified_on.isoformat()}"


def committee_workflow_id(partnership: str, committee: str) -> str:
    """One formation per committee of a partnership (P3); its stream has the same id."""
    return f"committee:{partnership}:{committee}"


def escalation_workflow_id(partnership: str, escalation_id: str) -> str:
    """One workflow, and one stream, per escalation of a partnership (P4)."""
    return f"escalation:{partnership}:{escalation_id}"


def meeting_schedule_workflow_id(partnership: str, body: str) -> str:
    """The id of the workflow a body's meeting schedule starts (P5); Temporal appends the fire
    time, so each meeting's run has its own id and a fire is never started twice."""
    return f"meeting:{partnership}:{body}"


def meeting_stream(partnership: str, body: str, meeting_on: date) -> str:
    """One stream per meeting of a body (P5); the same string as `domain.meetings.process_id`."""
    return f"meeting:{partnership}:{body}:{meeting_on.isoformat()}"


def declarations_schedule_workflow_id(partnership: str, body: str, kind: str) -> str:
    """The id of the workflow a declarations schedule starts (P6); Temporal appends the fire
    time. Its stream is the round's: `domain.declarations.round_id`."""
    return f"declarations:{partnership}:{body}:{kind}"
