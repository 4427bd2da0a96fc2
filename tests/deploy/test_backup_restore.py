"""The event database's backup and restore as deploy/README.md describes them, with PostgreSQL's
own pg_dump and pg_restore: the restored log verifies against the digest minuted at the backup,
and a restore from an older backup is caught by the same digest."""

import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from deploy.embedded_postgres import POSTGRES_BIN_PATH, EmbeddedPostgres
from eventstore.store import EventStore
from tests.audit.cli import auditor_url, concordat
from tests.audit.story import append_story, county_durham_story


def dump(url: str, to: Path) -> None:
    subprocess.run(
        [POSTGRES_BIN_PATH / "pg_dump", "--format=custom", f"--file={to}", f"--dbname={url}"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def restore(url: str, backup: Path) -> None:
    subprocess.run(
        [POSTGRES_BIN_PATH / "pg_restore", "--exit-on-error", f"--dbname={url}", str(backup)],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
async def empty(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    """A database with nothing in it, to restore into (the roles are the server's)."""
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield name
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


async def digest_of(database_url: str) -> str:
    ran = await concordat("audit", "digest", "--database-url", auditor_url(database_url), "--json")
    assert ran.code == 0, ran.stderr
    digest: str = ran.json()["digest"]
    return digest


async def test_a_restored_log_verifies_against_the_digest_of_its_backup(
    postgres: EmbeddedPostgres,
    database: str,
    database_url: str,
    store: EventStore,
    empty: str,
    tmp_path: Path,
) -> None:
    story = county_durham_story()
    await append_story(store, story)
    backup = tmp_path / "events.dump"
    dump(postgres.url_for(database), backup)
    minuted = await digest_of(database_url)

    restore(postgres.url_for(empty), backup)
    restored = auditor_url(postgres.url_for(empty, "concordat_app"))
    ran = await concordat("audit", "verify", "--database-url", restored, "--digest", minuted)
    assert ran.code == 0, ran.stderr
    assert "intact" in ran.stdout
    assert await digest_of(postgres.url_for(empty, "concordat_app")) == minuted


async def test_a_restore_from_an_older_backup_is_caught_by_the_digest(
    postgres: EmbeddedPostgres,
    database: str,
    database_url: str,
    store: EventStore,
    empty: str,
    tmp_path: Path,
) -> None:
    story = county_durham_story()
    half = len(story) // 2
    await append_story(store, story[:half])
    older = tmp_path / "older.dump"
    dump(postgres.url_for(database), older)
    await append_story(store, story[half:])
    minuted = await digest_of(database_url)

    restore(postgres.url_for(empty), older)
    restored = auditor_url(postgres.url_for(empty, "concordat_app"))
    ran = await concordat("audit", "verify", "--database-url", restored, "--digest", minuted)
    assert ran.code != 0
    assert "NOT intact" in ran.stderr
    assert f"before digest {minuted}" in ran.stderr
