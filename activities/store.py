"""Activities that write and read the event log.

Event ids come from the workflow, so when an attempt fails after its insert committed the retry is
recognised by the store and writes nothing (issue 2, "Nothing lost").
"""

import time
from collections.abc import Awaitable, Callable

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import (
    APPEND_EVENTS,
    CHECKPOINTED_EVENTS,
    READ_STREAM,
    Appended,
    AppendRequest,
    ReadStream,
    StreamRead,
)
from activities.metrics import APPEND_SECONDS, EVENTS_APPENDED, process_of
from eventstore.codec import to_domain_event, to_new_event
from eventstore.errors import ConcurrencyConflict, EventIdConflict, InvalidEvent
from eventstore.store import EventStore

Checkpoint = Callable[[str], Awaitable[object]]


class StoreActivities:
    def __init__(self, store: EventStore, checkpoint: Checkpoint | None = None) -> None:
        self._store = store
        self._checkpoint = checkpoint

    @activity.defn(name=APPEND_EVENTS)
    async def append_events(self, request: AppendRequest) -> Appended:
        info = activity.info()
        recorded_by = {
            "workflow_id": info.workflow_id,
            "run_id": info.workflow_run_id,
            "activity_id": info.activity_id,
            "attempt": info.attempt,
        }
        started = time.perf_counter()
        try:
            events = [
                to_new_event(
                    e.event, event_id=e.event_id, occurred_at=e.occurred_at, actor=e.actor
                ).with_metadata(**recorded_by)
                for e in request.events
            ]
            result = await self._store.append(request.stream_id, request.expected_version, events)
        except (ConcurrencyConflict, EventIdConflict, InvalidEvent) as error:
            # Retrying cannot change the answer: the workflow must hear it at once.
            raise ApplicationError(
                str(error), type=type(error).__name__, non_retryable=True
            ) from error
        except asyncpg.DataError as error:
            # PostgreSQL cannot hold the value (a NUL in jsonb, a character the database's
            # encoding lacks): no retry can cure it, so it is refused, never retried forever.
            raise ApplicationError(
                f"the log cannot hold these events: {error}",
                type=InvalidEvent.__name__,
                non_retryable=True,
            ) from error
        finally:
            APPEND_SECONDS.observe(time.perf_counter() - started)
        if not result.already_recorded:
            EVENTS_APPENDED.labels(process_of(request.stream_id)).inc(len(result.positions))
        activity.logger.info(
            "events appended",
            extra={
                "stream_id": request.stream_id,
                "positions": result.positions,
                "already_recorded": result.already_recorded,
            },
        )
        await self._checkpoint_after(request)
        return Appended(
            positions=result.positions,
            last_version=result.last_version,
            already_recorded=result.already_recorded,
        )

    async def _checkpoint_after(self, request: AppendRequest) -> None:
        """A checkpoint right after a milestone (CHECKPOINTED_EVENTS), also when a retry finds
        the events recorded, since the attempt that recorded them may have stopped short of it.
        A failure is logged, never the append's: the hourly checkpoint covers the events."""
        milestones = sorted({e.event.type for e in request.events} & CHECKPOINTED_EVENTS)
        if self._checkpoint is None or not milestones:
            return
        try:
            await self._checkpoint(", ".join(milestones))
        except Exception:
            activity.logger.exception("checkpoint after %s failed", milestones)

    @activity.defn(name=READ_STREAM)
    async def read_stream(self, request: ReadStream) -> StreamRead:
        """A workflow rebuilding its state from the log reads its whole stream here; one whose
        stream moved on past it, what follows its version."""
        recorded = await self._store.read_stream(request.stream_id, request.after_version)
        return StreamRead(
            events=[to_domain_event(e) for e in recorded],
            version=recorded[-1].version if recorded else request.after_version,
        )
