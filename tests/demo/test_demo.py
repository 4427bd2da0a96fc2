"""`make demo` as a user runs it: the story played end to end by a separate process, then its
database replayed "as of" dates of the story, as an auditor would, from the events alone."""

import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import verify_offline
from audit.export import ExportFormat, write_export
from audit.replay import GovernanceReport, replay
from deploy.embedded import DATABASE
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from domain.partnerships_config import load_partnership
from eventstore.checkpoint import Signer
from eventstore.models import RecordedEvent
from eventstore.pool import open_pool
from eventstore.store import EventStore
from eventstore.tree import TreeStore

STORY_LINES = (
    "The story is shifted to start today (server clock)",
    "Healthwatch County Durham signs the MoU",
    "all eight partners have signed: the MoU is effective from 23 Aug 2022",
    "the Acute Care Partnership Board raises an escalation: outcome not delivered",
    "refers it up to the CDCP Executive",
    "cddft-chief-executive may discuss but not decide this item",
    "the CDCPE decides",
    "the CDCPE agrees a recovery plan",
    "the escalation is resolved at level 2",
    "shadow form recorded too early is refused",
    "milestone met: Preferred option (Joint Committee) agreed by Cabinet",
    "milestone met: Shadow form from October 2022",
    "the slippage timer finds 'functions-identified' unmet",
    "DCC re-plans 'functions-identified'",
    "Harrogate and District NHS Foundation Trust gives written notice to leave",
    "on its effective date hdft leaves",
    "review date revised (CDCP MoU §27)",
    "milestone met: Fully operational",
    "the Joint Committee is established and is now a body of the partnership",
    "the annual review opens on its timer",
    "Audit trail of county-durham",
)


@dataclass(frozen=True)
class Played:
    output: str
    offset: timedelta
    folder: Path

    def day(self, story_day: date) -> date:
        return story_day + self.offset


