"""The PostgreSQL event store: append with optimistic concurrency, read in global order, verify."""

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson

from eventstore.checkpoint import Checkpoint
from eventstore.codec import DATED_BY, row_governance_date
from eventstore.errors import ConcurrencyConflict, EventIdConflict, InvalidEvent
from eventstore.filters import EventFilter
from eventstore.hashing import (
    GENESIS_HASH,
    canonical_json,
    chain_link,
    event_hash,
    metadata_hash,
    recompute,
)
from eventstore.merkle import EMPTY_ROOT, CompactRange, leaf_hash
from eventstore.models import AppendResult, Digest, NewEvent, RecordedEvent, Verification

_APPEND = "SELECT * FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
_APPEND_ONE = "SELECT append_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
_COLUMNS = (
    "position, stream_id, version, event_id, event_type, schema_version, data, metadata,"
    " occurred_at, recorded_at, event_hash, metadata_hash, chain_hash, hash_scheme, governance_on"
)
_FOLDED_COLUMNS = "position, stream_id, event_type, schema_version, data, occurred_at, recorded_at"
"""What a replay reads of a row but its metadata: ids, versions and hashes are other reads'
(decoding them was a tenth of the driver's time in a replay)."""
COLUMNS = tuple(column.strip() for column in _COLUMNS.split(","))
"""Every column of the events table, in its order (migrations 0001, 0005): what the export
holds. `governance_on` is not hashed but derived from the hashed data (`verify` checks it)."""
# SQLSTATEs raised by append_events() and append_event() (migrations 0001, 0006).
_VERSION_CONFLICT = "CC001"
_ID_CONFLICT = "CC002"

Executor = asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

VERIFY_PREFETCH = 5000
"""Rows per round trip when verifying: the driver's default of 50 left the scan waiting on the
network for much of its time (bench/verify.py)."""


def _prepared(stream_id: str, version: int, event: NewEvent) -> tuple[Any, ...]:
    """One event as append_event() takes it after the stream and expected version: its JSON in
    canonical form and its two hashes, made once (migrations 0001, 0006)."""
    try:
        data_json = canonical_json(event.data)
        metadata_json = canonical_json(event.metadata)
    except ValueError as error:
        raise InvalidEvent(f"{event.type} {event.event_id}: {error}") from error
    return (
        event.event_id,
        event.type,
        event.schema_version,
        data_json,
        metadata_json,
        event.occurred_at,
        event_hash(
            event_id=event.event_id,
            stream_id=stream_id,
            version=version,
            event_type=event.type,
            schema_version=event.schema_version,
            occurred_at=event.occurred_at,
            data_json=data_json,
        ),
        metadata_hash(metadata_json),
        event.governance_on,
    )


def _append_arguments(
    stream_id: str, expected_version: int, events: Sequence[NewEvent]
) -> list[Any]:
    """append_events()'s arguments: each of `_prepared`'s columns as an array."""
    rows = [
        _prepared(stream_id, expected_version + offset, event)
        for offset, event in enumerate(events, start=1)
    ]
    return [stream_id, expected_version, *(list(column) for column in zip(*rows, strict=True))]


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # an integer beyond 64 bits, which orjson does not read
        return json.loads(text)


