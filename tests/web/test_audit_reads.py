"""The auditor's reads over the API on the County Durham story: only auditors read the record
(rule A10), the trail narrows to a process, an organisation, a person and dates in the database,
and the export streams every event as a file the standalone verifier accepts."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from audit import verify_offline
from eventstore.checkpoint import Signer
from eventstore.store import COLUMNS, EventStore
from eventstore.tree import TreeStore
from tests.audit.story import EXIT_STREAM, append_story, county_durham_story
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token

SLUG = "county-durham"
AUDITOR = "dev-auditor"
SIGNER = Signer("concordat.test/log", Ed25519PrivateKey.generate())


@pytest.fixture
async def story(store: EventStore, pool: asyncpg.Pool) -> int:
    """The story, and a checkpoint of all of it signed by `SIGNER`."""
    size = await append_story(store, county_durham_story())
    await TreeStore(pool).mint(SIGNER, datetime(2026, 3, 1, tzinfo=UTC))
    return size


@pytest.fixture
async def web(serve: Serve, database_url: str) -> AsyncIterator[str]:
    async with serve(
        auditor_database_url=SecretStr(database_url), checkpoint_public_key=str(SIGNER.verifier)
    ) as address:
        yield address


async def api_as(issuer: str, web: str, sub: str) -> httpx.AsyncClient:
    token = await program_token(issuer, sub)
    return httpx.AsyncClient(
        base_url=f"{web}/api/v1/audit", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


async def test_only_auditors_read_the_record(story: int, issuer: str, web: str) -> None:
    reads = (
        "/verify",
        "/check",
        "/digest",
        "/checkpoint",
        "/export?format=jsonl",
        f"/export?format=csv&partnership={SLUG}",
        f"/partnerships/{SLUG}/replay",
        f"/partnerships/{SLUG}/trail",
    )
    async with await api_as(issuer, web, SECRETARY) as secretary:
        for read in reads:
            refused = await secretary.get(read)
            assert refused.status_code == 403, read
            assert "only" in refused.json()["detail"] and "(rule A10)" in refused.json()["detail"]
    async with await api_as(issuer, web, AUDITOR) as auditor:
        for read in reads:
            assert (await auditor.get(read)).status_code == 200, read
        assert (await auditor.get("/partnerships/nowhere/trail")).status_code == 404


async def test_the_check_names_the_head_and_the_latest_checkpoint(
    story: int, issuer: str, web: str, store: EventStore
) -> None:
    async with await api_as(issuer, web, AUDITOR) as auditor:
        checked = (await auditor.get("/check")).json()
    head = await store.digest()
    assert checked["verification"]["intact"] is True
    assert checked["verification"]["checkpointed"] == story
    assert checked["head"] == head.model_dump()
    assert checked["checkpoints"] == 1
    assert checked["latest_checkpoint"]["tree_size"] == story
    assert checked["checkpoint_problem"] is None


def _names(value: object, slug: str) -> bool:
    """Whether any value inside `value` is `slug` (what the database's jsonpath asks)."""
    if isinstance(value, dict):
        return any(_names(v, slug) for v in value.values())
    if isinstance(value, list):
        return any(_names(v, slug) for v in value)
    return value == slug


async def test_the_trail_narrows_to_a_process_an_organisation_a_person_and_dates(
    story: int, issuer: str, web: str, store: EventStore
) -> None:
    events = {e.position: e for e in await store.read_partnership(SLUG)}
    trail = f"/partnerships/{SLUG}/trail"
    async with await api_as(issuer, web, AUDITOR) as auditor:

        async def positions(**params: Any) -> list[int]:
            answer = await auditor.get(trail, params=params)
            assert answer.status_code == 200, answer.text
            return [line["position"] for line in answer.json()]

        whole = await positions()
        assert whole == sorted(events)

        exit_lines = await positions(process=EXIT_STREAM)
        assert exit_lines == [p for p in whole if events[p].stream_id == EXIT_STREAM]
        assert exit_lines

        hdft = await positions(organisation="hdft")
        provenance = [(events[p].metadata.get("provenance") or {}) for p in whole]
        assert hdft == [
            p
            for p, acted in zip(whole, provenance, strict=True)
            if _names(events[p].data, "hdft")
            or "hdft" in (acted.get("organisation"), acted.get("on_behalf_of"))
        ]
        assert set(exit_lines) < set(hdft)

        actor = str(events[whole[0]].metadata["actor"])
        part = actor.split("<")[1].split("@")[0].upper()  # part of an email, another case
        by_person = await positions(person=part)
        assert by_person == [
            p for p in whole if part.lower() in events[p].metadata["actor"].lower()
        ]
        assert 0 < len(by_person) < len(whole)

        since, until = date(2022, 9, 1), date(2022, 10, 31)
        dated = await positions(since=since.isoformat(), until=until.isoformat())
        assert dated == [
            p for p in whole if since <= events[p].occurred_at.astimezone(UTC).date() <= until
        ]
        assert 0 < len(dated) < len(whole)
        # Filters combine, and a page continues after the last position shown.
        assert await positions(process=EXIT_STREAM, since="2023-03-01") == [
            p for p in exit_lines if p in await positions(since="2023-03-01")
        ]
        assert await positions(limit=3) == whole[:3]
        assert await positions(after=whole[2], limit=3) == whole[3:6]

        unknown = await auditor.get(trail, params={"organisation": "nope"})
        assert unknown.status_code == 422
        assert "'nope' is not an organisation or body of county-durham" in unknown.text
        stray = await auditor.get(trail, params={"process": "exit:elsewhere:x:2020-01-01"})
        assert stray.status_code == 422 and "is not a process of county-durham" in stray.text
        swapped = await auditor.get(trail, params={"since": "2023-01-01", "until": "2022-01-01"})
        assert swapped.status_code == 422 and "swap them" in swapped.text


async def test_the_export_streams_every_event_and_verifies(
    story: int, issuer: str, web: str, pool: asyncpg.Pool
) -> None:
    note = await TreeStore(pool).note()
    key = verify_offline.parse_key(str(SIGNER.verifier))
    async with await api_as(issuer, web, AUDITOR) as auditor:
        jsonl = await auditor.get("/export", params={"format": "jsonl", "up_to": story})
        assert jsonl.headers["content-type"] == "application/jsonl"
        assert 'filename="concordat-log-to-' in jsonl.headers["content-disposition"]
        lines = jsonl.text.splitlines()
        assert [json.loads(line)["position"] for line in lines] == list(range(1, story + 1))
        assert verify_offline.check_export(lines, note, key) == (
            f"verified: {story} events, as the checkpoint of size {story} signed"
        )

        mine = await auditor.get("/export", params={"format": "csv", "partnership": SLUG})
        assert mine.headers["content-type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(mine.text)))
        assert tuple(rows[0]) == COLUMNS and len(rows) == story
        assert all(json.loads(r["data"])["partnership"] == SLUG for r in rows)

        both = await auditor.get(
            "/export", params={"format": "jsonl", "partnership": SLUG, "up_to": 3}
        )
        assert both.status_code == 422 and "leave out partnership" in both.text
        assert (await auditor.get("/export", params={"format": "xml"})).status_code == 422
