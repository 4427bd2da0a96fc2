"""Least privilege in the database itself: the log is append-only for everyone, the application
role appends only through append_events and can alter nothing, the auditor can only read, and
nobody but the owner can take the append lock."""

import asyncpg
import pytest

from concordat.settings import AUDITOR_ROLE
from eventstore.store import EventStore
from tests.audit.cli import auditor_url
from tests.store.events import batch

APPEND_LOCK = 7310598520342133105  # 'concordat.events', taken by append_events

CHANGES = [
    "UPDATE events SET event_type = 'Changed' WHERE position = 2",
    "DELETE FROM events WHERE position = 2",
    "TRUNCATE events",
]


@pytest.fixture
async def with_events(store: EventStore) -> EventStore:
    """Three events appended by the application role (the `store` fixture's pool)."""
    await store.append("s", 0, batch(3))
    return store


@pytest.mark.parametrize("replica", [False, True], ids=["origin", "replica"])
@pytest.mark.parametrize("statement", CHANGES)
async def test_update_delete_truncate_are_refused_even_for_the_owner(
    with_events: EventStore, owner_url: str, statement: str, replica: bool
) -> None:
    owner = await asyncpg.connect(owner_url)
    try:
        if replica:  # as logical replication applies changes: ordinary triggers do not fire
            await owner.execute("SET session_replication_role = replica")
        with pytest.raises(asyncpg.PostgresError, match="append-only") as caught:
            await owner.execute(statement)
        assert caught.value.sqlstate == "CC003"
    finally:
        await owner.close()
    assert len(await with_events.read_all()) == 3
    assert (await with_events.verify()).intact


@pytest.mark.parametrize(
    "statement",
    [
        *CHANGES,
        "INSERT INTO events SELECT * FROM events WHERE position = 1",
        "ALTER TABLE events DISABLE TRIGGER USER",
        "ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete",
        "ALTER TABLE events ENABLE REPLICA TRIGGER events_refuse_truncate",
        "DROP TABLE events",
        "CREATE TABLE shadow (x int)",
        "ALTER FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[], "
        "timestamptz[], bytea[], bytea[], date[]) SECURITY INVOKER",
        "ALTER FUNCTION append_event(text, bigint, uuid, text, integer, jsonb, jsonb, "
        "timestamptz, bytea, bytea, date) SECURITY INVOKER",
        "SET session_replication_role = replica",
        f"SELECT pg_advisory_lock({APPEND_LOCK})",
        f"SELECT pg_try_advisory_xact_lock({APPEND_LOCK})",
    ],
)
async def test_the_application_role_appends_but_alters_nothing(
    with_events: EventStore, pool: asyncpg.Pool, statement: str
) -> None:
    assert await pool.fetchval("SELECT current_user") == "concordat_app"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute(statement)
    assert len(await with_events.read_all()) == 3
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
        *CHANGES,
        "SELECT * FROM append_events('s', 3, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
        "SELECT append_event('s', 3, gen_random_uuid(), 'Noted', 1, '{}', '{}', now(), "
        "sha256(''), sha256(''), NULL)",
        "CREATE TABLE shadow (x int)",
        "ALTER TABLE events DISABLE TRIGGER ALL",
        # Held, the append lock would stall every write (issue 10).
        f"SELECT pg_advisory_lock({APPEND_LOCK})",
        f"SELECT pg_advisory_xact_lock({APPEND_LOCK})",
        f"SELECT pg_try_advisory_lock({APPEND_LOCK})",
        f"SELECT pg_advisory_lock_shared({APPEND_LOCK})",
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


async def test_auditor_has_a_statement_timeout_and_a_connection_limit(database_url: str) -> None:
    url = auditor_url(database_url)
    limit = 5
    held = [await asyncpg.connect(url) for _ in range(limit)]
    try:
        assert await held[0].fetchval("SHOW statement_timeout") == "5min"
        with pytest.raises(asyncpg.TooManyConnectionsError, match=AUDITOR_ROLE):
            await asyncpg.connect(url)
    finally:
        for conn in held:
            await conn.close()