def _recorded(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(
        position=row["position"],
        stream_id=row["stream_id"],
        version=row["version"],
        event_id=row["event_id"],
        type=row["event_type"],
        schema_version=row["schema_version"],
        data=_json(row["data"]),
        metadata=_json(row["metadata"]),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        chain_hash=row["chain_hash"].hex(),
    )


def _check_row(row: asyncpg.Record, previous: bytes) -> tuple[bytes, str | None]:
    """Recomputes one row's hashes from its content; returns its chain hash and any problem."""
    try:
        content, metadata = recompute(row)
    except ValueError as error:  # a float or a value no canonical form takes
        return row["chain_hash"], f"the event's content cannot be hashed: {error}"
    if content != row["event_hash"]:
        return row["chain_hash"], "the event's content does not match its hash"
    if metadata != row["metadata_hash"]:
        return row["chain_hash"], "the event's metadata does not match its hash"
    link = chain_link(previous, row["position"], row["recorded_at"], content, metadata)
    if link != row["chain_hash"]:
        return link, "the chain is broken: this event does not follow the one before it"
    return link, None


_DATED = "CASE event_type {} END".format(
    " ".join(f"WHEN '{kind}' THEN data ->> '{field}'" for kind, field in DATED_BY.items())
)
"""Each row's date field as text, read by the database from the same data verify hashes: parsing
every row's JSON again in Python took verify from 0.56 of a raw scan to 0.41 (bench/verify.py)."""


def _check_governance_on(row: asyncpg.Record) -> str | None:
    """The row's `governance_on` against the date its hashed data gives: an "as of" read skips a
    stream's rows after its first dated past the cut, so a changed date could hide events."""
    recorded = row["governance_on"]
    if recorded is None:  # recorded before migration 0005: the replay dates it from its data
        return None
    dated = row_governance_date(row["dated"], row["occurred_at"])
    if dated != recorded:
        return (
            f"the event's governance_on column says {recorded.isoformat()}, but its data dates "
            f"it {dated.isoformat()}"
        )
    return None


async def _scan(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, query: str
) -> AsyncIterator[asyncpg.Record]:
    """Every row of `query`, fetched VERIFY_PREFETCH at a time (inside a transaction)."""
    cursor = await conn.cursor(query)
    while batch := await cursor.fetch(VERIFY_PREFETCH):
        for row in batch:
            yield row


async def _read_ahead(
    cursor: asyncpg.cursor.Cursor, prefetch: int
) -> AsyncGenerator[list[asyncpg.Record], None]:
    """The cursor's batches, each next one asked for before the caller works through the one
    before, so the database reads it meanwhile rather than waiting to be asked."""
    pending = asyncio.ensure_future(cursor.fetch(prefetch))
    try:
        while batch := await pending:
            pending = asyncio.ensure_future(cursor.fetch(prefetch))
            await asyncio.sleep(0)  # sends the request before the caller takes the batch
            yield batch
    finally:
        # A caller that stops early (closing this first: `contextlib.aclosing`) leaves no
        # request running on the connection it gives back; that request's failure is no longer
        # the caller's, so it is taken here rather than logged as never retrieved.
        await asyncio.gather(pending, return_exceptions=True)


class EventStore:
    """All access to the events table. Holds a pool; every method is one short transaction."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        connection: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy | None = None,
    ) -> AppendResult:
        """Appends to one stream if it is at `expected_version` (0 for a new stream).

        Given `connection`, the append joins the caller's transaction, which then holds the
        log's append lock until it ends.
        """
        if not stream_id:
            raise InvalidEvent("a stream id is required")
        if not events:
            raise InvalidEvent(f"append to {stream_id} has no events")
        if expected_version < 0:
            raise InvalidEvent(f"expected version {expected_version} is negative")
        executor: Executor = connection if connection is not None else self._pool
        try:
            if len(events) == 1:
                return await self._append_one(executor, stream_id, expected_version, events[0])
            rows = await executor.fetch(
                _APPEND, *_append_arguments(stream_id, expected_version, events)
            )
        except asyncpg.PostgresError as error:
            if error.sqlstate == _VERSION_CONFLICT:
                actual = int(getattr(error, "detail", None) or -1)
                raise ConcurrencyConflict(stream_id, expected_version, actual) from error
            if error.sqlstate == _ID_CONFLICT:
                ids = ", ".join(str(e.event_id) for e in events)
                raise EventIdConflict(
                    f"an event id in [{ids}] is already recorded as a different event"
                ) from error
            raise
        return AppendResult(
            positions=[r["out_position"] for r in rows],
            last_version=rows[-1]["out_version"],
            already_recorded=rows[0]["out_replayed"],
        )

    @staticmethod
    async def _append_one(
        executor: Executor, stream_id: str, expected_version: int, event: NewEvent
    ) -> AppendResult:
        """One event through append_event(): a position, negated when already recorded."""
        version = expected_version + 1
        position = await executor.fetchval(
            _APPEND_ONE, stream_id, expected_version, *_prepared(stream_id, version, event)
        )
        return AppendResult(
            positions=[abs(position)], last_version=version, already_recorded=position < 0
        )

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [_recorded(r) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        version = await self._pool.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id
        )
        return int(version)

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """The next events in global order. Tailing by the last position seen never skips one:
        positions become visible in order (see append_events())."""
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            after_position,
            limit,
        )
        return [_recorded(r) for r in rows]

    async def read_partnership(self, partnership: str) -> list[RecordedEvent]:
        """Every event of one partnership, whatever its stream, in global order: what an auditor
        folds to replay the partnership (index events_by_partnership, migration 0002)."""
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE data ->> 'partnership' = $1 ORDER BY position",
            partnership,
        )
        return [_recorded(r) for r in rows]

    async def partnership_events(
        self,
        partnership: str,
        *,
        recorded_before: datetime | None = None,
        types: Sequence[str] | None = None,
        where: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncGenerator[RecordedEvent, None]:
        """The events of `read_partnership` (optionally only those recorded before a moment, of
        some types, matching `where`, the first `limit`) one at a time, through a server-side
        cursor in one read-only snapshot: a decade of a partnership's record is folded or told
        without ever being held in memory."""
        rows = self.partnership_rows(
            partnership, recorded_before=recorded_before, types=types, where=where, limit=limit
        )
        async for row in rows:
            yield _recorded(row)

    async def partnership_rows(
        self,
        partnership: str,
        *,
        recorded_before: datetime | None = None,
        types: Sequence[str] | None = None,
        where: EventFilter | None = None,
        limit: int | None = None,
        columns: Sequence[str] = COLUMNS,
    ) -> AsyncGenerator[asyncpg.Record, None]:
        """The rows of `partnership_events` as stored (data and metadata as their JSON text),
        only the `columns` asked for, for a reader that needs only part of them: parsing every
        row's data and metadata was a fifth of the audit trail's time."""
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown or not columns:
            raise ValueError(f"columns {unknown or '(none)'} are not columns of the events table")
        query = f"SELECT {', '.join(columns)} FROM events WHERE data ->> 'partnership' = $1"
        arguments: list[Any] = [partnership]
        if recorded_before is not None:
            arguments.append(recorded_before)
            query += f" AND recorded_at < ${len(arguments)}"
        if types is not None:
            arguments.append(list(types))
            query += f" AND event_type = ANY(${len(arguments)}::text[])"
        if where is not None:
            query += where.where(arguments)
        query += " ORDER BY position"
        if limit is not None:
            arguments.append(limit)
            query += f" LIMIT ${len(arguments)}::bigint"
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            cursor = await conn.cursor(query, *arguments)
            async with contextlib.aclosing(_read_ahead(cursor, VERIFY_PREFETCH)) as batches:
                async for batch in batches:
                    for row in batch:
                        yield row

    async def partnership_rows_to_fold(
        self,
        partnership: str,
        *,
        recorded_before: datetime | None = None,
        as_of: date | None = None,
        metadata_of: Sequence[str] = (),
    ) -> AsyncGenerator[tuple[asyncpg.Record, bool], None]:
        """The rows of `partnership_events` as a replay folds them (`_FOLDED_COLUMNS` and the
        metadata, data and metadata as their JSON text), each with whether it is the last of
        its stream this read yields, so the replay can let go of a process it has seen the end
        of.

        Given `as_of`, each stream is read only up to its first row whose `governance_on` is
        after it, that row included: the replay stops the stream there, deciding from the row's
        data, so nothing after it counts (audit/replay.py `counted`). Rows without the column
        (recorded before migration 0005) never end a stream early; `verify` checks the column
        against the data, so it cannot hide an event that counts.

        Only the events of the types in `metadata_of` carry their metadata; the others' is
        empty: most of a row's bytes, which a fold that reads only who signed need not fetch
        or decode."""
        mine = "data ->> 'partnership' = $1 AND ($2::timestamptz IS NULL OR recorded_at < $2)"
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            ends: dict[str, int] = {}
            stops: dict[str, int] = {}
            for stream in await conn.fetch(
                "SELECT stream_id, max(position) AS last, min(position) FILTER"
                f" (WHERE governance_on > $3::date) AS stop FROM events WHERE {mine}"
                " GROUP BY stream_id",
                partnership,
                recorded_before,
                as_of,
            ):
                ends[stream["stream_id"]] = stream["stop"] or stream["last"]
                if stream["stop"] is not None:
                    stops[stream["stream_id"]] = stream["stop"]
            # The stopped streams' ends as one JSON object: looked up per row by key, where a
            # join would sort every row the read returns.
            cursor = await conn.cursor(
                f"SELECT {_FOLDED_COLUMNS}, CASE WHEN event_type = ANY($4::text[])"
                " THEN metadata ELSE '{}' END AS metadata"
                f" FROM events WHERE {mine}"
                " AND position <= coalesce(($3::jsonb ->> stream_id)::bigint, position)"
                " ORDER BY position",
                partnership,
                recorded_before,
                orjson.dumps(stops).decode(),
                list(metadata_of),
            )
            async with contextlib.aclosing(_read_ahead(cursor, VERIFY_PREFETCH)) as batches:
                async for batch in batches:
                    for row in batch:
                        yield row, row["position"] == ends[row["stream_id"]]

    async def partnership_streams(self, partnership: str) -> list[str]:
        """The streams holding `partnership`'s events, in the order they began."""
        rows = await self._pool.fetch(
            "SELECT stream_id FROM events WHERE data ->> 'partnership' = $1"
            " GROUP BY stream_id ORDER BY min(position)",
            partnership,
        )
        return [r["stream_id"] for r in rows]

    async def export_rows(
        self,
        partnership: str | None = None,
        prefetch: int = VERIFY_PREFETCH,
        up_to: int | None = None,
    ) -> AsyncGenerator[asyncpg.Record, None]:
        """Every row with every column as stored (data and metadata as their JSON text, hashes
        as bytes), in global order, optionally of one partnership only or up to a position (a
        checkpoint's size). Records, not dicts: a dict made of each was a tenth of an export.

        Read through a server-side cursor inside one read-only snapshot, so a large log never
        sits in memory and the export is one consistent moment of the log.
        """
        conditions: list[str] = []
        arguments: list[Any] = []
        if partnership is not None:
            arguments.append(partnership)
            conditions.append(f"data ->> 'partnership' = ${len(arguments)}")
        if up_to is not None:
            arguments.append(up_to)
            conditions.append(f"position <= ${len(arguments)}::bigint")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT {_COLUMNS} FROM events {where} ORDER BY position"
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            cursor = await conn.cursor(query, *arguments)
            async with contextlib.aclosing(_read_ahead(cursor, prefetch)) as batches:
                async for batch in batches:
                    for row in batch:
                        yield row

    async def row(self, position: int) -> dict[str, Any] | None:
        """One row as export_rows gives it."""
        found = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM events WHERE position = $1", position
        )
        return None if found is None else dict(found)

    async def digest(self) -> Digest:
        row = await self._pool.fetchrow(
            "SELECT position, chain_hash FROM events ORDER BY position DESC LIMIT 1"
        )
        if row is None:
            return Digest(position=0, chain_hash=GENESIS_HASH.hex())
        return Digest(position=row["position"], chain_hash=row["chain_hash"].hex())

    async def verify(
        self, digest: Digest | None = None, checkpoints: Sequence[Checkpoint] = ()
    ) -> Verification:
        """Recomputes every hash from the rows themselves and, given an earlier digest or signed
        checkpoints (their signatures already checked), checks that the log still passes through
        each: the Merkle root of its first `tree_size` rows is the one signed. Needs nothing but
        SELECT on events."""
        previous = GENESIS_HASH
        expected_position = 1
        due = {c.tree_size: c for c in checkpoints}
        tree = CompactRange() if due else None
        checkpointed = 0

        def reached() -> Digest:
            # Made once at the end: a model per row cost a tenth of the whole check.
            return Digest(position=expected_position - 1, chain_hash=previous.hex())

        def broken(position: int, problem: str) -> Verification:
            return Verification(
                intact=False,
                checked=expected_position - 1,
                head=reached(),
                first_bad_position=position,
                problem=problem,
            )

        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            query = (
                f"SELECT {_COLUMNS}, governance_on, {_DATED} AS dated FROM events ORDER BY position"
            )
            async for row in _scan(conn, query):
                position = row["position"]
                if position != expected_position:
                    return broken(
                        expected_position,
                        f"position {expected_position} is missing (next is {position})"
                        if position > expected_position
                        else f"position {position} appears out of order",
                    )
                link, row_problem = _check_row(row, previous)
                row_problem = row_problem or _check_governance_on(row)
                if row_problem is not None:
                    return broken(position, row_problem)
                previous = link
                if tree is not None:
                    tree.append(leaf_hash(previous))
                    signed = due.pop(position, None)
                    if signed is not None:
                        if tree.root() != signed.root_hash:
                            return broken(
                                position,
                                f"the log no longer matches {_named(signed)}: the first "
                                f"{position} events are not the ones it signed",
                            )
                        checkpointed = position
                if (
                    digest is not None
                    and position == digest.position
                    and previous.hex() != digest.chain_hash
                ):
                    return broken(
                        position,
                        f"the log no longer passes through digest {digest}: "
                        "history up to it was rewritten",
                    )
                expected_position += 1
        head = reached()
        if digest is not None and digest.position > head.position:
            return broken(
                head.position + 1,
                f"the log ends at position {head.position}, before digest {digest}",
            )
        if digest is not None and digest.position == 0 and digest.chain_hash != GENESIS_HASH.hex():
            return broken(0, f"digest {digest} is not a point of any log")
        if due:
            beyond = due[max(due)]
            if beyond.tree_size == 0:
                if beyond.root_hash != EMPTY_ROOT:
                    return broken(0, f"{_named(beyond)} is not of any log")
            else:
                return broken(
                    head.position + 1,
                    f"the log ends at position {head.position}, but {_named(beyond)} covers "
                    f"{beyond.tree_size}: positions {head.position + 1} to {beyond.tree_size} "
                    "are missing",
                )
        return Verification(
            intact=True, checked=head.position, head=head, checkpointed=checkpointed
        )


def _named(checkpoint: Checkpoint) -> str:
    when = checkpoint.time.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"the checkpoint of size {checkpoint.tree_size} signed {when}"
