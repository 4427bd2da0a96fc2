"""`concordat setup keys`, `database` and `temporal`, the release jobs of the image, on
a real PostgreSQL and the Temporal dev server: each does its work once and is safe to repeat."""

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from concordat.checkpoint_key import signer_from_settings
from concordat.settings import APP_ROLE, Settings
from concordat.signing import Signer
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.temporal_dev import TemporalDevServer
from eventstore.migrate import migration_files, require_migrated
from workflows import search_attributes


def setup(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "concordat.cli", "setup", *args, "--json"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
async def empty_database(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield name
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


async def test_database_migrates_once_as_the_owner(
    postgres: EmbeddedPostgres, empty_database: str
) -> None:
    env = {
        "CONCORDAT_DATABASE_URL": postgres.url_for(empty_database, APP_ROLE),
        "CONCORDAT_MIGRATION_DATABASE_URL": postgres.url_for(empty_database),
    }
    first = setup("database", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"applied": [name for name, _ in migration_files()]}
    # The service's role now finds nothing pending.
    await require_migrated(postgres.url_for(empty_database, APP_ROLE))
    again = setup("database", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"applied": []}


def test_database_without_the_owner_is_refused(postgres: EmbeddedPostgres) -> None:
    ran = setup(
        "database",
        env={"CONCORDAT_DATABASE_URL": postgres.url_for("postgres", APP_ROLE)},
    )
    assert ran.returncode == 1
    assert ran.stderr == (
        "concordat: CONCORDAT_MIGRATION_DATABASE_URL is unset: migrations run as the schema's "
        "owner\n"
    )


def test_temporal_registers_namespace_and_search_attributes_once(
    dev_server: TemporalDevServer,
) -> None:
    namespace = f"setup-{uuid.uuid4().hex[:8]}"
    env = {
        "CONCORDAT_TEMPORAL_ADDRESS": dev_server.address,
        "CONCORDAT_TEMPORAL_NAMESPACE": namespace,
    }
    first = setup("temporal", "--retention-days", "7", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "namespace": namespace,
        "namespace_registered": True,
        "search_attributes_added": sorted(key.name for key in search_attributes.ALL),
    }
    again = setup("temporal", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {
        "namespace": namespace,
        "namespace_registered": False,
        "search_attributes_added": [],
    }


def test_keys_are_made_once_private_and_their_public_halves_printed(tmp_path: Path) -> None:
    """`concordat setup keys`: the web service's envelope key and the checkpoint key, mode
    0600, kept on a second run; the printed public settings are those of the keys written."""
    folder = tmp_path / "secrets"
    first = setup("keys", str(folder), env={})
    assert first.returncode == 0, first.stderr
    printed = json.loads(first.stdout)
    for name in ("signing-key.pem", "checkpoint.env"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    assert json.loads(printed["CONCORDAT_TRUSTED_KEYS"]) == [
        Signer.from_file(folder / "signing-key.pem").public_key
    ]
    seed = (folder / "checkpoint.env").read_text().strip().removeprefix("CONCORDAT_CHECKPOINT_KEY=")
    checkpoint = signer_from_settings(Settings(checkpoint_key=SecretStr(seed)))
    assert printed["CONCORDAT_CHECKPOINT_PUBLIC_KEY"] == str(checkpoint.verifier)
    again = setup("keys", str(folder), env={})
    assert json.loads(again.stdout) == printed
