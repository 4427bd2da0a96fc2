"""Checkpoints minted over the stored tree, their proofs, and verification against them of a log
that someone with superuser rights tampered with."""

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eventstore.checkpoint import (
    Checkpoint,
    CheckpointError,
    Signer,
    open_checkpoint,
    open_checkpoints,
)
from eventstore.merkle import (
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from eventstore.store import EventStore
from eventstore.tree import TreeError, TreeStore
from tests.merkle.memory_tree import MemoryTree
from tests.store.events import batch
from tests.store.test_tamper import rewrite_chain_from

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def signer() -> Signer:
    return Signer("concordat.test/log", Ed25519PrivateKey.generate())


@pytest.fixture
def tree(pool: asyncpg.Pool) -> TreeStore:
    return TreeStore(pool)


async def grow(store: EventStore, count: int) -> None:
    version = await store.stream_version("s")
    await store.append("s", version, batch(count, start=version))


async def minted(tree: TreeStore, signer: Signer) -> Checkpoint:
    return open_checkpoint((await tree.mint(signer, NOW)).note, signer.verifier)


async def test_checkpoints_match_the_tree_of_the_rows_and_prove_inclusion_and_consistency(
    store: EventStore, tree: TreeStore, signer: Signer, pool: asyncpg.Pool
) -> None:
    checkpoints = []
    for count in (1, 6, 1, 13, 11):
        await grow(store, count)
        checkpoints.append(await minted(tree, signer))
    assert [c.tree_size for c in checkpoints] == [1, 7, 8, 21, 32]
    chain = [bytes(r["chain_hash"]) for r in await pool.fetch("SELECT chain_hash FROM events")]
    reference = MemoryTree()
    reference.extend(chain)
    for c in checkpoints:
        assert c.root_hash == reference.root(c.tree_size)
    for position in (1, 8, 16, 21):
        proof = await tree.inclusion(position, 21)
        entry = proof.chain_hash
        verify_inclusion(position - 1, 21, leaf_hash(entry), proof.proof, checkpoints[3].root_hash)
    for old, new in ((1, 32), (7, 21), (8, 32), (21, 21)):
        old_note, new_note, path = await tree.consistency(old, new)
        a = open_checkpoint(old_note, signer.verifier)
        b = open_checkpoint(new_note, signer.verifier)
        verify_consistency(old, new, a.root_hash, b.root_hash, path)
    assert (await tree.mint(signer, NOW)).checkpoint.tree_size == 32, "nothing new: same head"
    assert len(await tree.notes()) == 5


async def test_proofs_refuse_what_no_checkpoint_covers(
    store: EventStore, tree: TreeStore, signer: Signer
) -> None:
    with pytest.raises(TreeError, match="no checkpoint has been minted"):
        await tree.inclusion(1)
    await grow(store, 4)
    await tree.mint(signer, NOW)
    await grow(store, 2)
    with pytest.raises(TreeError, match="position 5 is not in the checkpoint of size 4"):
        await tree.inclusion(5)
    with pytest.raises(TreeError, match="no checkpoint of size 6"):
        await tree.consistency(4, 6)


# ------------------------------------------------------------------------ tampering


EVENTS = 10


@pytest.fixture
async def checkpointed(
    store: EventStore, tree: TreeStore, signer: Signer, owner_url: str
) -> AsyncIterator[tuple[asyncpg.Connection, Checkpoint]]:
    """A log of ten events under a signed checkpoint, and the owner's connection with the
    append-only triggers disabled."""
    await grow(store, EVENTS)
    checkpoint = await minted(tree, signer)
    conn = await asyncpg.connect(owner_url)
    for table in ("events", "checkpoints", "merkle_nodes"):
        # The triggers fire even in replica mode (ENABLE ALWAYS): disabling them takes the owner.
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield conn, checkpoint
    await conn.close()


async def fails_at(store: EventStore, checkpoint: Checkpoint, position: int, problem: str) -> None:
    result = await store.verify(checkpoints=[checkpoint])
    assert not result.intact
    assert result.first_bad_position == position
    assert result.problem is not None and problem in result.problem, result.problem


async def test_an_intact_log_verifies_against_its_checkpoint(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    _, checkpoint = checkpointed
    await grow(store, 3)
    result = await store.verify(checkpoints=[checkpoint])
    assert result.intact and result.checked == EVENTS + 3 and result.checkpointed == EVENTS


async def test_changed_event(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("""UPDATE events SET data = '{"n": 99}' WHERE position = 4""")
    await fails_at(store, checkpoint, 4, "content does not match")


async def test_deleted_event(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("DELETE FROM events WHERE position = 6")
    await fails_at(store, checkpoint, 6, "position 6 is missing")


async def test_inserted_event(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("UPDATE events SET position = -position WHERE position >= 4")
    await conn.execute("UPDATE events SET position = 1 - position WHERE position < 0")
    await conn.execute(
        "INSERT INTO events SELECT 4, 'inserted', 1, gen_random_uuid(), event_type,"
        " schema_version, data, metadata, occurred_at, recorded_at, event_hash, metadata_hash,"
        " chain_hash FROM events WHERE position = 2"
    )
    await fails_at(store, checkpoint, 4, "content does not match")


async def test_reordered_events(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("UPDATE events SET position = -1 WHERE position = 3")
    await conn.execute("UPDATE events SET position = 3 WHERE position = 8")
    await conn.execute("UPDATE events SET position = 8 WHERE position = -1")
    await fails_at(store, checkpoint, 3, "chain is broken")


async def test_truncated_tail(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("DELETE FROM events WHERE position > 7")
    assert (await store.verify()).intact, "a bare chain check passes a truncated log"
    await fails_at(
        store, checkpoint, 8, "the log ends at position 7, but the checkpoint of size 10 signed "
    )
    await fails_at(store, checkpoint, 8, "positions 8 to 10 are missing")


async def test_emptied_log(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await conn.execute("TRUNCATE events")
    await fails_at(store, checkpoint, 1, "positions 1 to 10 are missing")


async def test_rechained_history(
    store: EventStore, checkpointed: tuple[asyncpg.Connection, Checkpoint]
) -> None:
    conn, checkpoint = checkpointed
    await rewrite_chain_from(conn, 5, {"n": 1234})
    assert (await store.verify()).intact, "a consistent forgery passes a bare chain check"
    await fails_at(store, checkpoint, 10, "no longer matches the checkpoint of size 10")


async def test_forged_append_is_refused_a_checkpoint_by_another_key(
    store: EventStore,
    tree: TreeStore,
    signer: Signer,
    checkpointed: tuple[asyncpg.Connection, Checkpoint],
) -> None:
    """A writer appends an event with valid hashes and, lacking the signing key, signs its own
    checkpoint over it: that checkpoint is refused, and the genuine one does not cover it."""
    await grow(store, 1)
    forger = Signer(signer.origin, Ed25519PrivateKey.generate())
    forged = await tree.mint(forger, NOW)
    assert forged.checkpoint.tree_size == EVENTS + 1
    with pytest.raises(CheckpointError, match="not signed by the key"):
        open_checkpoint(forged.note, signer.verifier)
    with pytest.raises(CheckpointError, match=r"checkpoint of size 11: .* not signed by the key"):
        open_checkpoints(await tree.notes(), signer.verifier)


async def test_a_checkpoint_whose_body_was_changed_is_refused(
    tree: TreeStore, signer: Signer, store: EventStore
) -> None:
    await grow(store, 3)
    note = (await tree.mint(signer, NOW)).note
    lines = note.split("\n")
    lines[1] = "2"
    with pytest.raises(CheckpointError, match=r"signature by concordat\.test/log is not valid"):
        open_checkpoint("\n".join(lines), signer.verifier)
    lines = note.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    with pytest.raises(CheckpointError, match="not valid"):
        open_checkpoint("\n".join(lines), signer.verifier)
