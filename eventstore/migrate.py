"""Numbered SQL migrations, each applied once and recorded in schema_migrations."""

from importlib import resources

import asyncpg
import structlog

log = structlog.get_logger(__name__)

# Any constant shared by every process that migrates the same database.
_MIGRATION_LOCK = 7310598520342133106


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("eventstore") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


async def apply_migrations(conn: asyncpg.Connection) -> list[str]:
    """Applies the migrations not yet recorded; returns their names. Safe to run concurrently."""
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in migration_files():
            if name in done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied_now.append(name)
            log.info("migration applied", migration=name)
    return applied_now


class MigrationsPending(RuntimeError):
    pass


async def pending_migrations(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
) -> list[str]:
    """The migrations not yet applied, read by a role that may not apply them."""
    done: set[str] = set()
    if await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
    return [name for name, _ in migration_files() if name not in done]


async def require_migrated(url: str) -> None:
    """Refuses, naming what is missing, a database the owner has not brought up to date."""
    conn = await asyncpg.connect(url)
    try:
        pending = await pending_migrations(conn)
    finally:
        await conn.close()
    if pending:
        raise MigrationsPending(
            f"the database lacks migrations {', '.join(pending)}: apply them as the schema's "
            "owner (CONCORDAT_MIGRATION_DATABASE_URL)"
        )


async def migrate_database(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()
