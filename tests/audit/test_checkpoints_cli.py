"""`concordat audit checkpoint`, `verify` against checkpoints, `prove`, `consistency` and
`export --up-to`, with audit/verify_offline.py run on what they print, as an auditor without
Concordat would: from a copy of the file alone, in Python's isolated mode."""

import asyncio
import base64
import hashlib
import json
import shutil
import struct
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

import audit.verify_offline as offline
from eventstore.checkpoint import Signer
from eventstore.store import EventStore
from tests.audit.cli import Ran, concordat
from tests.store.events import batch

ORIGIN = "concordat.test/log"


def key_env(private: Ed25519PrivateKey) -> dict[str, str]:
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {
        "CONCORDAT_CHECKPOINT_KEY": base64.b64encode(seed).decode(),
        "CONCORDAT_CHECKPOINT_ORIGIN": ORIGIN,
    }


@pytest.fixture
def private() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def public(private: Ed25519PrivateKey) -> str:
    return str(Signer(ORIGIN, private).verifier)


@pytest.fixture
def auditor_env(public: str) -> dict[str, str]:
    """The auditor holds the public key only."""
    return {"CONCORDAT_CHECKPOINT_PUBLIC_KEY": public}


async def mint(database_url: str, private: Ed25519PrivateKey) -> str:
    ran = await concordat(
        "audit", "checkpoint", "--database-url", database_url, env=key_env(private)
    )
    assert ran.code == 0, ran.stderr
    return ran.stdout


@pytest.fixture
def verifier_file(tmp_path: Path) -> Path:
    """verify_offline.py copied away from the repository."""
    copy = tmp_path / "alone" / "verify_offline.py"
    copy.parent.mkdir()
    shutil.copy(offline.__file__, copy)
    return copy


async def run_offline(verifier_file: Path, public: str, *args: str) -> Ran:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",  # no current directory, no PYTHON* variables: nothing of Concordat on the path
        str(verifier_file),
        *args,
        "--key",
        public,
        cwd=verifier_file.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())


def test_the_offline_verifier_imports_only_the_standard_library_and_an_ed25519_check() -> None:
    source = Path(offline.__file__).read_text()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports - set(sys.stdlib_module_names) == {"cryptography"}
    # Four checks (export, inclusion, consistency, who signed) an auditor reads in one sitting.
    assert len(source.splitlines()) < 400


async def test_checkpoint_verify_prove_consistency_and_the_offline_verifier(
    story: int,
    store: EventStore,
    database_url: str,
    auditor: str,
    auditor_env: dict[str, str],
    private: Ed25519PrivateKey,
    public: str,
    verifier_file: Path,
    tmp_path: Path,
) -> None:
    first = await mint(database_url, private)
    assert first.split("\n")[:2] == [ORIGIN, str(story)]
    await store.append("extra", 0, batch(5))
    second = await mint(database_url, private)
    await store.append("extra", 5, batch(2, start=5))

    ran = await concordat("audit", "verify", "--database-url", auditor, env=auditor_env)
    assert ran.code == 0, ran.stderr
    assert f"matches 2 signed checkpoints, the last of size {story + 5}" in ran.stdout
    assert f"positions {story + 6} to {story + 7} are in no checkpoint yet" in ran.stdout

    ran = await concordat("audit", "public-key", env=key_env(private))
    assert ran.stdout.strip() == public

    ran = await concordat(
        "audit", "prove", str(story + 6), "--database-url", auditor, env=auditor_env
    )
    assert ran.code == 1 and ran.stdout == ""
    assert ran.stderr == (
        f"concordat: no proof of position {story + 6}: position {story + 6} is not in the "
        f"checkpoint of size {story + 5}\n"
    )

    ran = await concordat("audit", "prove", "3", "--database-url", auditor, env=auditor_env)
    assert ran.code == 0, ran.stderr
    bundle = ran.json()
    assert bundle["event"]["position"] == 3 and bundle["checkpoint"] == second
    assert len(bundle["proof"]) <= (story + 5).bit_length()
    (tmp_path / "prove.json").write_text(ran.stdout)
    ran = await run_offline(verifier_file, public, "prove", str(tmp_path / "prove.json"))
    assert ran.code == 0, ran.stderr
    assert f"position 3 is in the checkpoint of size {story + 5}" in ran.stdout

    ran = await concordat(
        "audit",
        "consistency",
        str(story),
        str(story + 5),
        "--database-url",
        auditor,
        env=auditor_env,
    )
    assert ran.code == 0, ran.stderr
    assert ran.json()["old"] == first
    (tmp_path / "consistency.json").write_text(ran.stdout)
    ran = await run_offline(
        verifier_file, public, "consistency", str(tmp_path / "consistency.json")
    )
    assert ran.code == 0, ran.stderr

    export, note = tmp_path / "export.jsonl", tmp_path / "checkpoint.txt"
    note.write_text(second)
    ran = await concordat(
        "audit",
        "export",
        "--format",
        "jsonl",
        "--up-to",
        str(story + 5),
        "--out",
        str(export),
        "--database-url",
        auditor,
    )
    assert ran.code == 0, ran.stderr
    ran = await run_offline(verifier_file, public, "export", str(export), str(note))
    assert ran.code == 0, ran.stderr
    assert f"verified: {story + 5} events" in ran.stdout

    other = str(Signer(ORIGIN, Ed25519PrivateKey.generate()).verifier)
    ran = await run_offline(verifier_file, other, "export", str(export), str(note))
    assert ran.code == 1 and "not signed by" in ran.stderr


