"""Appends: optimistic concurrency, idempotent retries, and bad input that writes nothing."""

import asyncio
from datetime import datetime

import asyncpg
import pytest
from pydantic import ValidationError

from eventstore.errors import ConcurrencyConflict, EventIdConflict, InvalidEvent
from eventstore.migrate import apply_migrations, migration_files, pending_migrations
from eventstore.models import NewEvent
from eventstore.store import EventStore
from tests.store.events import batch, new_event


async def count_events(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def test_append_assigns_versions_and_positions(store: EventStore) -> None:
    first = await store.append("partnership:a", 0, batch(2))
    second = await store.append("partnership:b", 0, batch(1))
    third = await store.append("partnership:a", 2, batch(1, start=2))
    assert (first.positions, first.last_version) == ([1, 2], 2)
    assert (second.positions, second.last_version) == ([3], 1)
    assert (third.positions, third.last_version) == ([4], 3)
    stream = await store.read_stream("partnership:a")
    assert [(e.version, e.position, e.data["n"]) for e in stream] == [
        (1, 1, 0),
        (2, 2, 1),
        (3, 4, 2),
    ]


async def test_recorded_event_keeps_every_field(store: EventStore) -> None:
    event = new_event(7, event_type="MouSigned", organisation="tewv", note="Tees, Esk & Wear — ✓")
    await store.append("s", 0, [event])
    [recorded] = await store.read_all()
    assert recorded.event_id == event.event_id
    assert recorded.type == "MouSigned" and recorded.schema_version == 1
    assert recorded.data == event.data
    assert recorded.metadata == {"actor": "tests"}
    assert recorded.occurred_at == event.occurred_at
    assert recorded.recorded_at.tzinfo is not None
    assert len(recorded.chain_hash) == 64


async def test_wrong_expected_version_is_a_named_conflict(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await store.append("s", 0, batch(2))
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append("s", 1, batch(1, start=5))
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    with pytest.raises(ConcurrencyConflict):
        await store.append("s", 3, batch(1, start=5))
    assert await count_events(pool) == 2


async def test_concurrent_writers_at_the_same_version_only_one_wins(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    results = await asyncio.gather(
        *(store.append("contested", 0, batch(1, start=i)) for i in range(10)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyConflict) for r in losers)
    assert await count_events(pool) == 1


@pytest.mark.parametrize("size", [1, 3], ids=["one event", "a batch"])
async def test_retried_append_returns_the_recorded_positions_and_writes_nothing(
    store: EventStore, pool: asyncpg.Pool, size: int
) -> None:
    """One event goes through append_event(), a batch through append_events() (0006, 0001)."""
    events = batch(size)
    first = await store.append("s", 0, events)
    await store.append("other", 0, batch(1, start=9))
    # The retry carries different recording metadata (a later attempt), as a retried activity does.
    retried = [e.with_metadata(attempt=2) for e in events]
    again = await store.append("s", 0, retried)
    assert again.positions == first.positions == list(range(1, size + 1))
    assert again.last_version == first.last_version == size
    assert again.already_recorded and not first.already_recorded
    # Still recognised once the stream has moved on.
    await store.append("s", size, batch(1, start=20))
    assert await store.append("s", 0, retried) == again
    assert await count_events(pool) == size + 2
    assert (await store.verify()).intact


async def test_single_events_and_batches_make_one_chain(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """append_event() and append_events() take the same lock and link the same chain."""
    results = [
        await store.append("a", 0, batch(1)),
        await store.append("b", 0, batch(2, start=1)),
        await store.append("a", 1, batch(1, start=3)),
        await store.append("a", 2, batch(3, start=4)),
        await store.append("b", 2, batch(1, start=7)),
    ]
    assert [r.positions for r in results] == [[1], [2, 3], [4], [5, 6, 7], [8]]
    assert [r.last_version for r in results] == [1, 2, 2, 5, 3]
    assert [e.version for e in await store.read_stream("a")] == [1, 2, 3, 4, 5]
    verification = await store.verify()
    assert verification.intact and verification.checked == 8


async def test_different_event_under_a_recorded_id_is_refused(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    [event] = batch(1)
    await store.append("s", 0, [event])
    changed = event.model_copy(update={"data": {"n": 999}})
    with pytest.raises(EventIdConflict):
        await store.append("s", 0, [changed])
    # The same id offered to another stream, or mixed with new events, is refused too.
    with pytest.raises(EventIdConflict):
        await store.append("elsewhere", 0, [event])
    with pytest.raises(EventIdConflict):
        await store.append("s", 1, [event, new_event(2)])
    assert await count_events(pool) == 1


async def test_bad_input_is_refused_and_writes_nothing(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    with pytest.raises(InvalidEvent, match="float"):
        await store.append("s", 0, [new_event(1, share=0.75)])
    with pytest.raises(InvalidEvent, match="no events"):
        await store.append("s", 0, [])
    with pytest.raises(InvalidEvent, match="stream id"):
        await store.append("", 0, batch(1))
    with pytest.raises(ValidationError, match="timezone"):
        NewEvent(event_id=new_event().event_id, type="X", data={}, occurred_at=datetime(2022, 1, 1))
    with pytest.raises(asyncpg.PostgresError):
        # jsonb cannot hold a NUL character; the whole batch is refused.
        await store.append("s", 0, [new_event(1), new_event(2, text="a\u0000b")])
    assert await count_events(pool) == 0


async def test_migrations_apply_once_and_are_recorded(pool: asyncpg.Pool, owner_url: str) -> None:
    owner = await asyncpg.connect(owner_url)
    try:
        assert await apply_migrations(owner) == []
    finally:
        await owner.close()
    async with pool.acquire() as conn:  # the application role sees nothing pending
        assert await pending_migrations(conn) == []
        names = [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")]
    assert names == [name for name, _ in migration_files()]
