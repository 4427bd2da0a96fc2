"""Bad input is refused in one line on stderr, with a non-zero exit and nothing written."""

from pathlib import Path

import pytest

from concordat.settings import APP_ROLE
from deploy.processes import free_port
from tests.audit.cli import Ran, concordat

KNOWN = "the known partnerships are: county-durham, mid-south-essex, nenc-ics"


def refused(ran: Ran, *phrases: str) -> None:
    assert ran.code != 0
    assert ran.stdout == ""
    assert ran.stderr.startswith("concordat: ") and ran.stderr.count("\n") == 1, ran.stderr
    for phrase in phrases:
        assert phrase in ran.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("replay", "narnia", "--as-of", "2022-08-23"),
        ("trail", "narnia"),
        ("export", "--format", "csv", "--partnership", "narnia"),
    ],
)
async def test_an_unknown_partnership_is_refused_listing_the_known(
    auditor: str, command: tuple[str, ...]
) -> None:
    refused(
        await concordat("audit", *command, "--database-url", auditor),
        "no partnership called 'narnia'",
        KNOWN,
    )


@pytest.mark.parametrize("as_of", ["23/08/2022", "20220823", "yesterday"])
async def test_a_bad_date_is_refused(auditor: str, as_of: str) -> None:
    ran = await concordat(
        "audit", "replay", "county-durham", "--as-of", as_of, "--database-url", auditor
    )
    refused(ran, "--as-of must be YYYY-MM-DD")


async def test_a_date_that_does_not_exist_is_called_so(auditor: str) -> None:
    ran = await concordat(
        "audit", "replay", "county-durham", "--as-of", "2022-02-30", "--database-url", auditor
    )
    refused(ran, "--as-of '2022-02-30' is not a real date")


@pytest.mark.parametrize("digest", ["12", "12:abc", "x:" + "a" * 64, "-1:" + "a" * 64])
async def test_a_bad_digest_is_refused(auditor: str, digest: str) -> None:
    ran = await concordat("audit", "verify", "--digest", digest, "--database-url", auditor)
    refused(ran, "--digest must be POSITION:HASH")


async def test_a_digest_beyond_the_log_fails_verification(story: int, auditor: str) -> None:
    ran = await concordat(
        "audit", "verify", "--digest", f"{story + 1}:{'a' * 64}", "--database-url", auditor
    )
    refused(ran, f"NOT intact at position {story + 1}", f"the log ends at position {story}")


async def test_no_database_is_refused_without_writing_anything(tmp_path: Path) -> None:
    url = f"postgresql://concordat_auditor:secret@127.0.0.1:{free_port()}/concordat"
    out = tmp_path / "log.jsonl"
    for command in (
        ("verify",),
        ("digest",),
        ("replay", "county-durham", "--as-of", "2022-08-23"),
        ("trail", "county-durham"),
        ("export", "--format", "jsonl", "--out", str(out)),
    ):
        ran = await concordat("audit", *command, "--database-url", url)
        refused(
            ran,
            "cannot reach PostgreSQL at postgresql://concordat_auditor@127.0.0.1:",
            "is the service running? (make run)",
        )
        assert "secret" not in ran.stderr and "Errno" not in ran.stderr
    assert list(tmp_path.iterdir()) == []


async def test_an_unknown_role_is_refused(database_url: str) -> None:
    ran = await concordat(
        "audit", "digest", "--database-url", database_url.replace(f"{APP_ROLE}@", "nobody@")
    )
    refused(ran, "cannot connect to", "nobody")


@pytest.mark.parametrize("folder", ["missing/dir", "a-file"])
async def test_an_output_path_that_cannot_be_written_is_named(
    story: int, auditor: str, tmp_path: Path, folder: str
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    out = tmp_path / folder / "x.csv"
    ran = await concordat(
        "audit", "export", "--format", "csv", "--out", str(out), "--database-url", auditor
    )
    refused(ran, f"cannot write {out}: {out.parent} is not a directory")
    assert "connect" not in ran.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
