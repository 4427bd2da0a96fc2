"""The store's reads for auditors: one partnership across its streams, and every row by cursor."""

import json

import asyncpg

from audit.export import COLUMNS
from eventstore.store import EventStore
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
    assert all(tuple(row) == COLUMNS for row in rows)
    assert [r["position"] for r in rows] == list(range(1, story + 1))
    assert rows[-1]["chain_hash"].hex() == (await store.digest()).chain_hash


async def test_export_rows_of_one_partnership(story: int, store: EventStore) -> None:
    await store.append("partnership:mid-south-essex", 0, [new_event(partnership="mid-south-essex")])
    (row,) = [r async for r in store.export_rows("mid-south-essex")]
    assert json.loads(row["data"])["partnership"] == "mid-south-essex"
    assert len([r async for r in store.export_rows("county-durham")]) == story
