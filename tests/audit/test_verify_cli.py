"""`concordat audit verify` and `digest`, run as the auditor role against a real log."""

from collections.abc import AsyncIterator

import asyncpg
import pytest

from eventstore.store import EventStore
from tests.audit.cli import concordat
from tests.audit.story import append_story, county_durham_story
from tests.store.test_tamper import rewrite_chain_from


@pytest.fixture
async def superuser(story: int, owner_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(owner_url)
    # What someone with the owner's or a superuser's rights could do.
    await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
    yield conn
    await conn.close()


async def test_an_intact_log_verifies(story: int, auditor: str, store: EventStore) -> None:
    ran = await concordat("audit", "verify", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    head = await store.digest()
    assert ran.stdout == f"intact: {story} events verified; head {head}\n"

    ran = await concordat("audit", "verify", "--database-url", auditor, "--json")
    assert ran.code == 0
    result = ran.json()
    assert result["intact"] is True and result["checked"] == story
    assert result["head"] == {"position": head.position, "chain_hash": head.chain_hash}


async def test_a_tampered_row_fails_naming_its_position(
    superuser: asyncpg.Connection, auditor: str
) -> None:
    await superuser.execute(
        """UPDATE events SET data = jsonb_set(data, '{signatory_name}', '"Someone Else"')
           WHERE position = 4"""
    )
    ran = await concordat("audit", "verify", "--database-url", auditor)
    assert ran.code == 1
    assert ran.stdout == ""
    assert ran.stderr.count("\n") == 1
    assert "NOT intact at position 4" in ran.stderr
    assert "content does not match its hash" in ran.stderr

    ran = await concordat("audit", "verify", "--database-url", auditor, "--json")
    assert ran.code == 1
    assert ran.json()["first_bad_position"] == 4 and ran.json()["intact"] is False


async def test_a_minuted_digest_is_still_extended_after_more_appends(
    story: int, store: EventStore, auditor: str
) -> None:
    ran = await concordat("audit", "digest", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    minuted = ran.stdout.strip()
    assert minuted == str(await store.digest())
    assert minuted.startswith(f"{story}:")

    await append_story(store, county_durham_story()[:3])  # the log only grows
    ran = await concordat("audit", "verify", "--digest", minuted, "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    assert f"the log still extends digest {minuted}" in ran.stdout
    assert f"intact: {story + 3} events verified" in ran.stdout


async def test_rewritten_history_is_caught_by_the_minuted_digest(
    superuser: asyncpg.Connection, auditor: str
) -> None:
    minuted = (await concordat("audit", "digest", "--database-url", auditor)).stdout.strip()
    # A careful forger changes an event and recomputes every hash after it.
    await rewrite_chain_from(superuser, 5, {"n": 1})
    bare = await concordat("audit", "verify", "--database-url", auditor)
    assert bare.code == 0, "a consistent forgery passes a bare chain check"

    ran = await concordat("audit", "verify", "--digest", minuted, "--database-url", auditor)
    assert ran.code == 1
    position = minuted.split(":")[0]
    assert f"NOT intact at position {position}" in ran.stderr
    assert "rewritten" in ran.stderr


async def test_digest_as_json(story: int, auditor: str) -> None:
    ran = await concordat("audit", "digest", "--json", "--database-url", auditor)
    assert ran.code == 0
    digest = ran.json()
    assert digest["digest"] == f"{digest['position']}:{digest['chain_hash']}"
    assert digest["position"] == story


async def test_the_url_can_come_from_the_environment(story: int, auditor: str) -> None:
    ran = await concordat("audit", "digest", env={"CONCORDAT_DATABASE_URL": auditor})
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"{story}:")


async def test_an_empty_log_fails_unless_expected(auditor: str) -> None:
    ran = await concordat("audit", "verify", "--database-url", auditor)
    assert ran.code == 1
    assert ran.stdout == ""
    assert ran.stderr == (
        "concordat: the log is empty: there are no events to verify "
        "(--allow-empty if none are expected)\n"
    )

    ran = await concordat("audit", "verify", "--allow-empty", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith("intact: 0 events verified")

    help_text = (await concordat("audit", "verify", "--help")).stdout
    assert "--allow-empty" in help_text and "empty log" in help_text


async def test_an_empty_log_never_passes_through_a_digest(auditor: str) -> None:
    genesis = (await concordat("audit", "digest", "--database-url", auditor)).stdout.strip()
    assert genesis.startswith("0:")
    for minuted in (genesis, f"7:{'a' * 64}"):
        ran = await concordat(
            "audit", "verify", "--allow-empty", "--digest", minuted, "--database-url", auditor
        )
        assert ran.code == 1
        assert ran.stderr.count("\n") == 1, ran.stderr
        assert "empty" in ran.stderr or "the log ends at position 0" in ran.stderr
