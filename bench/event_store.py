"""Event store throughput against a plain INSERT and against the `eventsourcing` library.

    python -m bench.event_store [--single 2000] [--batches 100] [--rounds 3] ...

One run starts one embedded PostgreSQL of its own (default settings: fsync on, synchronous commit
on unless --synchronous-commit off) and gives each contender a fresh database on it:

- ours: `eventstore.store.EventStore.append`: the migrated `events` table, `append_event()` for
  one event and `append_events()` for a batch, with the log-wide advisory lock, optimistic
  concurrency, idempotency check and SHA-256 chain, plus the client-side canonical JSON and
  hashes. Measured twice, in two databases: "ours" over
  an asyncpg pool made as the worker makes it (eventstore.pool.open_pool), and
  "ours-conn" with `append(..., connection=conn)` on a connection of its own, which is how the
  plain baseline holds its connection (like for like);
- plain: a table with the same columns, types and indexes as `events` (position as an identity
  primary key, event_id unique, (stream_id, version) unique, the partnership index of migration
  0002, hash_scheme and governance_on of 0004 and 0005), no CHECK constraints, no triggers,
  no function, no lock. Its hash columns get a constant 32-byte placeholder: nothing is hashed, so
  the whole cost of the chain is charged to ours. Single events are one autocommit
  `conn.execute(INSERT ... VALUES ($1..$n))` on a dedicated asyncpg connection; a batch is one
  `INSERT ... SELECT FROM unnest($arrays)` in a transaction (the fastest plain way, see --help);
- peer: `eventsourcing.postgres.PostgresApplicationRecorder.insert_events` with its defaults
  (psycopg 3, pipeline, LOCK TABLE ... IN EXCLUSIVE MODE, NOTIFY, INSERT ... unnest).

Every contender starts from the same Python payloads (id, type, dict data, dict metadata,
occurred_at) and the timer covers turning them into its own input (NewEvent, JSON text, or
StoredEvent) and the commit. Single appends go round-robin over --streams streams, each with the
next expected version; batches likewise over their own streams. After a warm-up, rounds alternate
the contenders (the order rotates each round) slice by slice (--slices: each contender appends
one slice of the round's events in turn, so that a burst of load from elsewhere on the machine
falls on all of them alike), a CHECKPOINT precedes every round's workload, and the median rate
over the rounds is reported.
"""

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import psycopg
import structlog
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from deploy.embedded_postgres import SUPERUSER, EmbeddedPostgres
from deploy.processes import free_port
from eventstore.codec import row_governance_date
from eventstore.migrate import apply_migrations
from eventstore.models import NewEvent
from eventstore.pool import open_pool
from eventstore.store import EventStore

SINGLE = "single"
BATCH = "batch"
TARGETS = {SINGLE: 0.8, BATCH: 0.6}
_NAMESPACE = UUID("6f1c2a0e-3b7d-4a52-9a1e-0c6d4b8e2f17")
_BASE_TIME = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
_NO_HASH = bytes(32)
_ORGANISATIONS = ("North Trust", "South ICB", "East Council", "West Hospice")


@dataclass(frozen=True, slots=True)
class Payload:
    """One event as an application has it before any store sees it."""

    event_id: UUID
    event_type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    occurred_at: datetime
    governance_on: date


def make_payloads(count: int, start: int) -> list[Payload]:
    """Events shaped like the signature workflow's: ~150 bytes of data, ~150 of metadata."""
    payloads = []
    for n in range(start, start + count):
        organisation = _ORGANISATIONS[n % len(_ORGANISATIONS)]
        occurred_at = _BASE_TIME + timedelta(seconds=n)
        payloads.append(
            Payload(
                event_id=uuid.uuid4(),
                event_type="SignatureRecorded",
                data={
                    "partnership": f"partnership-{n % 42}",
                    "organisation": organisation,
                    "signatory": f"Signatory {n}",
                    "role": "Chief Executive",
                    "signed_on": (_BASE_TIME + timedelta(days=n % 365)).date().isoformat(),
                    "sequence": n,
                },
                metadata={
                    "workflow_id": f"mou-signatures-{n // 10}",
                    "run_id": "0195f3a4-7d7e-7b61-9c0f-5a4e8c2d1b3a",
                    "activity_id": str(n % 7 + 1),
                    "attempt": 1,
                    "actor": f"user:{organisation.lower().replace(' ', '-')}",
                },
                occurred_at=occurred_at,
                # What the codec gives a type without a date field of its own (verify checks it).
                governance_on=row_governance_date(None, occurred_at),
            )
        )
    return payloads


