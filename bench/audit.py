"""How fast, and in how much memory, `concordat audit` reads one long partnership record, against
the least any read can do.

`python -m bench.audit [--events 100000]` starts an embedded PostgreSQL of its own and writes the
County Durham story of tests/audit/story.py (signatures, a joint committee's formation, an
escalation climbing the ladder, an exit, a review; decided by the domain's own aggregates) with
its committee and escalation streams repeated under new ids until the partnership holds
--events events, with valid hashes, straight into the table (appending them one by one would only
measure appends). Then, each in a fresh process of its own, it runs:

- raw: the partnership's rows fetched in order through a cursor, data and metadata hashed;
- `audit replay` (today), `audit replay --as-of` the story's first escalation decision (most
  streams stop early) and a date a tenth of the way through the record (the rows each as-of
  read takes from the database are counted after), `audit trail`, `audit trail --json`,
  `audit export` as jsonl and csv (the partnership's events), each through the CLI's own
  command, output to /dev/null.

It prints each one's time, its rate as a share of raw's (raw time / its time; raw is run again
after each read, and each read is compared with the mean of the raw runs either side of it, so
a change in the machine's load during the run moves both), and its memory: the peak resident
memory it added to the process's after imports, and the process's peak.
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import structlog

from concordat.cli.audit import audit
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from eventstore.codec import governance_date, to_new_event
from eventstore.hashing import GENESIS_HASH, canonical_json, chain_link, event_hash, metadata_hash
from eventstore.migrate import apply_migrations
from eventstore.pool import open_pool
from eventstore.store import VERIFY_PREFETCH, EventStore
from tests.audit.story import COMMITTEE_STREAM, ESCALATION_STREAM, SLUG, Step, county_durham_story

_COLUMNS = [
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
_REPEATED = (COMMITTEE_STREAM, ESCALATION_STREAM)
AS_OF = date(2022, 10, 1)
"""Before the escalation's decision and the committee's later milestones: most streams stop."""


def tenth_of_the_way() -> date:
    """The date a tenth of the way from the story's first governance date to its last: an as-of
    early in the record, before its repeated streams' first events."""
    dated = [
        governance_date(event, step.occurred_at)
        for step in county_durham_story()
        for event in step.events
    ]
    return min(dated) + (max(dated) - min(dated)) / 10


EARLY = tenth_of_the_way()


async def rows_read(url: str, as_of: date) -> int:
    """The rows `audit replay --as-of` takes from the database (the store's as-of read)."""
    pool = await open_pool(url, max_size=1)
    try:
        return len([r async for r in EventStore(pool).partnership_rows_to_fold(SLUG, as_of=as_of)])
    finally:
        await pool.close()


def story(events: int) -> list[Step]:
    """The story, its committee and escalation steps repeated under new stream ids (after the
    original's, in the same order) until there are at least `events` events."""
    steps = county_durham_story()
    repeated = [s for s in steps if s.stream_id in _REPEATED]
    per_copy = sum(len(s.events) for s in repeated)
    total = sum(len(s.events) for s in steps)
    copy = 0
    while total < events:
        copy += 1
        steps += [replace(s, stream_id=f"{s.stream_id}-{copy}") for s in repeated]
        total += per_copy
    return steps


def rows(steps: list[Step]) -> list[tuple[Any, ...]]:
    """The rows append_events would have written, with their hashes and chain."""
    out: list[tuple[Any, ...]] = []
    versions: dict[str, int] = {}
    previous = GENESIS_HASH
    for activity_id, step in enumerate(steps, start=1):
        for event in step.events:
            new = to_new_event(
                event, event_id=uuid.uuid4(), occurred_at=step.occurred_at, actor=step.actor
            ).with_metadata(
                workflow_id=step.stream_id,
                run_id=step.run_id(),
                activity_id=str(activity_id),
                attempt=1,
            )
            version = versions[step.stream_id] = versions.get(step.stream_id, 0) + 1
            position = len(out) + 1
            data, metadata = canonical_json(new.data), canonical_json(new.metadata)
            content = event_hash(
                event_id=new.event_id,
                stream_id=step.stream_id,
                version=version,
                event_type=new.type,
                schema_version=new.schema_version,
                occurred_at=new.occurred_at,
                data_json=data,
            )
            meta = metadata_hash(metadata)
            previous = chain_link(previous, position, new.occurred_at, content, meta)
            out.append(
                (
                    *(position, step.stream_id, version, new.event_id, new.type),
                    *(new.schema_version, data, metadata, new.occurred_at, new.occurred_at),
                    *(content, meta, previous, new.governance_on),
                )
            )
    return out


