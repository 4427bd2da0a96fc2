"""The stored Merkle tree and its signed checkpoints (migration 0004): minting, reading, proofs.

The tree is extended only when a checkpoint is minted, from the rows since the last one: appends
stay as fast as they were, a checkpoint costs O(new rows + log n), and the rows it takes in are
checked against the chain first, so a tail tampered with before minting is refused, not signed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import asyncpg

from eventstore.checkpoint import Checkpoint, SignedCheckpoint, Signer
from eventstore.hashing import GENESIS_HASH, chain_link, recompute
from eventstore.merkle import (
    EMPTY_ROOT,
    NodeReader,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_nodes,
    subtree_root,
)

T = TypeVar("T")
_Conn = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


class TreeError(Exception):
    """A checkpoint or proof that cannot be made; the message says why."""


@dataclass(frozen=True)
class InclusionProof:
    position: int
    tree_size: int
    previous_chain_hash: bytes
    """The chain hash of the row before: with the row itself, it makes the leaf's entry."""
    chain_hash: bytes
    proof: list[bytes]
    note: str


async def _reader(conn: _Conn, coordinates: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    rows = await conn.fetch(
        "SELECT n.level, n.index, n.hash FROM merkle_nodes n"
        " JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, index)"
        " ON n.level = w.level AND n.index = w.index",
        [c[0] for c in coordinates],
        [c[1] for c in coordinates],
    )
    found = {(r["level"], r["index"]): bytes(r["hash"]) for r in rows}
    missing = coordinates - found.keys()
    if missing:
        raise TreeError(f"the stored tree lacks {len(missing)} nodes, e.g. {min(missing)}")
    return found


async def _with_nodes(conn: _Conn, compute: Callable[[NodeReader], T]) -> T:
    """Runs `compute` once to learn which nodes it reads, fetches them in one query, runs it
    again on them: O(log n) rows for any proof or root."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return EMPTY_ROOT

    compute(record)
    found = await _reader(conn, wanted) if wanted else {}
    return compute(lambda level, index: found[level, index])


def _check_rows(rows: Sequence[asyncpg.Record], previous: bytes) -> list[bytes]:
    """The rows' chain hashes, each recomputed from its row; refuses the first that is wrong."""
    hashes: list[bytes] = []
    for row in rows:
        try:
            content, meta = recompute(row)
        except ValueError:  # a float, or a value no canonical form takes: it cannot verify
            content = meta = b""
        previous = chain_link(previous, row["position"], row["recorded_at"], content, meta)
        if previous != row["chain_hash"] or content != row["event_hash"]:
            raise TreeError(
                f"position {row['position']} does not verify: no checkpoint is signed over it"
            )
        hashes.append(previous)
    return hashes


class TreeStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def mint(self, signer: Signer, now: datetime) -> SignedCheckpoint:
        """Extends the tree to the log's head and signs a checkpoint of it; at a head already
        checkpointed, returns that checkpoint."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            await conn.execute("SELECT checkpoint_mint_lock()")
            last = await conn.fetchrow(
                "SELECT tree_size, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1"
            )
            old_size = 0 if last is None else int(last["tree_size"])
            rows = await conn.fetch(
                "SELECT position, stream_id, version, event_id, event_type, schema_version, data,"
                " metadata, occurred_at, recorded_at, event_hash, metadata_hash, chain_hash,"
                " hash_scheme FROM events WHERE position > $1 ORDER BY position",
                old_size,
            )
            if not rows and last is not None:
                return SignedCheckpoint(await self._checkpoint(conn, old_size), last["note"])
            expected = range(old_size + 1, old_size + 1 + len(rows))
            for position, row in zip(expected, rows, strict=True):
                if row["position"] != position:
                    raise TreeError(f"position {position} is missing: no checkpoint is signed")
            previous = (
                await conn.fetchval("SELECT chain_hash FROM events WHERE position = $1", old_size)
                or GENESIS_HASH
            )
            leaves = [leaf_hash(h) for h in _check_rows(rows, bytes(previous))]
            new_size = old_size + len(leaves)
            old: dict[tuple[int, int], bytes] = {}
            if old_size:
                old = await _reader(conn, _left_siblings(old_size))
            nodes = list(new_nodes(old_size, leaves, lambda lv, ix: old[lv, ix]))
            await conn.copy_records_to_table(
                "merkle_nodes", records=nodes, columns=["level", "index", "hash"]
            )
            root = await _with_nodes(conn, lambda read: subtree_root(0, new_size, read))
            signed = signer.sign(
                Checkpoint(signer.origin, new_size, root, now.replace(microsecond=0))
            )
            await conn.execute(
                "INSERT INTO checkpoints (tree_size, root_hash, minted_at, note)"
                " VALUES ($1, $2, $3, $4)",
                new_size,
                root,
                signed.checkpoint.time,
                signed.note,
            )
            return signed

    async def notes(self) -> list[str]:
        """Every checkpoint ever minted, oldest first, as signed."""
        rows = await self._pool.fetch("SELECT note FROM checkpoints ORDER BY tree_size")
        return [r["note"] for r in rows]

    async def note(self, tree_size: int | None = None) -> str:
        """The checkpoint of `tree_size` (default: the latest)."""
        if tree_size is None:
            note = await self._pool.fetchval(
                "SELECT note FROM checkpoints ORDER BY tree_size DESC LIMIT 1"
            )
            if note is None:
                raise TreeError("no checkpoint has been minted (concordat audit checkpoint)")
        else:
            note = await self._pool.fetchval(
                "SELECT note FROM checkpoints WHERE tree_size = $1", tree_size
            )
            if note is None:
                raise TreeError(f"there is no checkpoint of size {tree_size}")
        return str(note)

    async def inclusion(self, position: int, tree_size: int | None = None) -> InclusionProof:
        note = await self.note(tree_size)
        size = int(note.split("\n")[1])
        if not 1 <= position <= size:
            raise TreeError(f"position {position} is not in the checkpoint of size {size}")
        async with self._pool.acquire() as conn:
            hashes = {
                r["position"]: bytes(r["chain_hash"])
                for r in await conn.fetch(
                    "SELECT position, chain_hash FROM events WHERE position IN ($1, $2)",
                    position - 1,
                    position,
                )
            }
            if position not in hashes:
                raise TreeError(f"position {position} is missing from the log")
            proof = await _with_nodes(conn, lambda read: inclusion_proof(position - 1, size, read))
        return InclusionProof(
            position, size, hashes.get(position - 1, GENESIS_HASH), hashes[position], proof, note
        )

    async def consistency(self, old: int, new: int) -> tuple[str, str, list[bytes]]:
        """The two checkpoints' notes and the proof that the older is a prefix of the newer."""
        old_note, new_note = await self.note(old), await self.note(new)
        async with self._pool.acquire() as conn:
            proof = await _with_nodes(conn, lambda read: consistency_proof(old, new, read))
        return old_note, new_note, proof

    async def _checkpoint(self, conn: _Conn, size: int) -> Checkpoint:
        row = await conn.fetchrow(
            "SELECT root_hash, minted_at, note FROM checkpoints WHERE tree_size = $1", size
        )
        assert row is not None
        return Checkpoint(
            row["note"].split("\n", 1)[0], size, bytes(row["root_hash"]), row["minted_at"]
        )


def _left_siblings(old_size: int) -> set[tuple[int, int]]:
    """The perfect subtrees on the right edge of a tree of `old_size`: the only old nodes that
    new ones pair with."""
    return {
        (level, (old_size >> level) - 1)
        for level in range(old_size.bit_length())
        if (old_size >> level) & 1
    }
