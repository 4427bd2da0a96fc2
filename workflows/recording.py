"""Decide in the workflow, record through an activity (docs/architecture.md principle 1).

Event ids are made with workflow.uuid4(), which is replayed identically, so an append retried
after its insert committed carries the same ids and the store writes nothing twice.

A workflow is the one writer of its stream, yet the stream can hold more than the workflow has
folded: after an operator reset it to an earlier workflow task, or after Temporal's database was
restored from a backup older than the log. An append then finds the stream moved on
(`LogMovedOn`), and the workflow catches up on what the log holds and decides again, rather than
failing every command from then on.
"""

from datetime import timedelta
from typing import NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from activities.contracts import (
    APPEND_EVENTS,
    CONCURRENCY_CONFLICT,
    Appended,
    AppendRequest,
    EventToRecord,
)
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.provenance import Actor
from workflows.contracts.process import Stream

DOMAIN_REJECTED = "DomainRejected"
INVALID_EVENT = "InvalidEvent"
"""The store's refusal of events it cannot hold: non-retryable, so never retried forever."""

STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


class LogMovedOn(Exception):
    """The stream holds events past the version this run has folded."""


def reject(error: DomainError) -> NoReturn:
    """A refused command fails the update with the domain's own words; it is never retried."""
    raise ApplicationError(str(error), type=DOMAIN_REJECTED, non_retryable=True) from error


async def record(stream: Stream, events: list[DomainEvent], actor: Actor) -> Stream:
    """Appends `events` at the stream's version and returns the stream after them; raises
    LogMovedOn, having written nothing, when the stream has gone past that version."""
    if not events:
        return stream
    now = workflow.now()
    request = AppendRequest(
        stream_id=stream.stream_id,
        expected_version=stream.version,
        events=[
            EventToRecord(event_id=workflow.uuid4(), occurred_at=now, actor=actor, event=e)
            for e in events
        ],
    )
    try:
        result = await workflow.execute_activity(
            APPEND_EVENTS,
            request,
            result_type=Appended,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=STORE_RETRY,
        )
    except ActivityError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type == CONCURRENCY_CONFLICT:
            raise LogMovedOn(cause.message) from error
        refused_by_store(error)
    return stream.model_copy(update={"version": result.last_version})


def refused_by_store(error: ActivityError) -> NoReturn:
    """Re-raises a failed append; one the log cannot hold, however often asked, as an update's
    refusal in the store's words rather than as "activity failed"."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type == INVALID_EVENT:
        raise ApplicationError(cause.message, type=INVALID_EVENT, non_retryable=True) from error
    raise error