# ------------------------------------------------------------ tampered exports, offline


def rehash(records: list[dict[str, Any]], start: int) -> None:
    """What a careful forger does to an export: recompute every hash from `start` on."""
    previous = bytes.fromhex(records[start - 1]["chain_hash"]) if start else bytes(32)
    for record in records[start:]:
        header = offline.canonical(
            [
                record["event_id"],
                record["stream_id"],
                record["version"],
                record["event_type"],
                record["schema_version"],
                offline.micros(record["occurred_at"]),
            ]
        )
        scheme = record["hash_scheme"]
        content = hashlib.sha256(f"{header}\n{offline.canonical(record['data'], scheme)}".encode())
        metadata = hashlib.sha256(offline.canonical(record["metadata"], scheme).encode()).digest()
        packed = struct.pack(">qq", record["position"], offline.micros(record["recorded_at"]))
        link = hashlib.sha256(previous + packed + content.digest() + metadata).digest()
        record.update(
            event_hash=content.hexdigest(), metadata_hash=metadata.hex(), chain_hash=link.hex()
        )
        previous = link


def _changed(r: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r[3]["data"]["forged"] = True
    return r


def _rechained(r: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r[3]["data"]["forged"] = True
    rehash(r, 3)
    return r


def _forged_append(r: list[dict[str, Any]]) -> list[dict[str, Any]]:
    forged = {**r[-1], "position": len(r) + 1, "version": 99, "data": {"forged": True}}
    r.append(forged)
    rehash(r, len(r) - 1)
    return r


def _inserted(r: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*r[:4], {**r[1], "position": 5}, *({**x, "position": x["position"] + 1} for x in r[4:])]


TAMPERINGS = {
    "change": (_changed, "position 4: the content does not match its hash"),
    "delete": (lambda r: r[:5] + r[6:], "position 6 is missing"),
    "insert": (_inserted, "position 5: the chain is broken"),
    "reorder": (lambda r: [r[0], r[2], r[1], *r[3:]], "position 2 is missing"),
    "truncate": (lambda r: r[:-3], "positions"),
    "empty": (lambda r: [], "positions 1 to"),
    "re-chain": (_rechained, "are not the ones the checkpoint signed"),
    "forged append": (_forged_append, "in no checkpoint"),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
async def test_the_offline_verifier_refuses_each_tampered_export(
    story: int,
    database_url: str,
    auditor: str,
    private: Ed25519PrivateKey,
    public: str,
    verifier_file: Path,
    tmp_path: Path,
    tampering: str,
) -> None:
    note = tmp_path / "checkpoint.txt"
    note.write_text(await mint(database_url, private))
    export = tmp_path / "export.jsonl"
    ran = await concordat(
        "audit", "export", "--format", "jsonl", "--out", str(export), "--database-url", auditor
    )
    assert ran.code == 0, ran.stderr
    records = [json.loads(line) for line in export.read_text().splitlines()]
    change, problem = TAMPERINGS[tampering]
    export.write_text("".join(json.dumps(r) + "\n" for r in change(records)))
    ran = await run_offline(verifier_file, public, "export", str(export), str(note))
    assert ran.code == 1
    assert ran.stderr.startswith("REFUSED: ") and problem in ran.stderr, ran.stderr


# ------------------------------------------------------- tampered database, audit verify


@pytest.fixture
async def superuser(owner_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(owner_url)
    for table in ("events", "checkpoints", "merkle_nodes"):
        # The triggers fire even in replica mode (ENABLE ALWAYS): disabling them takes the owner.
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield conn
    await conn.close()


async def test_verify_names_the_checkpoint_a_truncated_or_emptied_log_no_longer_reaches(
    story: int,
    database_url: str,
    auditor: str,
    auditor_env: dict[str, str],
    private: Ed25519PrivateKey,
    superuser: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    witness = tmp_path / "witness.txt"
    witness.write_text(await mint(database_url, private))
    await superuser.execute("DELETE FROM events WHERE position > 4")
    ran = await concordat("audit", "verify", "--database-url", auditor, env=auditor_env)
    assert ran.code == 1
    assert f"the log ends at position 4, but the checkpoint of size {story} signed" in ran.stderr
    assert f"positions 5 to {story} are missing" in ran.stderr

    # A writer who also empties the checkpoints is caught by the witness's copy.
    await superuser.execute("TRUNCATE events, checkpoints, merkle_nodes")
    ran = await concordat(
        "audit",
        "verify",
        "--checkpoint",
        str(witness),
        "--database-url",
        auditor,
        env=auditor_env,
    )
    assert ran.code == 1
    assert (
        f"NOT intact at position 1: the log ends at position 0, but the checkpoint of size {story}"
        in ran.stderr
    )


async def test_verify_refuses_a_checkpoint_a_forger_signed_over_an_appended_event(
    story: int,
    store: EventStore,
    database_url: str,
    auditor: str,
    auditor_env: dict[str, str],
    private: Ed25519PrivateKey,
) -> None:
    await mint(database_url, private)
    await store.append("forged", 0, batch(1))
    await mint(database_url, Ed25519PrivateKey.generate())
    ran = await concordat("audit", "verify", "--database-url", auditor, env=auditor_env)
    assert ran.code == 1
    assert f"checkpoint of size {story + 1}: the checkpoint is not signed by the key" in ran.stderr
