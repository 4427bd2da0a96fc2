"""The database itself keeps the log append-only, and the auditor role can only read."""

import asyncpg
import pytest

from eventstore.store import EventStore
from tests.audit.cli import auditor_url
from tests.store.events import batch


@pytest.fixture
async def with_events(store: EventStore) -> EventStore:
    await store.append("s", 0, batch(3))
    return store


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET event_type = 'Changed' WHERE position = 2",
        "DELETE FROM events WHERE position = 2",
        "TRUNCATE events",
    ],
)
async def test_update_delete_truncate_are_refused_even_for_the_owner(
    with_events: EventStore, pool: asyncpg.Pool, statement: str
) -> None:
    with pytest.raises(asyncpg.PostgresError, match="append-only") as caught:
        await pool.execute(statement)
    assert caught.value.sqlstate == "CC003"
    assert await pool.fetchval("SELECT count(*) FROM events") == 3
    assert (await with_events.verify()).intact


async def test_auditor_reads_and_verifies(with_events: EventStore, database_url: str) -> None:
    auditor_pool = await asyncpg.create_pool(auditor_url(database_url), min_size=1, max_size=2)
    try:
        as_auditor = EventStore(auditor_pool)
        assert len(await as_auditor.read_all()) == 3
        result = await as_auditor.verify(await with_events.digest())
        assert result.intact and result.checked == 3
    finally:
        await auditor_pool.close()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO events SELECT * FROM events WHERE position = 1",
        "UPDATE events SET event_type = 'Changed'",
        "DELETE FROM events",
        "TRUNCATE events",
        "SELECT * FROM append_events('s', 3, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
        "CREATE TABLE shadow (x int)",
        "ALTER TABLE events DISABLE TRIGGER ALL",
    ],
)
async def test_auditor_can_change_nothing(
    with_events: EventStore, database_url: str, statement: str
) -> None:
    conn = await asyncpg.connect(auditor_url(database_url))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
    finally:
        await conn.close()
    assert len(await with_events.read_all()) == 3
