"""`concordat audit export`: complete, parseable by the standard csv and json modules, and
enough to recompute every hash of the chain without Concordat."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from eventstore.hashing import GENESIS_HASH, canonical_json, chain_link, event_hash, metadata_hash
from eventstore.store import COLUMNS, EventStore
from tests.audit.cli import concordat
from tests.store.events import batch


async def table_columns(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch(
        """SELECT column_name FROM information_schema.columns
           WHERE table_name = 'events' ORDER BY ordinal_position"""
    )
    return [r["column_name"] for r in rows]


def recompute_chain(records: list[dict[str, Any]]) -> bytes:
    """The head of the chain computed from the exported records alone."""
    previous = GENESIS_HASH
    for record in records:
        content = event_hash(
            event_id=UUID(record["event_id"]),
            stream_id=record["stream_id"],
            version=int(record["version"]),
            event_type=record["event_type"],
            schema_version=int(record["schema_version"]),
            occurred_at=datetime.fromisoformat(record["occurred_at"]),
            data_json=canonical_json(record["data"]),
        )
        assert content.hex() == record["event_hash"]
        meta = metadata_hash(canonical_json(record["metadata"]))
        assert meta.hex() == record["metadata_hash"]
        previous = chain_link(
            previous,
            int(record["position"]),
            datetime.fromisoformat(record["recorded_at"]),
            content,
            meta,
        )
        assert previous.hex() == record["chain_hash"]
    return previous


async def test_jsonl_export_is_every_event_and_every_column(
    story: int, auditor: str, store: EventStore, pool: asyncpg.Pool
) -> None:
    ran = await concordat("audit", "export", "--format", "jsonl", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    assert ran.stderr == f"exported {story} events\n"
    records = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(records) == story
    assert list(COLUMNS) == await table_columns(pool)
    assert all(list(r) == list(COLUMNS) for r in records)
    assert [r["position"] for r in records] == list(range(1, story + 1))
    stored = await store.read_all(limit=story)
    assert [r["data"] for r in records] == [e.data for e in stored]
    assert [r["metadata"] for r in records] == [e.metadata for e in stored]
    assert recompute_chain(records).hex() == (await store.digest()).chain_hash


async def test_csv_export_is_every_event_and_every_column(
    story: int, auditor: str, store: EventStore, tmp_path: Path
) -> None:
    out = tmp_path / "log.csv"
    ran = await concordat(
        "audit", "export", "--format", "csv", "--out", str(out), "--database-url", auditor
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout == ""
    with out.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == list(COLUMNS)
        rows = list(reader)
    assert len(rows) == story
    records = [
        {**r, "data": json.loads(r["data"]), "metadata": json.loads(r["metadata"])} for r in rows
    ]
    assert recompute_chain(records).hex() == (await store.digest()).chain_hash
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"], "no partial file left behind"


async def test_export_of_one_partnership(story: int, auditor: str, store: EventStore) -> None:
    await store.append("unrelated", 0, batch(3))
    ran = await concordat(
        "audit",
        "export",
        "--format",
        "csv",
        "--partnership",
        "county-durham",
        "--database-url",
        auditor,
    )
    assert ran.code == 0, ran.stderr
    rows = list(csv.DictReader(io.StringIO(ran.stdout)))
    assert len(rows) == story
    assert {json.loads(r["data"])["partnership"] for r in rows} == {"county-durham"}

    everything = await concordat("audit", "export", "--format", "jsonl", "--database-url", auditor)
    assert len(everything.stdout.splitlines()) == story + 3


async def test_an_empty_log_exports_a_header_only(auditor: str) -> None:
    ran = await concordat("audit", "export", "--format", "csv", "--database-url", auditor)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.splitlines() == [",".join(COLUMNS)]
