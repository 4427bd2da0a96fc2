"""How fast `audit verify` checks a large log, against the least any check can do, and how fast the
checkpoints' proofs are.

`python -m bench.verify [--events 1000000]` starts an embedded PostgreSQL of its own, writes a log
of realistic events with valid hashes (straight into the table, in bulk: appending a million
through append_events would only measure appends), mints a checkpoint over it, then alternates,
for --rounds rounds, two scans of the whole log in one read-only snapshot with the same prefetch:

- raw: each row's data and metadata text hashed with SHA-256, nothing else;
- verify: EventStore.verify against the checkpoint: every event, metadata, chain and Merkle hash
  recomputed from the rows' JSON.

It prints the median of each and verify's rate as a share of raw's, then the time of inclusion
and consistency proofs at random positions.
"""

import argparse
import asyncio
import hashlib
import logging
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from eventstore.checkpoint import Signer, open_checkpoint
from eventstore.hashing import GENESIS_HASH, canonical_json, chain_link, event_hash, metadata_hash
from eventstore.merkle import leaf_hash, verify_consistency, verify_inclusion
from eventstore.migrate import apply_migrations
from eventstore.pool import open_pool
from eventstore.store import VERIFY_PREFETCH, EventStore
from eventstore.tree import TreeStore

_BASE = datetime(2022, 8, 23, 9, 0, tzinfo=UTC)
_SIGNED_ON = _BASE.date()
_COPY_COLUMNS = [
    "position",
    "stream_id",
    "version",
    "event_id",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "occurred_at",
    "recorded_at",
    "event_hash",
    "metadata_hash",
    "chain_hash",
    "governance_on",
]


def _rows(count: int) -> list[tuple[Any, ...]]:
    """A log like the service's: MoU signatures in 500 streams, with the worker's metadata."""
    rows = []
    previous = GENESIS_HASH
    for position in range(1, count + 1):
        stream, version = f"partnership:p{position % 500}", position // 500 + 1
        event_id = uuid.uuid4()
        occurred = _BASE + timedelta(seconds=position)
        data = {
            "partnership": f"p{position % 500}",
            "organisation": f"org-{position % 17}",
            "signatory_name": "Dr Ann Smith-Jones",
            "signatory_role": "Chief Executive",
            "signed_on": _SIGNED_ON.isoformat(),
            "schema_version": 1,
        }
        metadata = {
            "actor": "staff:ann.smith",
            "workflow_id": stream,
            "run_id": str(event_id),
            "activity_id": str(position % 9 + 1),
            "attempt": 1,
        }
        data_json, metadata_json = canonical_json(data), canonical_json(metadata)
        content = event_hash(
            event_id=event_id,
            stream_id=stream,
            version=version,
            event_type="MouSigned",
            schema_version=1,
            occurred_at=occurred,
            data_json=data_json,
        )
        meta = metadata_hash(metadata_json)
        previous = chain_link(previous, position, occurred, content, meta)
        rows.append(
            (
                position,
                stream,
                version,
                event_id,
                "MouSigned",
                1,
                data_json,
                metadata_json,
                occurred,
                occurred,
                content,
                meta,
                previous,
                _SIGNED_ON,  # its governance date, which verify checks against its data
            )
        )
    return rows


async def _raw(pool: asyncpg.Pool) -> float:
    started = time.perf_counter()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = await conn.cursor("SELECT * FROM events ORDER BY position")
        while batch := await cursor.fetch(VERIFY_PREFETCH):  # as EventStore.verify fetches
            for row in batch:
                hashlib.sha256(row["data"].encode() + row["metadata"].encode()).digest()
    return time.perf_counter() - started


async def run(events: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-verify-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "data", free_port(), {"fsync": "off"})
    await server.start()
    try:
        conn = await asyncpg.connect(server.url)
        await apply_migrations(conn)
        started = time.perf_counter()
        rows = _rows(events)
        made = time.perf_counter() - started
        pool = await open_pool(server.url, max_size=2)
        store, tree = EventStore(pool), TreeStore(pool)
        signer = Signer("concordat.bench/log", Ed25519PrivateKey.generate())
        third = events // 3
        minted = []
        for part in (rows[:third], rows[third:]):
            await conn.copy_records_to_table("events", records=part, columns=_COPY_COLUMNS)
            started = time.perf_counter()
            signed = await tree.mint(signer, datetime.now(UTC))
            minted.append(open_checkpoint(signed.note, signer.verifier))
            print(
                f"checkpoint over {len(part):,} new events: {time.perf_counter() - started:.1f} s"
            )
        await conn.execute("VACUUM ANALYZE events")
        await conn.close()
        del rows
        print(f"{events:,} events written (hashed in {made:.1f} s)")
        old, checkpoint = minted

        raw, verify = [], []
        for _ in range(rounds):
            raw.append(await _raw(pool))
            started = time.perf_counter()
            result = await store.verify(checkpoints=[checkpoint])
            verify.append(time.perf_counter() - started)
            assert result.intact and result.checkpointed == events, result
        r, v = statistics.median(raw), statistics.median(verify)
        print(f"raw scan and hash: {events / r:,.0f} events/s ({r:.2f} s)")
        print(f"audit verify:      {events / v:,.0f} events/s ({v:.2f} s)")
        print(f"verify / raw: {r / v:.2f} (median of {rounds} rounds, prefetch {VERIFY_PREFETCH})")

        inclusion, consistency = [], []
        for _ in range(100):
            position = random.randint(1, events)
            started = time.perf_counter()
            proof = await tree.inclusion(position)
            verify_inclusion(
                position - 1, events, leaf_hash(proof.chain_hash), proof.proof, checkpoint.root_hash
            )
            inclusion.append(time.perf_counter() - started)
        for _ in range(100):
            started = time.perf_counter()
            _, _, path = await tree.consistency(third, events)
            verify_consistency(third, events, old.root_hash, checkpoint.root_hash, path)
            consistency.append(time.perf_counter() - started)
        print(
            f"inclusion proof: {statistics.median(inclusion) * 1000:.2f} ms; consistency proof: "
            f"{statistics.median(consistency) * 1000:.2f} ms (median of 100, read and checked)"
        )
        await pool.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.verify", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median reported)")
    args = parser.parse_args()
    if args.events < 2 or args.rounds < 1:
        parser.error("--events must be at least 2 and --rounds at least 1")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(run(args.events, args.rounds))


if __name__ == "__main__":
    main()
