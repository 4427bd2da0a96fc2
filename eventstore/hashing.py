"""Canonical serialisation and the hash chain of the event log.

The database computes chain links when it appends; auditors recompute them here, so the two must
agree byte for byte and the verification must not depend on any code stored in the database.
"""

import functools
import hashlib
import json
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson
import rfc8785

GENESIS_HASH = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _refuse_floats(value: Any, path: str) -> None:
    # A float read back from jsonb may print differently from the float that was hashed; events
    # carry exact values (integers, strings, ISO dates) so that every hash can be recomputed.
    if isinstance(value, float):
        raise ValueError(f"event field {path or '(root)'} is a float; use an integer or a string")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_floats(item, f"{path}[{index}]")


_MAX_SAFE = 2**53 - 1


def _standard_form_is_rfc8785(value: Any) -> bool:
    """Whether the standard library's sorted, compact JSON of `value` is already its RFC 8785
    form: integers within IEEE double precision, keys in the Basic Multilingual Plane (where code
    point and UTF-16 order agree). A float anywhere is refused here, naming where it is."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_MAX_SAFE <= item <= _MAX_SAFE:
                return False
        elif isinstance(item, float):
            _refuse_floats(value, "")
        elif isinstance(item, dict):
            if not all(k.isascii() or max(k) <= "\uffff" for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


_ENCODE = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode

LEGACY_SCHEME = 1
"""Rows recorded before migration 0004: keys sorted by code point, compact, UTF-8 as is."""
RFC8785_SCHEME = 2
"""Rows recorded since: RFC 8785, the JSON Canonicalization Scheme, which any tool reproduces.
The two agree on nearly every event; each row names the scheme it was hashed with."""


def canonical_json(value: Any, scheme: int = RFC8785_SCHEME) -> str:
    """The text an event's data or metadata is hashed over, in the row's hash scheme."""
    if scheme not in (LEGACY_SCHEME, RFC8785_SCHEME):
        raise ValueError(f"hash scheme {scheme} is not known")
    if _standard_form_is_rfc8785(value) or scheme == LEGACY_SCHEME:
        return _ENCODE(value)
    try:
        return rfc8785.dumps(value).decode()
    except rfc8785.CanonicalizationError as error:
        raise ValueError(f"the event cannot be canonicalised (RFC 8785): {error}") from error


def timestamp_micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no time zone")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def event_hash(
    *,
    event_id: UUID,
    stream_id: str,
    version: int,
    event_type: str,
    schema_version: int,
    occurred_at: datetime,
    data_json: str,
) -> bytes:
    """What the event says, without how it was recorded: the identity of a retried append.

    `data_json` must be the canonical_json of the data, so that the text stored and the text
    hashed are made once and are the same.
    """
    header = _ENCODE(  # strings and integers only: nothing to refuse
        [
            str(event_id),
            stream_id,
            version,
            event_type,
            schema_version,
            timestamp_micros(occurred_at),
        ]
    )
    return hashlib.sha256(f"{header}\n{data_json}".encode()).digest()


def metadata_hash(metadata_json: str) -> bytes:
    """`metadata_json` is canonical_json of the metadata."""
    return hashlib.sha256(metadata_json.encode()).digest()


def chain_link(
    previous: bytes, position: int, recorded_at: datetime, event: bytes, metadata: bytes
) -> bytes:
    """Mirrors append_events() in migrations/0001_events.sql."""
    packed = struct.pack(">qq", position, timestamp_micros(recorded_at))
    return hashlib.sha256(previous + packed + event + metadata).digest()


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Row(Protocol):
    """A stored row by column name: an asyncpg record or a dict."""

    def __getitem__(self, column: str, /) -> Any: ...


# In orjson's sorted output a character beyond U+FFFF (a UTF-8 lead byte F0-F4) may sit in a key,
# whose RFC 8785 order (UTF-16) can differ; text inside a string can match too, which costs only
# the exact, slower path.
_BEYOND_BMP = re.compile(rb"[\xf0-\xf4]")
_ORJSON_OPTIONS = {
    LEGACY_SCHEME: orjson.OPT_SORT_KEYS,
    # An integer beyond double precision is refused here, left to canonical_json.
    RFC8785_SCHEME: orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER,
}


def _fast(value: Any, scheme: int) -> bytes | None:
    """orjson's sorted, compact form of `value` when it is certainly the scheme's canonical
    form (orjson sorts keys by code point, as the legacy scheme does); else None."""
    try:
        text = orjson.dumps(value, option=_ORJSON_OPTIONS[scheme])
    except orjson.JSONEncodeError:
        return None
    if scheme == RFC8785_SCHEME and not text.isascii() and _BEYOND_BMP.search(text):
        return None
    return text


def recompute(row: Row) -> tuple[bytes, bytes]:
    """A stored row's event and metadata hashes, recomputed from its columns (data and metadata
    as the JSON text PostgreSQL returns) in the row's hash scheme.

    Verification's hot path: orjson gives the canonical form of nearly every event several times
    faster. Where it may not (see _fast), or its hash is not the stored one (orjson reads an
    integer past 64 bits as a float), the row is hashed again exactly, by the standard library's
    parser and canonical_json, which decide.
    """
    content, meta, _, _ = _canonical(row)
    return content, meta


def canonical_texts(row: Row) -> tuple[bytes, bytes]:
    """A stored row's data and metadata as the canonical JSON (UTF-8) they were hashed over, in
    the row's scheme: what an export gives auditors to hash. orjson's text where it yields the
    stored hash, else canonical_json's, as `recompute` decides. The metadata is worked out once
    for rows that share it, as the events one activity recorded do."""
    scheme = _scheme(row)
    data, _ = _canonical_data(row, scheme)
    metadata, _ = _shared_metadata(row["metadata"], scheme, bytes(row["metadata_hash"]))
    return data, metadata


def _canonical(row: Row) -> tuple[bytes, bytes, bytes, bytes]:
    """The row's event hash, metadata hash, and the canonical texts they were computed over."""
    scheme = _scheme(row)
    data, content = _canonical_data(row, scheme)
    metadata, meta = _canonical_metadata(row["metadata"], scheme, row["metadata_hash"])
    return content, meta, data, metadata