class Streams:
    """Round-robin over a fixed set of streams, each advanced by the events appended to it."""

    def __init__(self, prefix: str, count: int) -> None:
        self._ids = [uuid.uuid5(_NAMESPACE, f"{prefix}-{i}") for i in range(count)]
        self._versions = dict.fromkeys(self._ids, 0)
        self._next = 0

    def take(self, events: int) -> tuple[UUID, int]:
        """The next stream and its current version, which then moves on by `events`."""
        stream = self._ids[self._next]
        self._next = (self._next + 1) % len(self._ids)
        expected = self._versions[stream]
        self._versions[stream] = expected + events
        return stream, expected


class Contender(ABC):
    name: str

    def __init__(self, streams: int) -> None:
        self.single_streams = Streams("single", streams)
        self.batch_streams = Streams("batch", streams)
        self.appended = 0

    @abstractmethod
    async def append_singles(self, payloads: Sequence[Payload]) -> None:
        """Each payload in a transaction of its own, one after the other."""

    @abstractmethod
    async def append_batches(self, batches: Sequence[Sequence[Payload]]) -> None:
        """Each batch in one transaction, to one stream."""

    @abstractmethod
    async def count(self) -> int: ...

    @abstractmethod
    async def close(self) -> None: ...


class Ours(Contender):
    """The real store. Over the worker's kind of pool, or on a connection of its own (the
    `connection=` argument of append), which is how the plain baseline holds its connection."""

    def __init__(
        self, streams: int, pool: asyncpg.Pool, conn: asyncpg.Connection | None = None
    ) -> None:
        super().__init__(streams)
        self.name = "ours" if conn is None else "ours-conn"
        self.pool = pool
        self.conn = conn
        self.store = EventStore(pool)

    @classmethod
    async def open(cls, streams: int, url: str, *, own_connection: bool) -> "Ours":
        conn = await asyncpg.connect(url)
        try:
            await apply_migrations(conn)
        finally:
            await conn.close()
        pool = await open_pool(url)
        return cls(streams, pool, await asyncpg.connect(url) if own_connection else None)

    @staticmethod
    def _event(payload: Payload) -> NewEvent:
        return NewEvent(
            event_id=payload.event_id,
            type=payload.event_type,
            data=payload.data,
            metadata=payload.metadata,
            occurred_at=payload.occurred_at,
            governance_on=payload.governance_on,
        )

    async def append_singles(self, payloads: Sequence[Payload]) -> None:
        for payload in payloads:
            stream, expected = self.single_streams.take(1)
            await self.store.append(
                str(stream), expected, [self._event(payload)], connection=self.conn
            )

    async def append_batches(self, batches: Sequence[Sequence[Payload]]) -> None:
        for batch in batches:
            stream, expected = self.batch_streams.take(len(batch))
            events = [self._event(p) for p in batch]
            await self.store.append(str(stream), expected, events, connection=self.conn)

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM events"))

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
        await self.pool.close()


