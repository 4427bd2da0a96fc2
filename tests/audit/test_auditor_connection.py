"""`concordat audit` connects as the read-only auditor unless given a URL."""

from pathlib import Path

import asyncpg

from concordat.settings import AUDITOR_ROLE, Settings
from deploy.processes import free_port
from tests.audit.cli import auditor_url, concordat


def test_the_auditor_url_keeps_the_database_and_drops_the_owner_and_password() -> None:
    owner = "postgresql://owner:secret@db.example:5433/concordat?sslmode=require"
    assert Settings(database_url=owner).auditor_database_dsn() == (
        f"postgresql://{AUDITOR_ROLE}@db.example:5433/concordat?sslmode=require"
    )
    embedded = Settings(embedded_postgres_port=6000, data_dir=Path("/srv/my data"))
    assert embedded.auditor_database_dsn() == (
        f"postgresql://{AUDITOR_ROLE}@127.0.0.1:6000/concordat"
        "?passfile=/srv/my%20data/postgres-passwords"
    )
    given = "postgresql://auditor:pw@elsewhere/log"
    assert Settings(database_url=owner, auditor_database_url=given).auditor_database_dsn() == given


async def test_verify_runs_as_the_auditor_by_default(
    story: int, database_url: str, owner_url: str
) -> None:
    env = {"CONCORDAT_DATABASE_URL": database_url}
    ran = await concordat("audit", "verify", env=env)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"intact: {story} events verified")

    # Refused once only the auditor loses SELECT: the default connection was the auditor's.
    owner = await asyncpg.connect(owner_url)
    try:
        await owner.execute(f"REVOKE SELECT ON events FROM {AUDITOR_ROLE}")
    finally:
        await owner.close()
    ran = await concordat("audit", "verify", env=env)
    assert ran.code == 1
    assert f"postgresql://{AUDITOR_ROLE}@" in ran.stderr
    assert "permission denied for table events" in ran.stderr


async def test_the_auditor_url_setting_wins_over_the_database_url(
    story: int, database_url: str
) -> None:
    env = {
        "CONCORDAT_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere",
        "CONCORDAT_AUDITOR_DATABASE_URL": auditor_url(database_url),
    }
    ran = await concordat("audit", "digest", env=env)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"{story}:")
