"""Migrations on a PostgreSQL that will not let the owner create roles, as managed services often
do: the operator creates the roles, the migrations grant to them, and until the owner has
migrated, the application role finds the schema out of date and says what is missing."""

import re
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from concordat.settings import APP_ROLE
from deploy.embedded_postgres import EmbeddedPostgres
from eventstore.migrate import (
    MigrationsPending,
    apply_migrations,
    migration_files,
    require_migrated,
)
from eventstore.pool import open_pool
from eventstore.store import EventStore
from tests.store.events import batch


@pytest.fixture
async def plain_owner(postgres: EmbeddedPostgres) -> AsyncIterator[tuple[str, str]]:
    """A database owned by a role that is no superuser and may not create roles; its name and
    the owner's URL."""
    name = f"managed_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"CREATE ROLE {name} LOGIN NOCREATEROLE PASSWORD '{password}'")
        await admin.execute(f"CREATE DATABASE {name} OWNER {name}")
    finally:
        await admin.close()
    yield name, f"postgresql://{name}:{password}@127.0.0.1:{postgres.port}/{name}"
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.execute(f"DROP ROLE {name}")
    finally:
        await admin.close()


async def test_an_owner_who_may_not_create_roles_grants_to_the_operators(
    postgres: EmbeddedPostgres, plain_owner: tuple[str, str]
) -> None:
    database, owner_url = plain_owner
    app_url = postgres.url_for(database, APP_ROLE)
    every = [name for name, _ in migration_files()]
    with pytest.raises(MigrationsPending, match=re.escape(", ".join(every))):
        await require_migrated(app_url)

    owner = await asyncpg.connect(owner_url)
    try:
        assert not await owner.fetchval(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        applied = await apply_migrations(owner)
    finally:
        await owner.close()
    assert applied == every
    await require_migrated(app_url)

    pool = await open_pool(app_url, max_size=2)
    try:
        store = EventStore(pool)
        await store.append("s", 0, batch(2))
        assert (await store.verify()).checked == 2
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pool.execute("ALTER TABLE events DISABLE TRIGGER USER")
    finally:
        await pool.close()