_PLAIN_TABLE = """
CREATE TABLE events (
    position        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id       text        NOT NULL,
    version         bigint      NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    event_hash      bytea       NOT NULL,
    metadata_hash   bytea       NOT NULL,
    chain_hash      bytea       NOT NULL,
    hash_scheme     smallint    NOT NULL DEFAULT 2,
    governance_on   date,
    UNIQUE (stream_id, version)
);
CREATE INDEX events_by_partnership ON events ((data ->> 'partnership'), position);
"""
_PLAIN_COLUMNS = (
    "stream_id, version, event_id, event_type, schema_version, data, metadata, occurred_at,"
    " event_hash, metadata_hash, chain_hash, governance_on"
)
_PLAIN_INSERT_ONE = (
    f"INSERT INTO events ({_PLAIN_COLUMNS})"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
)
_PLAIN_INSERT_UNNEST = f"""
INSERT INTO events ({_PLAIN_COLUMNS})
SELECT $1, u.version, u.event_id, u.event_type, u.schema_version, u.data, u.metadata,
       u.occurred_at, $9, $9, $9, u.governance_on
  FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[],
              $8::timestamptz[], $10::date[])
       AS u(version, event_id, event_type, schema_version, data, metadata, occurred_at,
            governance_on)
"""


class Plain(Contender):
    name = "plain"

    def __init__(self, streams: int, conn: asyncpg.Connection, batch_mode: str) -> None:
        super().__init__(streams)
        self.conn = conn
        self.batch_mode = batch_mode

    @classmethod
    async def open(cls, streams: int, url: str, batch_mode: str) -> "Plain":
        conn = await asyncpg.connect(url)
        await conn.execute(_PLAIN_TABLE)
        return cls(streams, conn, batch_mode)

    @staticmethod
    def _row(stream: UUID, version: int, payload: Payload) -> tuple[Any, ...]:
        return (
            str(stream),
            version,
            payload.event_id,
            payload.event_type,
            1,
            json.dumps(payload.data),
            json.dumps(payload.metadata),
            payload.occurred_at,
            _NO_HASH,
            _NO_HASH,
            _NO_HASH,
            payload.governance_on,
        )

    async def append_singles(self, payloads: Sequence[Payload]) -> None:
        for payload in payloads:
            stream, expected = self.single_streams.take(1)
            await self.conn.execute(_PLAIN_INSERT_ONE, *self._row(stream, expected + 1, payload))

    async def append_batches(self, batches: Sequence[Sequence[Payload]]) -> None:
        for batch in batches:
            stream, expected = self.batch_streams.take(len(batch))
            if self.batch_mode == "executemany":
                rows = [self._row(stream, expected + i, p) for i, p in enumerate(batch, 1)]
                async with self.conn.transaction():
                    await self.conn.executemany(_PLAIN_INSERT_ONE, rows)
                continue
            async with self.conn.transaction():
                await self.conn.execute(
                    _PLAIN_INSERT_UNNEST,
                    str(stream),
                    list(range(expected + 1, expected + 1 + len(batch))),
                    [p.event_id for p in batch],
                    [p.event_type for p in batch],
                    [1] * len(batch),
                    [json.dumps(p.data) for p in batch],
                    [json.dumps(p.metadata) for p in batch],
                    [p.occurred_at for p in batch],
                    _NO_HASH,
                    [p.governance_on for p in batch],
                )

    async def count(self) -> int:
        return int(await self.conn.fetchval("SELECT count(*) FROM events"))

    async def close(self) -> None:
        await self.conn.close()