def _scheme(row: Row) -> int:
    scheme: int = row["hash_scheme"]
    if scheme not in (LEGACY_SCHEME, RFC8785_SCHEME):
        raise ValueError(f"hash scheme {scheme} is not known")
    return scheme


def _canonical_data(row: Row, scheme: int) -> tuple[bytes, bytes]:
    """The row's data as canonical text, and its event hash."""
    header = orjson.dumps(
        [
            str(row["event_id"]),
            row["stream_id"],
            row["version"],
            row["event_type"],
            row["schema_version"],
            _micros(row["occurred_at"]),
        ]
    )
    return _confirmed(
        _fast(orjson.loads(row["data"]), scheme),
        header + b"\n",
        row["event_hash"],
        lambda: canonical_json(json.loads(row["data"]), scheme),
    )


def _canonical_metadata(text: str, scheme: int, stored: bytes) -> tuple[bytes, bytes]:
    """Metadata as stored (`text`), as canonical text, and its hash."""
    return _confirmed(
        _fast(orjson.loads(text), scheme),
        b"",
        stored,
        lambda: canonical_json(json.loads(text), scheme),
    )


_shared_metadata = functools.lru_cache(maxsize=64)(_canonical_metadata)
"""`_canonical_metadata` of the last few metadata read: an export's rows come in log order, each
activity's events together, sharing theirs (over half the rows of bench/audit.py's record)."""


def _confirmed(
    fast: bytes | None, prefix: bytes, stored: bytes, exact: Callable[[], str]
) -> tuple[bytes, bytes]:
    """The fast text and its hash when that hash is the stored one; else the exact text's."""
    if fast is not None:
        digest = hashlib.sha256(prefix + fast).digest()
        if digest == stored:
            return fast, digest
    text = exact().encode()
    return text, hashlib.sha256(prefix + text).digest()