@pytest.fixture(scope="module")
def played() -> Iterator[Played]:
    folder = Path(tempfile.mkdtemp(prefix="concordat-demo-test-"))
    folder.chmod(0o755)  # reachable by PostgreSQL's own user when the tests run as root
    try:
        ran = subprocess.run(
            [sys.executable, "-m", "deploy.demo", "--keep", str(folder)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        shifted = re.search(r"shifted by (\d+) days", ran.stdout)
        assert shifted is not None, ran.stdout[:2000]
        yield Played(ran.stdout, timedelta(days=int(shifted.group(1))), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
async def demo_store(played: Played) -> AsyncIterator[EventStore]:
    """The demo's log in its kept database, on a server started on it afresh."""
    postgres = EmbeddedPostgres(played.folder / "postgres", free_port())
    await postgres.start()
    try:
        pool = await open_pool(postgres.url_for(DATABASE), max_size=2)
        try:
            yield EventStore(pool)
        finally:
            await pool.close()
    finally:
        postgres.stop()


@pytest.fixture(scope="module")
async def events(demo_store: EventStore) -> list[RecordedEvent]:
    return await demo_store.read_partnership("county-durham")


async def test_the_standalone_verifier_checks_an_export_of_the_demo(
    demo_store: EventStore, tmp_path: Path
) -> None:
    """docs/audit.md's steps: a checkpoint, an export up to it, verify_offline.py run from a copy
    of itself alone with the public key."""
    signer = Signer("concordat.demo/log", Ed25519PrivateKey.generate())
    signed = await TreeStore(demo_store.pool).mint(signer, datetime.now(UTC))
    (tmp_path / "checkpoint.txt").write_text(signed.note)
    with (tmp_path / "export.jsonl").open("wb") as out:
        rows = demo_store.export_rows(up_to=signed.checkpoint.tree_size)
        count = await write_export(rows, ExportFormat.JSONL, out)
    assert count == signed.checkpoint.tree_size > 50
    shutil.copy(verify_offline.__file__, tmp_path / "verify_offline.py")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "verify_offline.py",
        "export",
        "export.jsonl",
        "checkpoint.txt",
        "--key",
        str(signer.verifier),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode() == (
        f"verified: {count} events, as the checkpoint of size {count} signed\n"
    )


async def test_the_standalone_verifier_checks_who_acted_on_every_event_of_the_demo(
    demo_store: EventStore, tmp_path: Path
) -> None:
    """Issue 16: every event a person caused carries the service's signature over that person,
    role, command and time; the verifier checks it from the export alone, and refuses an event
    whose metadata was changed to name someone else."""
    with (tmp_path / "export.jsonl").open("wb") as out:
        await write_export(demo_store.export_rows(), ExportFormat.JSONL, out)
    lines = (tmp_path / "export.jsonl").read_text(encoding="utf-8").splitlines()
    keys = {json.loads(line)["metadata"].get("signature", {}).get("key") for line in lines} - {None}
    assert len(keys) == 1  # the demo's one web-service key
    verdict = verify_offline.check_signatures(lines, list(keys))
    signed, system = map(int, re.findall(r"\d+", verdict))
    assert signed > 20 and system > 0 and signed + system == len(lines)

    at = next(i for i, line in enumerate(lines) if '"signature"' in line)
    record = json.loads(lines[at])
    record["metadata"]["provenance"]["person"]["email"] = "someone.else@example.org"
    forged = [*lines[:at], json.dumps(record), *lines[at + 1 :]]
    with pytest.raises(verify_offline.Refused, match=f"position {record['position']}: the "):
        verify_offline.check_signatures(forged, list(keys))
    with pytest.raises(verify_offline.Refused, match="not a key given"):
        verify_offline.check_signatures(lines, ["00" * 32])


def test_the_story_is_told_and_ends_with_an_intact_log(played: Played) -> None:
    for line in STORY_LINES:
        assert line in played.output, line
    assert f"kept in {played.folder}" in played.output
    verification = played.output.strip().splitlines()[-1]
    assert re.fullmatch(
        r"Verification: intact: \d+ events verified; head \d+:[0-9a-f]{64}", verification
    )


def _as_of(played: Played, events: list[RecordedEvent], story_day: date) -> GovernanceReport:
    return replay(load_partnership("county-durham"), events, played.day(story_day))


def test_replay_before_and_after_the_mou_takes_effect(
    played: Played, events: list[RecordedEvent]
) -> None:
    before = _as_of(played, events, date(2022, 8, 22))
    assert before.effective_on is None and before.outstanding_signatures == ("healthwatch",)
    after = _as_of(played, events, date(2022, 8, 23))
    assert after.effective_on == played.day(date(2022, 8, 23))
    assert after.mou_version == 1
    assert after.review_due_on == played.day(date(2023, 8, 23))


def test_replay_the_escalation_at_the_cdcpe_then_resolved(
    played: Played, events: list[RecordedEvent]
) -> None:
    at_level_1 = _as_of(played, events, date(2022, 9, 5)).open_escalations
    assert [(e.escalation_id, e.level) for e in at_level_1] == [("acute-discharge", 1)]
    deciding = _as_of(played, events, date(2022, 9, 30)).open_escalations
    assert [(e.level, e.open_actions) for e in deciding] == [(2, ("a1",))]
    assert _as_of(played, events, date(2022, 10, 6)).open_escalations == ()


def test_replay_the_committee_milestones_slipping_and_replanned(
    played: Played, events: list[RecordedEvent]
) -> None:
    def milestone(story_day: date, milestone_id: str) -> tuple[str, date]:
        (formation,) = _as_of(played, events, story_day).committees
        found = next(m for m in formation.milestones if m.milestone_id == milestone_id)
        return found.status, found.target_on

    assert milestone(date(2022, 9, 14), "preferred-option")[0] == "met"
    assert milestone(date(2022, 9, 14), "co-production")[0] == "planned"
    assert milestone(date(2022, 12, 31), "functions-identified") == (
        "planned",
        played.day(date(2022, 12, 31)),
    )
    assert milestone(date(2023, 1, 3), "functions-identified")[0] == "slipped"
    assert milestone(date(2023, 1, 4), "functions-identified") == (
        "replanned",
        played.day(date(2023, 1, 20)),
    )
    (formation,) = _as_of(played, events, date(2023, 4, 1)).committees
    assert formation.status == "established"
    assert formation.established_on == played.day(date(2023, 4, 1))


def test_replay_the_exit_and_the_review(played: Played, events: list[RecordedEvent]) -> None:
    notice_given = _as_of(played, events, date(2023, 2, 1))
    assert [x.organisation for x in notice_given.open_exits] == ["hdft"]
    assert "hdft" in [s.organisation for s in notice_given.signatories]
    left = _as_of(played, events, date(2023, 3, 31))
    assert left.open_exits == () and [d.organisation for d in left.departures] == ["hdft"]
    assert left.mou_version == 2 and len(left.signatories) == 7
    # CDCP MoU §27 and the exit policy: the review falls due within 90 days of the exit.
    assert left.review_due_on == played.day(date(2023, 6, 29))
    assert all(m.organisation != "hdft" for b in left.bodies for m in b.members)
    assert "joint-committee" in [b.slug for b in _as_of(played, events, date(2023, 4, 1)).bodies]
    # Opened on its timer eight weeks before it is due.
    assert _as_of(played, events, date(2023, 5, 3)).open_reviews == ()
    (review,) = _as_of(played, events, date(2023, 5, 4)).open_reviews
    assert review.due_on == played.day(date(2023, 6, 29))
    assert review.awaiting and "hdft" not in review.awaiting