def _raw(url: str) -> None:
    async def scan() -> None:
        conn = await asyncpg.connect(url)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            cursor = await conn.cursor(
                "SELECT * FROM events WHERE data ->> 'partnership' = $1 ORDER BY position", SLUG
            )
            while batch := await cursor.fetch(VERIFY_PREFETCH):
                for row in batch:
                    hashlib.sha256(row["data"].encode() + row["metadata"].encode()).digest()
        await conn.close()

    asyncio.run(scan())


def _cli(*arguments: str) -> Callable[[str], None]:
    def run(url: str) -> None:
        with contextlib.suppress(SystemExit):
            audit.main([*arguments, "--database-url", url], standalone_mode=False)

    return run


RAW = "raw fetch and hash"


def _line(task: str, seconds: float, count: int, raw: float, added: float, peak: float) -> None:
    print(
        f"{task:32} {seconds:6.2f} s {count / seconds:10,.0f} {raw / seconds:6.2f} "
        f"{added:5.0f} MB {peak:5.0f} MB"
    )


def _tasks(out: Path) -> dict[str, Callable[[str], None]]:
    return {
        RAW: _raw,
        "audit replay": _cli("replay", SLUG),
        f"audit replay --as-of {AS_OF}": _cli("replay", SLUG, "--as-of", AS_OF.isoformat()),
        f"audit replay --as-of {EARLY}": _cli("replay", SLUG, "--as-of", EARLY.isoformat()),
        "audit trail": _cli("trail", SLUG),
        "audit trail --json": _cli("trail", SLUG, "--json"),
        "audit export jsonl": _cli(
            "export", "--partnership", SLUG, "--format", "jsonl", "--out", str(out)
        ),
        "audit export csv": _cli(
            "export", "--partnership", SLUG, "--format", "csv", "--out", str(out)
        ),
    }


def _memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak) of this process; unlike getrusage's maximum, the
    peak is not carried over from the parent that forked it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(task: str, url: str, folder: Path) -> None:
    """In a fresh process: the task's wall time, the memory it added to the process's after
    imports, and the process's peak."""
    before = _memory_mb("VmRSS")
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        started = time.perf_counter()
        _tasks(folder / "export")[task](url)
        seconds = time.perf_counter() - started
    peak = _memory_mb("VmHWM")
    (folder / "result").write_text(json.dumps([seconds, peak - before, peak]))


def measure(task: str, url: str, folder: Path) -> tuple[float, float, float]:
    subprocess.run(
        [sys.executable, "-m", "bench.audit", "--child", task, "--url", url, "--folder", folder],
        check=True,
    )
    seconds, added, peak = json.loads((folder / "result").read_text())
    return seconds, added, peak


async def load(url: str, events: int) -> int:
    made = rows(story(events))
    conn = await asyncpg.connect(url)
    await apply_migrations(conn)
    await conn.copy_records_to_table("events", records=made, columns=_COLUMNS)
    await conn.execute("VACUUM ANALYZE events")
    await conn.close()
    return len(made)


def run(events: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-audit-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "data", free_port(), {"fsync": "off"})
    asyncio.run(server.start())
    try:
        count = asyncio.run(load(server.url, events))
        print(f"{SLUG}: {count:,} events in the partnership's record")
        print(f"{'':32} {'time':>8} {'events/s':>10} {'raw/it':>6} {'added':>8} {'peak':>8}")
        tasks = list(_tasks(folder / "export"))
        raw, added, peak = measure(RAW, server.url, folder)
        _line(RAW, raw, count, raw, added, peak)
        for task in tasks[1:]:
            seconds, added, peak = measure(task, server.url, folder)
            after = measure(RAW, server.url, folder)[0]
            _line(task, seconds, count, (raw + after) / 2, added, peak)
            raw = after
        print(
            "raw/it: the raw read's time, measured just before and just after this one "
            "(their mean), over this one's (1.00 = as fast as raw); added: peak resident "
            "memory over the process's after its imports; peak: the process's."
        )
        for as_of in (AS_OF, EARLY):
            read = asyncio.run(rows_read(server.url, as_of))
            print(f"replay --as-of {as_of} reads {read:,} rows of {count:,} ({read / count:.0%})")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events of the partnership")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.events < 1:
        parser.error("--events must be at least 1")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if args.child:
        child(args.child, args.url, args.folder)
    else:
        run(args.events)


if __name__ == "__main__":
    main()
