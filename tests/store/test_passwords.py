"""The embedded PostgreSQL lets nobody in without a password, and keeps the passwords it
generated in a file only its owner can read."""

import stat

import asyncpg
import pytest

from deploy.embedded_postgres import ROLES, EmbeddedPostgres


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
