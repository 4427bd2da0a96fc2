"""The append activity on a real PostgreSQL: what no retry can cure is refused, not retried."""

from datetime import UTC, date, datetime
from uuid import uuid4

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contracts import (
    CONCURRENCY_CONFLICT,
    AppendRequest,
    EventToRecord,
    ReadStream,
    StreamRead,
)
from activities.store import StoreActivities
from domain.events import MouSigned
from domain.provenance import system_actor
from eventstore.store import EventStore


def signature(name: str) -> AppendRequest:
    event = MouSigned(
        partnership="county-durham",
        organisation="tewv",
        signatory_name=name,
        signatory_role="Chair",
        signed_on=date(2024, 1, 5),
    )
    return AppendRequest(
        stream_id="partnership:county-durham",
        expected_version=0,
        events=[
            EventToRecord(
                event_id=uuid4(),
                occurred_at=datetime.now(UTC),
                actor=system_actor("timer:tests"),
                event=event,
            )
        ],
    )


async def test_a_value_postgres_cannot_hold_is_refused_non_retryable(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """A NUL cannot go into jsonb (UntranslatableCharacterError): once retried forever."""
    activities = StoreActivities(store)
    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(activities.append_events, signature("Ann\x00Smith"))
    assert caught.value.non_retryable
    assert caught.value.type == "InvalidEvent"
    assert "the log cannot hold these events" in caught.value.message
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    appended = await ActivityEnvironment().run(activities.append_events, signature("Ann Smith"))
    assert appended.last_version == 1


async def test_a_stream_that_moved_on_is_refused_as_the_conflict_workflows_catch_up_on(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    activities = StoreActivities(store)
    await ActivityEnvironment().run(activities.append_events, signature("Ann Smith"))

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(activities.append_events, signature("Bo Lee"))

    assert caught.value.type == CONCURRENCY_CONFLICT
    assert caught.value.non_retryable
    assert "is at version 1, not the expected 0" in caught.value.message
    assert await pool.fetchval("SELECT count(*) FROM events") == 1
    read = await ActivityEnvironment().run(
        activities.read_stream, ReadStream(stream_id="partnership:county-durham", after_version=1)
    )
    assert read == StreamRead(events=[], version=1)
