"""The store's reads for auditors: one partnership across its streams, and every row by cursor."""

import contextlib
import json

import asyncpg
import pytest

from eventstore.pool import open_pool
from eventstore.store import COLUMNS, EventStore
from tests.audit.story import PARTNERSHIP_STREAM, county_durham_story
from tests.store.events import new_event


async def test_read_partnership_gathers_its_streams_in_log_order(
    story: int, store: EventStore
) -> None:
    await store.append("partnership:mid-south-essex", 0, [new_event(partnership="mid-south-essex")])
    await store.append("no-partnership", 0, [new_event()])
    events = await store.read_partnership("county-durham")
    assert len(events) == story
    assert [e.position for e in events] == list(range(1, story + 1))
    assert {e.stream_id for e in events} == {s.stream_id for s in county_durham_story()}
    assert events[0].stream_id == PARTNERSHIP_STREAM
    (essex,) = await store.read_partnership("mid-south-essex")
    assert essex.position == story + 1
    assert await store.read_partnership("nenc-ics") == []


async def test_read_partnership_uses_the_index(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await conn.fetchval(
            "EXPLAIN (FORMAT JSON) SELECT position FROM events"
            " WHERE data ->> 'partnership' = 'county-durham' ORDER BY position"
        )
    assert "events_by_partnership" in json.dumps(plan)


async def test_export_rows_yields_every_column_of_every_row(story: int, store: EventStore) -> None:
    rows = [row async for row in store.export_rows(prefetch=7)]
    assert len(rows) == story
    assert all(tuple(row.keys()) == COLUMNS for row in rows)
    assert [r["position"] for r in rows] == list(range(1, story + 1))
    assert rows[-1]["chain_hash"].hex() == (await store.digest()).chain_hash


async def test_export_rows_of_one_partnership(story: int, store: EventStore) -> None:
    await store.append("partnership:mid-south-essex", 0, [new_event(partnership="mid-south-essex")])
    (row,) = [r async for r in store.export_rows("mid-south-essex")]
    assert json.loads(row["data"])["partnership"] == "mid-south-essex"
    assert len([r async for r in store.export_rows("county-durham")]) == story


async def test_partnership_rows_reads_only_the_columns_asked_for(
    story: int, store: EventStore
) -> None:
    columns = ("position", "data", "metadata")
    rows = [r async for r in store.partnership_rows("county-durham", columns=columns)]
    assert len(rows) == story
    assert all(tuple(row.keys()) == columns for row in rows)
    with pytest.raises(ValueError, match=r"\['secret'\] are not columns"):
        [r async for r in store.partnership_rows("county-durham", columns=("position", "secret"))]


async def test_a_read_stopped_early_leaves_its_connection_ready(
    story: int, database_url: str
) -> None:
    """The batch asked for ahead is awaited before the connection goes back to the pool: the
    pool's one connection then serves the next reads."""
    pool = await open_pool(database_url, max_size=1)
    try:
        store = EventStore(pool)
        reads = [
            store.export_rows(prefetch=2),
            store.partnership_rows("county-durham"),
            store.partnership_events("county-durham"),
        ]
        for read in reads:
            async with contextlib.aclosing(read) as rows:
                async for _ in rows:
                    break
        assert (await store.digest()).position == story
        assert len([r async for r in store.export_rows(prefetch=5)]) == story
    finally:
        await pool.close()
