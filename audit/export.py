"""Every event, every column, for an auditor's own tools: JSON Lines or CSV.

The export carries what an auditor needs to check the log without Concordat: data and metadata in
the canonical JSON that was hashed (eventstore/hashing.py; `hash_scheme` names which), the three
hashes in hex, and times in ISO 8601 with microseconds, so each event hash and chain link can be
recomputed from the file (docs/audit.md).
Rows are written as they arrive from the store's cursor, so a large log never sits in memory.
The export is made as UTF-8 bytes: the canonical texts and orjson's lines are bytes already, and
decoding them only for the file to encode them again was a tenth of an export's time.
"""

import functools
import json
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, BinaryIO

import orjson

from audit.heap import frozen_heap
from eventstore.codec import json_value
from eventstore.hashing import Row, canonical_texts
from eventstore.store import COLUMNS


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def _iso(moment: datetime) -> str:
    """`moment` in ISO 8601 with microseconds."""
    if moment.tzinfo is UTC:  # as the driver returns every time
        return _utc_iso(moment)
    return moment.isoformat(timespec="microseconds")


@functools.lru_cache(maxsize=8)
def _utc_iso(moment: datetime) -> str:
    """`_iso` of a UTC time, remembered for the last few: the events one append recorded share
    their two times, and writing a time took twice as long as finding it again. Only UTC's:
    times equal in other zones are equal keys, yet written differently."""
    return moment.isoformat(timespec="microseconds")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def export_record(row: Row) -> dict[str, Any]:
    """A row as the store returns it, made plain: data and metadata as JSON values, hashes in
    hex, ids and times as text."""
    return _record(row, json_value(row["data"]), json_value(row["metadata"]))


def _record(row: Row, data: Any, metadata: Any) -> dict[str, Any]:
    return {
        "position": row["position"],
        "stream_id": row["stream_id"],
        "version": row["version"],
        "event_id": str(row["event_id"]),
        "event_type": row["event_type"],
        "schema_version": row["schema_version"],
        "data": data,
        "metadata": metadata,
        "occurred_at": _iso(row["occurred_at"]),
        "recorded_at": _iso(row["recorded_at"]),
        "event_hash": bytes(row["event_hash"]).hex(),
        "metadata_hash": bytes(row["metadata_hash"]).hex(),
        "chain_hash": bytes(row["chain_hash"]).hex(),
        "hash_scheme": row["hash_scheme"],
        "governance_on": _day(row["governance_on"]),
    }


def _line(record: dict[str, Any]) -> bytes:
    """One JSON Lines line: compact, UTF-8 as is; orjson's text, the standard library's for
    what orjson refuses (an integer past 64 bits; a lone surrogate, which UTF-8 refuses)."""
    try:
        return orjson.dumps(record)
    except orjson.JSONEncodeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=1024)
def _cell(text: str) -> bytes:
    """One cell as `csv.writer` writes it (the excel dialect, minimal quoting), in UTF-8:
    quoted, its quotes doubled, when it holds a comma, a quote or a line break. Remembered for
    the streams and event types last written, which most rows repeat."""
    return _json_cell(text.encode())


CSV_HEADER = (",".join(COLUMNS) + "\r\n").encode()
"""The header row: the column names, which need no quoting."""


def _json_cell(text: bytes) -> bytes:
    """`_cell` of text given as UTF-8 (JSON text as `canonical_texts` gives it), its quotes
    doubled as bytes: str.replace took six times as long over a row's metadata."""
    if b'"' in text or b"," in text or b"\n" in text or b"\r" in text:
        return b'"%b"' % text.replace(b'"', b'""')
    return text


_metadata_cell = functools.lru_cache(maxsize=64)(_json_cell)
"""`_json_cell` of the last few metadata, which consecutive rows share (`canonical_texts` hands
the very same text to each: finding it again is one lookup of a hash already made)."""


def csv_line(row: Row, data: bytes, metadata: bytes) -> bytes:
    """The CSV row of `row` with `data` and `metadata` as their canonical text (UTF-8): what
    `csv.writer` writes for `_record`'s values (tests/audit/test_export_csv.py holds the two
    to the same text). Only the text a workflow chose (stream, type, data, metadata) can need
    quoting; numbers, ids, times and hex never do. Written here because the standard writer's
    character-by-character quoting was most of a CSV export's time."""
    return b"%d,%b,%d,%b,%b,%d,%b,%b,%b\r\n" % (
        row["position"],
        _cell(row["stream_id"]),
        row["version"],
        str(row["event_id"]).encode(),
        _cell(row["event_type"]),
        row["schema_version"],
        _json_cell(data),
        _metadata_cell(metadata),
        # Times, hex, a number and a date: ASCII, encoded at once.
        (
            f"{_iso(row['occurred_at'])},{_iso(row['recorded_at'])},"
            f"{bytes(row['event_hash']).hex()},{bytes(row['metadata_hash']).hex()},"
            f"{bytes(row['chain_hash']).hex()},{row['hash_scheme']},"
            f"{_day(row['governance_on']) or ''}"
        ).encode(),
    )


async def export_bytes(rows: AsyncIterable[Row], format: ExportFormat) -> AsyncIterator[bytes]:
    """The export of `rows` in UTF-8, one piece a row (a CSV's header first), as they arrive.

    JSON Lines holds data and metadata as JSON objects; CSV holds them as their canonical JSON
    text (a CSV cell has no nesting), the very text that was hashed, under a header row naming
    every column.
    """
    if format is ExportFormat.CSV:
        yield CSV_HEADER
        async for row in rows:
            # Data and metadata read once, as their canonical text, not parsed first.
            yield csv_line(row, *canonical_texts(row))
        return
    async for row in rows:
        record = _record(row, json_value(row["data"]), _shared_metadata(row["metadata"]))
        yield _line(record) + b"\n"


_shared_metadata = functools.lru_cache(maxsize=64)(json_value)
"""The metadata of the last few rows, parsed: rows come in log order, each activity's events
together, sharing theirs (over half the rows of bench/audit.py's record). Shared only by records
written out at once, never handed to a caller who could change them."""


async def write_export(rows: AsyncIterable[Row], format: ExportFormat, out: BinaryIO) -> int:
    """Writes `rows` to `out` as they arrive (`export_bytes`), a few hundred at a time (a write
    a row was a tenth of the time); returns how many were written."""
    count = 0

    async def counting() -> AsyncIterator[Row]:
        nonlocal count
        async for row in rows:
            count += 1
            yield row

    pending: list[bytes] = []
    with frozen_heap():
        async for piece in export_bytes(counting(), format):
            pending.append(piece)
            if len(pending) == _BATCH:
                out.write(b"".join(pending))
                pending.clear()
    out.write(b"".join(pending))
    return count


_BATCH = 256