class Peer(Contender):
    """Synchronous (psycopg 3), as Python users call it; nothing else runs meanwhile."""

    name = "peer"

    def __init__(self, streams: int, server: EmbeddedPostgres, database: str) -> None:
        super().__init__(streams)
        self.datastore = PostgresDatastore(
            database, "127.0.0.1", server.port, SUPERUSER, server.password(SUPERUSER), pool_size=1
        )
        self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()

    @staticmethod
    def _stored(stream: UUID, version: int, payload: Payload) -> StoredEvent:
        # What eventsourcing's mapper would hold: the event's own attributes as JSON bytes.
        state = {
            "event_id": str(payload.event_id),
            "timestamp": payload.occurred_at.isoformat(),
            "data": payload.data,
            "metadata": payload.metadata,
        }
        return StoredEvent(
            originator_id=stream,
            originator_version=version,
            topic=f"bench.events:{payload.event_type}",
            state=json.dumps(state).encode(),
        )

    async def append_singles(self, payloads: Sequence[Payload]) -> None:
        for payload in payloads:
            stream, expected = self.single_streams.take(1)
            self.recorder.insert_events([self._stored(stream, expected + 1, payload)])

    async def append_batches(self, batches: Sequence[Sequence[Payload]]) -> None:
        for batch in batches:
            stream, expected = self.batch_streams.take(len(batch))
            self.recorder.insert_events(
                [self._stored(stream, expected + i, p) for i, p in enumerate(batch, 1)]
            )

    async def count(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT count(*) AS n FROM stored_events")
            row = cursor.fetchone()
        if row is None:
            raise RuntimeError("count(*) returned no row")
        return int(row["n"])

    async def close(self) -> None:
        self.datastore.close()


@dataclass
class Options:
    single: int
    batches: int
    batch_size: int
    rounds: int
    warmup_single: int
    warmup_batches: int
    streams: int
    slices: int
    synchronous_commit: str
    plain_batch: str
    verify: bool
    keep: bool


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.event_store",
        description="Append throughput: ours vs a plain INSERT vs eventsourcing's recorder.",
    )
    parser.add_argument("--single", type=int, default=2000, help="single appends per round")
    parser.add_argument("--batches", type=int, default=100, help="batches per round")
    parser.add_argument("--batch-size", type=int, default=100, help="events per batch")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median reported)")
    parser.add_argument("--warmup-single", type=int, default=200, help="untimed single appends")
    parser.add_argument("--warmup-batches", type=int, default=10, help="untimed batches")
    parser.add_argument("--streams", type=int, default=50, help="streams per workload")
    parser.add_argument(
        "--slices",
        type=int,
        default=20,
        help="slices of each round, appended by every contender in turn (fairer on a busy machine)",
    )
    parser.add_argument(
        "--synchronous-commit",
        choices=("on", "off"),
        default="on",
        help="off: commits do not wait for the disk, which leaves the contenders' own costs "
        "(a busy or slow disk otherwise sets most of every single append's time)",
    )
    parser.add_argument(
        "--plain-batch",
        choices=("unnest", "executemany"),
        default="unnest",
        help="how the plain baseline inserts a batch (unnest: the faster, ~1.3x executemany)",
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip the final verify() of our hash chains",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder under /tmp")
    args = parser.parse_args(argv)
    for name in ("single", "batches", "batch_size", "rounds", "streams", "slices"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("warmup_single", "warmup_batches"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    return Options(**vars(args))


async def _create_database(server: EmbeddedPostgres, name: str) -> str:
    admin = await asyncpg.connect(server.url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return server.url_for(name)


_SHOWN_SETTINGS = (
    "fsync",
    "synchronous_commit",
    "wal_sync_method",
    "full_page_writes",
    "wal_level",
    "shared_buffers",
    "max_wal_size",
    "checkpoint_timeout",
)


async def _describe_server(admin: asyncpg.Connection) -> list[str]:
    version = await admin.fetchval("SHOW server_version")
    rows = await admin.fetch(
        "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
        list(_SHOWN_SETTINGS),
    )
    shown = {
        r["name"]: r["setting"] if r["unit"] is None else f"{r['setting']} x {r['unit']}"
        for r in rows
    }
    settings = [f"{name}={shown.get(name, '?')}" for name in _SHOWN_SETTINGS]
    return [
        f"PostgreSQL {version} (embedded, server defaults): {', '.join(settings[:4])}",
        f"  {', '.join(settings[4:])}",
    ]


def _fdatasync_micros(folder: Path, samples: int = 200) -> float:
    """Median time to write 8 kB and fdatasync it next to the data folder: the disk's share of
    every commit, which sets how much the CPU overheads of a store can show in the ratios."""
    probe = folder / "fsync-probe"
    block = os.urandom(8192)
    times = []
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for _ in range(samples):
            os.lseek(fd, 0, os.SEEK_SET)
            started = time.perf_counter()
            os.write(fd, block)
            os.fdatasync(fd)
            times.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        probe.unlink()
    return statistics.median(times) * 1e6


def _batches(payloads: list[Payload], size: int) -> list[list[Payload]]:
    return [payloads[i : i + size] for i in range(0, len(payloads), size)]


async def _timed(
    contender: Contender, workload: str, payloads: list[Payload], batch_size: int
) -> float:
    """Seconds one contender takes to append `payloads` on one workload."""
    started = time.perf_counter()
    if workload == SINGLE:
        await contender.append_singles(payloads)
    else:
        await contender.append_batches(_batches(payloads, batch_size))
    elapsed = time.perf_counter() - started
    contender.appended += len(payloads)
    return elapsed


async def _timed_round(
    admin: asyncpg.Connection,
    order: Sequence[Contender],
    workload: str,
    payloads: list[Payload],
    options: Options,
) -> dict[str, float]:
    """Events per second of each contender on one workload. The events go in `options.slices`
    slices, each appended by every contender in turn, so that all of them meet the same load
    from whatever else the machine runs: on a shared machine a disk slow for a few seconds
    otherwise fell on one contender's whole phase (plain's rate swung 8-fold between rounds of
    one run, with ours/plain between 0.3 and 0.95). One CHECKPOINT,
    untimed, before the round, so that none pays for dirty pages of an earlier round."""
    await admin.execute("CHECKPOINT")
    unit = 1 if workload == SINGLE else options.batch_size
    units = len(payloads) // unit
    bounds = [unit * (units * i // options.slices) for i in range(options.slices + 1)]
    elapsed = dict.fromkeys((c.name for c in order), 0.0)
    for start, end in itertools.pairwise(bounds):
        for contender in order:
            elapsed[contender.name] += await _timed(
                contender, workload, payloads[start:end], options.batch_size
            )
    return {name: len(payloads) / seconds for name, seconds in elapsed.items()}


def report(rates: dict[str, dict[str, list[float]]], options: Options) -> list[str]:
    lines = [
        "",
        f"Median of {options.rounds} rounds, events per second (higher is better):",
        "",
        f"{'workload':<30}{'ours':>9}{'plain':>9}{'peer':>9}"
        f"{'ours/plain':>12}{'ours/peer':>11}{'peer/plain':>12}   target ours/plain",
    ]
    for workload in (SINGLE, BATCH):
        median = {name: statistics.median(values) for name, values in rates[workload].items()}
        plain, peer = median["plain"], median["peer"]
        target = TARGETS[workload]
        label = "single" if workload == SINGLE else f"batch of {options.batch_size}"
        for ours_name, how in (("ours", "worker pool"), ("ours-conn", "own connection")):
            ours = median[ours_name]
            verdict = "PASS" if ours / plain >= target else "BELOW"
            lines.append(
                f"{label + ', ' + how:<30}{ours:>9.0f}{plain:>9.0f}{peer:>9.0f}"
                f"{ours / plain:>12.2f}{ours / peer:>11.2f}{peer / plain:>12.2f}"
                f"   >= {target:.1f}  {verdict}"
            )
    lines += [
        "",
        "ours = EventStore.append through an asyncpg pool made as the worker makes it;",
        "ours-conn = the same append on a connection of its own (append(..., connection=)),",
        "which is how the plain baseline holds its connection: the like-for-like ratio.",
    ]
    return lines


def _contender_notes(options: Options) -> list[str]:
    return [
        "Contenders, each in a fresh database of this server:",
        "  ours       eventstore.store.EventStore.append: append_event() (one event) or",
        "             append_events() (a batch) with the log-wide advisory lock, version and id",
        "             checks and the SHA-256 chain, plus the client-side canonical JSON and",
        "             hashes; NewEvent built inside the timer",
        "  plain      same columns, types and indexes as events (identity position, unique",
        "             event_id, unique (stream_id, version), partnership index), no CHECKs,",
        "             triggers, function or lock; hash columns get a constant 32-byte",
        "             placeholder (nothing hashed);",
        f"             one autocommit INSERT per event, batches by {options.plain_batch} in a"
        " transaction",
        "  peer       eventsourcing PostgresApplicationRecorder.insert_events, defaults",
        f"             (psycopg {psycopg.__version__}, {psycopg.pq.__impl__} implementation)",
    ]


async def run(options: Options) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-pg-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(
        folder / "data", free_port(), {"synchronous_commit": options.synchronous_commit}
    )
    contenders: list[Contender] = []
    admin: asyncpg.Connection | None = None
    try:
        started = time.perf_counter()
        await server.start()
        admin = await asyncpg.connect(server.url)
        print(f"python -m bench.event_store {' '.join(sys.argv[1:])}".rstrip())
        print(
            f"Python {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} CPUs; data folder {folder}"
        )
        for line in await _describe_server(admin):
            print(line)
        print(f"Disk: write 8 kB + fdatasync takes {_fdatasync_micros(folder):.0f} us (median)")
        print(
            f"Per round and contender: {options.single} single appends, {options.batches} "
            f"batches of {options.batch_size}; {options.streams} streams per workload; warm-up "
            f"{options.warmup_single} singles and {options.warmup_batches} batches."
        )
        for line in _contender_notes(options):
            print(line)
        contenders = [
            await Ours.open(
                options.streams,
                await _create_database(server, "bench_ours"),
                own_connection=False,
            ),
            await Ours.open(
                options.streams,
                await _create_database(server, "bench_ours_conn"),
                own_connection=True,
            ),
            await Plain.open(
                options.streams,
                await _create_database(server, "bench_plain"),
                options.plain_batch,
            ),
        ]
        await _create_database(server, "bench_peer")
        contenders.append(Peer(options.streams, server, "bench_peer"))

        sequence = 0
        warm_single = make_payloads(options.warmup_single, sequence)
        sequence += len(warm_single)
        warm_batch = make_payloads(options.warmup_batches * options.batch_size, sequence)
        sequence += len(warm_batch)
        for contender in contenders:
            await contender.append_singles(warm_single)
            await contender.append_batches(_batches(warm_batch, options.batch_size))
            contender.appended += len(warm_single) + len(warm_batch)

        rates: dict[str, dict[str, list[float]]] = {
            SINGLE: {c.name: [] for c in contenders},
            BATCH: {c.name: [] for c in contenders},
        }
        print()
        for round_number in range(options.rounds):
            shift = round_number % len(contenders)
            order = contenders[shift:] + contenders[:shift]
            for workload, count in (
                (SINGLE, options.single),
                (BATCH, options.batches * options.batch_size),
            ):
                payloads = make_payloads(count, sequence)
                sequence += count
                measured = []
                for name, rate in (
                    await _timed_round(admin, order, workload, payloads, options)
                ).items():
                    rates[workload][name].append(rate)
                    measured.append(f"{name} {rate:.0f}")
                print(f"round {round_number + 1}  {workload:<6}  " + "   ".join(measured))

        for line in report(rates, options):
            print(line)
        print()
        for contender in contenders:
            stored = await contender.count()
            if stored != contender.appended:
                raise RuntimeError(
                    f"{contender.name} holds {stored} events, {contender.appended} appended"
                )
        print(
            f"Row counts: each contender holds exactly the {contenders[0].appended} events "
            "it appended."
        )
        if options.verify:
            for contender in contenders:
                if isinstance(contender, Ours):
                    verification = await contender.store.verify()
                    print(
                        f"{contender.name}: verify() intact={verification.intact}, "
                        f"{verification.checked} events, head {verification.head}"
                    )
        print(f"Total time {time.perf_counter() - started:.0f}s.")
    finally:
        for contender in contenders:
            await contender.close()
        if admin is not None:
            await admin.close()
        server.stop()
        if options.keep:
            print(f"Data kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> None:
    # Keeps the migration's info line out of the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(run(parse_options(argv)))


if __name__ == "__main__":
    main()
