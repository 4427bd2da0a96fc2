"""Content hashes over RFC 8785 for rows recorded since migration 0004, over the earlier canonical
JSON for rows recorded before it: each row names its scheme, and both kinds verify in one log."""

import json
import uuid
from datetime import UTC, datetime
from typing import TypeAlias

import asyncpg
import pytest
import rfc8785
from hypothesis import given, strategies as st

from audit import verify_offline
from deploy.embedded_postgres import EmbeddedPostgres
from eventstore.hashing import (
    LEGACY_SCHEME,
    RFC8785_SCHEME,
    _fast,
    canonical_json,
    canonical_texts,
    event_hash,
    metadata_hash,
    recompute,
)
from eventstore.migrate import migration_files
from eventstore.pool import open_pool
from eventstore.store import EventStore
from tests.store.events import new_event

# Keys whose order differs between code points (U+FF00 first) and UTF-16 (the emoji's surrogate
# U+D83D first): where the two schemes disagree.
SPLIT = {"\uff00": 1, "\U0001f600": 2}

SAFE_INTEGERS = st.integers(-(2**53) + 1, 2**53 - 1)
Json: TypeAlias = bool | int | str | list["Json"] | dict[str, "Json"] | None
JSON: st.SearchStrategy[Json] = st.recursive(
    st.none() | st.booleans() | SAFE_INTEGERS | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_the_fast_path_and_the_offline_verifier_give_rfc8785_exactly(value: Json) -> None:
    expected = rfc8785.dumps(value).decode()
    assert canonical_json(value) == expected
    assert verify_offline.canonical(value) == expected


def test_the_schemes_differ_where_utf16_order_differs() -> None:
    assert canonical_json(SPLIT, LEGACY_SCHEME) == '{"\uff00":1,"\U0001f600":2}'
    assert canonical_json(SPLIT, RFC8785_SCHEME) == '{"\U0001f600":2,"\uff00":1}'
    with pytest.raises(ValueError, match="field n is a float"):
        canonical_json({"n": 1.5})
    with pytest.raises(ValueError, match="hash scheme 3 is not known"):
        canonical_json({}, 3)


async def _append_as_before_0004(conn: asyncpg.Connection, data: dict[str, object]) -> None:
    """An append as Concordat made it before migration 0004: hashed over the legacy JSON."""
    event = new_event(1, "Noted", **data)
    data_json = canonical_json(event.data, LEGACY_SCHEME)
    metadata_json = canonical_json(event.metadata, LEGACY_SCHEME)
    content = event_hash(
        event_id=event.event_id,
        stream_id="old",
        version=1,
        event_type=event.type,
        schema_version=1,
        occurred_at=event.occurred_at,
        data_json=data_json,
    )
    await conn.execute(
        "SELECT append_events('old', 0, $1, $2, $3, $4, $5, $6, $7, $8)",
        [event.event_id],
        [event.type],
        [1],
        [data_json],
        [metadata_json],
        [event.occurred_at],
        [content],
        [metadata_hash(metadata_json)],
    )


async def test_a_log_from_before_0004_still_verifies_and_grows_in_rfc8785(
    postgres: EmbeddedPostgres,
) -> None:
    name = f"old_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    conn = await asyncpg.connect(postgres.url_for(name))
    try:
        # As the migrator leaves it (0003 grants on its record), but stopped before 0004.
        await conn.execute(
            "CREATE TABLE schema_migrations (name text PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for file, sql in migration_files():
            if file < "0004":
                await conn.execute(sql)
        await _append_as_before_0004(conn, {"split": SPLIT})
        for file, sql in migration_files():
            if file >= "0004":
                await conn.execute(sql)
        pool = await open_pool(postgres.url_for(name), max_size=2)
        try:
            store = EventStore(pool)
            await store.append("new", 0, [new_event(2, split=SPLIT)])
            schemes = [r["hash_scheme"] for r in await pool.fetch("SELECT * FROM events")]
            assert schemes == [LEGACY_SCHEME, RFC8785_SCHEME]
            assert (await store.verify()).intact
            # Naming the other scheme for a row is caught: the row's text then hashes otherwise.
            await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
            await conn.execute("UPDATE events SET hash_scheme = 2 WHERE position = 1")
            result = await store.verify()
            assert not result.intact and result.first_bad_position == 1
        finally:
            await pool.close()
    finally:
        await conn.close()
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


ANY_INTEGERS = st.recursive(
    st.none() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(JSON | ANY_INTEGERS, st.sampled_from([LEGACY_SCHEME, RFC8785_SCHEME]))
def test_verification_hashes_exactly_what_the_writer_hashed(value: object, scheme: int) -> None:
    """recompute()'s fast path gives, for each scheme, the very text canonical_json gives, and
    refuses what it refuses (an integer RFC 8785 cannot hold exactly)."""
    text = json.dumps({"v": value})
    row = {
        "data": text,
        "metadata": text,
        "hash_scheme": scheme,
        "event_id": uuid.UUID(int=7),
        "stream_id": "s",
        "version": 1,
        "event_type": "T",
        "schema_version": 1,
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "event_hash": b"",
        "metadata_hash": b"",
    }
    try:
        data_json = canonical_json({"v": value}, scheme)
    except ValueError:
        with pytest.raises(ValueError):
            recompute(row)
        with pytest.raises(ValueError):
            canonical_texts(row)
        return
    fast = _fast({"v": value}, scheme)
    assert fast is None or fast == data_json.encode(), "the fast path is exact or stands aside"
    row["metadata_hash"] = metadata_hash(data_json)
    row["event_hash"] = event_hash(
        event_id=uuid.UUID(int=7),
        stream_id="s",
        version=1,
        event_type="T",
        schema_version=1,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        data_json=data_json,
    )
    assert recompute(row) == (row["event_hash"], row["metadata_hash"])
    # the export's texts are those hashed, its metadata read once for rows sharing it
    assert canonical_texts(row) == canonical_texts(dict(row)) == (data_json.encode(),) * 2
    # and a row whose text was changed gets other hashes, the exact path's
    row["data"] = json.dumps({"v": value, "w": 1})
    assert recompute(row)[0] != row["event_hash"]
