"""verify() recomputes the chain from the rows and names the first position that is wrong,
whatever a superuser who bypassed the triggers did to the table."""

import json
from collections.abc import AsyncIterator

import asyncpg
import pytest

from eventstore.hashing import GENESIS_HASH, canonical_json, chain_link, event_hash, metadata_hash
from eventstore.models import Digest
from eventstore.store import EventStore
from tests.store.events import batch

EVENTS = 10


@pytest.fixture
async def superuser(store: EventStore, owner_url: str) -> AsyncIterator[asyncpg.Connection]:
    for stream in range(2):
        await store.append(f"s{stream}", 0, batch(EVENTS // 2, start=stream * 100))
    conn = await asyncpg.connect(owner_url)
    # The triggers fire even in replica mode (ENABLE ALWAYS): disabling them takes a superuser.
    await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
    yield conn
    await conn.close()


async def assert_broken_at(store: EventStore, position: int, problem: str) -> None:
    result = await store.verify()
    assert not result.intact
    assert result.first_bad_position == position
    assert result.problem is not None and problem in result.problem
    assert result.checked == position - 1


async def test_untouched_log_verifies(store: EventStore, superuser: asyncpg.Connection) -> None:
    result = await store.verify()
    assert result.intact and result.checked == EVENTS
    assert result.head == await store.digest()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"n": 4, "tampered": true}'),
        ("event_type", "Forged"),
        ("stream_id", "s9"),
        ("version", "50"),
        ("schema_version", "2"),
        ("event_id", "00000000-0000-0000-0000-000000000001"),
        ("occurred_at", "2021-01-01T00:00:00Z"),
    ],
)
async def test_changed_content_is_caught_at_its_position(
    store: EventStore, superuser: asyncpg.Connection, column: str, value: str
) -> None:
    cast = {
        "data": "jsonb",
        "version": "bigint",
        "schema_version": "int",
        "event_id": "uuid",
        "occurred_at": "timestamptz",
    }.get(column, "text")
    await superuser.execute(
        f"UPDATE events SET {column} = $1::text::{cast} WHERE position = 4", value
    )
    await assert_broken_at(store, 4, "content does not match")


async def test_changed_metadata_is_caught(store: EventStore, superuser: asyncpg.Connection) -> None:
    await superuser.execute(
        """UPDATE events SET metadata = '{"actor": "someone else"}' WHERE position = 6"""
    )
    await assert_broken_at(store, 6, "metadata does not match")


async def test_changed_recording_time_is_caught(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    await superuser.execute(
        "UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE position = 3"
    )
    await assert_broken_at(store, 3, "chain is broken")


async def test_changed_content_with_its_hash_recomputed_breaks_the_chain(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    row = await superuser.fetchrow("SELECT * FROM events WHERE position = 5")
    assert row is not None
    forged = canonical_json({"n": 1000})
    forged_hash = event_hash(
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        version=row["version"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        occurred_at=row["occurred_at"],
        data_json=forged,
    )
    await superuser.execute(
        "UPDATE events SET data = $1::jsonb, event_hash = $2 WHERE position = 5",
        forged,
        forged_hash,
    )
    await assert_broken_at(store, 5, "chain is broken")


async def test_deleted_row_is_caught_at_its_position(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    await superuser.execute("DELETE FROM events WHERE position = 7")
    await assert_broken_at(store, 7, "position 7 is missing")


async def test_deleted_first_row_is_caught(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    await superuser.execute("DELETE FROM events WHERE position = 1")
    await assert_broken_at(store, 1, "position 1 is missing")


async def test_inserted_row_is_caught_at_its_position(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    # Make room at position 4 by shifting every later row up, then slip a copy of row 2 in.
    await superuser.execute("UPDATE events SET position = -position WHERE position >= 4")
    await superuser.execute("UPDATE events SET position = 1 - position WHERE position < 0")
    await superuser.execute(
        """INSERT INTO events SELECT 4, 'inserted', 1, gen_random_uuid(), event_type,
               schema_version, data, metadata, occurred_at, recorded_at, event_hash,
               metadata_hash, chain_hash FROM events WHERE position = 2"""
    )
    await assert_broken_at(store, 4, "content does not match")


async def test_row_appended_behind_the_store_is_caught(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    await superuser.execute(
        """INSERT INTO events SELECT 11, stream_id, 99, gen_random_uuid(), event_type,
               schema_version, data, metadata, occurred_at, recorded_at, event_hash,
               metadata_hash, chain_hash FROM events WHERE position = 10"""
    )
    await assert_broken_at(store, 11, "content does not match")


async def test_reordered_rows_are_caught_at_the_first_moved(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    await superuser.execute("UPDATE events SET position = -1 WHERE position = 3")
    await superuser.execute("UPDATE events SET position = 3 WHERE position = 8")
    await superuser.execute("UPDATE events SET position = 8 WHERE position = -1")
    await assert_broken_at(store, 3, "chain is broken")


async def rewrite_chain_from(conn: asyncpg.Connection, position: int, data: dict[str, int]) -> None:
    """What a careful forger does: change an event and recompute every hash after it."""
    rows = await conn.fetch("SELECT * FROM events WHERE position >= $1 ORDER BY position", position)
    previous = (
        await conn.fetchval("SELECT chain_hash FROM events WHERE position = $1", position - 1)
        or GENESIS_HASH
    )
    for row in rows:
        data_json = canonical_json(data if row["position"] == position else json.loads(row["data"]))
        content = event_hash(
            event_id=row["event_id"],
            stream_id=row["stream_id"],
            version=row["version"],
            event_type=row["event_type"],
            schema_version=row["schema_version"],
            occurred_at=row["occurred_at"],
            data_json=data_json,
        )
        meta = metadata_hash(canonical_json(json.loads(row["metadata"])))
        previous = chain_link(previous, row["position"], row["recorded_at"], content, meta)
        await conn.execute(
            "UPDATE events SET data = $1::jsonb, event_hash = $2, chain_hash = $3"
            " WHERE position = $4",
            data_json,
            content,
            previous,
            row["position"],
        )


async def test_rewritten_history_is_caught_by_an_earlier_digest(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    minuted = await store.digest()
    await store.append("s0", EVENTS // 2, batch(2, start=50))
    assert (await store.verify(minuted)).intact, "a log that only grew still extends the digest"

    await rewrite_chain_from(superuser, 4, {"n": 1234})
    assert (await store.verify()).intact, "a consistent forgery passes a bare chain check"
    result = await store.verify(minuted)
    assert not result.intact
    assert result.first_bad_position == minuted.position
    assert result.problem is not None and "rewritten" in result.problem


async def test_truncated_tail_is_caught_by_an_earlier_digest(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    minuted = await store.digest()
    await superuser.execute("DELETE FROM events WHERE position > 8")
    result = await store.verify(minuted)
    assert not result.intact
    assert result.first_bad_position == 9
    assert result.problem is not None and "ends at position 8" in result.problem


def test_digest_text_round_trip() -> None:
    digest = Digest(position=42, chain_hash="ab" * 32)
    assert Digest.parse(str(digest)) == digest
    with pytest.raises(ValueError, match="POSITION:HASH"):
        Digest.parse("42-abab")
