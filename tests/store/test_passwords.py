"""The embedded PostgreSQL lets nobody in without a password, and keeps the passwords it
generated in a file only its owner can read."""

import shutil
import stat
import tempfile
from pathlib import Path

import asyncpg
import pytest

from concordat.settings import APP_ROLE
from deploy.embedded_postgres import ROLES, EmbeddedPostgres
from deploy.processes import free_port


def test_the_passwords_file_is_private_and_holds_every_role(postgres: EmbeddedPostgres) -> None:
    assert stat.S_IMODE(postgres.passwords_file.stat().st_mode) == 0o600
    assert {role: len(postgres.password(role)) >= 32 for role in ROLES} == dict.fromkeys(
        ROLES, True
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("password", [None, "", "wrong"], ids=["none", "empty", "wrong"])
async def test_a_connection_without_the_password_is_refused(
    postgres: EmbeddedPostgres,
    tmp_path_factory: pytest.TempPathFactory,
    role: str,
    password: str | None,
) -> None:
    # A pgpass file that does not exist: neither ~/.pgpass nor PGPASSFILE may supply one.
    nowhere = tmp_path_factory.mktemp("nopass") / "pgpass"
    with pytest.raises(asyncpg.InvalidPasswordError, match=f'user "{role}"'):
        await asyncpg.connect(
            host="127.0.0.1",
            port=postgres.port,
            user=role,
            database="postgres",
            password=password,
            passfile=str(nowhere),
        )


async def test_every_role_logs_in_with_its_password(postgres: EmbeddedPostgres) -> None:
    for role in ROLES:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=postgres.port,
            user=role,
            database="postgres",
            password=postgres.password(role),
        )
        try:
            assert await conn.fetchval("SELECT current_user") == role
        finally:
            await conn.close()


async def test_a_folder_made_without_passwords_gets_them_at_its_next_start() -> None:
    # Under /tmp, as tests/conftest.py's server: reachable by the service user under root.
    folder = Path(tempfile.mkdtemp(prefix="concordat-test-old-pg-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "data", free_port())
    await server.start()
    server.stop()
    # As such a folder was: anyone on the loopback let in, no passwords file.
    (folder / "data" / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    server.passwords_file.unlink()

    await server.start()
    try:
        assert stat.S_IMODE(server.passwords_file.stat().st_mode) == 0o600
        conn = await asyncpg.connect(server.url_for("postgres", APP_ROLE))
        await conn.close()
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(
                host="127.0.0.1",
                port=server.port,
                user=APP_ROLE,
                database="postgres",
                passfile=str(folder / "no-such-file"),
            )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
