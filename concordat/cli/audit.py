"""`concordat audit`: what an auditor runs against the event log, needing only SELECT on it.

Auditors connect as the read-only role `concordat_auditor` and trust nothing but the rows: verify
recomputes every hash in Python, replay folds the events with the domain's own `evolve`
functions, and neither needs Temporal. Every refusal (unknown partnership, bad date or digest, no
connection) is one line on stderr with a non-zero exit, before anything is written.
"""

import os
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

import asyncpg
import click
from pydantic import ValidationError

from audit.export import ExportFormat, write_export
from audit.replay import GovernanceReport, replay_from
from audit.trail import TrailLine
from audit.trail_query import TrailQuery, known_names, trail_lines
from concordat.checkpoint_key import SigningKeyError, verifier_from_settings
from concordat.cli.output import emit, emit_each, fail, json_option, run_on_database
from concordat.dev_extra import embedded_refusal
from concordat.settings import Settings
from domain.errors import ConfigError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.text import printable
from eventstore.checkpoint import Checkpoint, CheckpointError, VerifierKey, open_checkpoints
from eventstore.models import Digest, Verification
from eventstore.pool import open_pool
from eventstore.store import EventStore
from eventstore.tree import TreeStore

F = TypeVar("F", bound=Callable[..., Any])

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def database_option(command: F) -> F:
    """On every command rather than the group, so it can follow the command as people type it."""
    return click.option(
        "--database-url",
        metavar="URL",
        help="PostgreSQL URL, as the read-only role concordat_auditor "
        "[default: $CONCORDAT_AUDITOR_DATABASE_URL, else $CONCORDAT_DATABASE_URL's database "
        "(or the embedded one) as concordat_auditor]",
    )(command)


@click.group()
def audit() -> None:
    """Verify, replay, trace and export the event log (read-only)."""


def _where(dsn: str) -> str:
    """The URL without its password, fit to print."""
    try:
        parts = urlsplit(dsn)
        host = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{parts.hostname or ''}{port}{parts.path}"
    except ValueError:
        return "the database URL given"


@asynccontextmanager
async def _store(database_url: str | None) -> AsyncIterator[EventStore]:
    """The event store at `database_url` (default: the auditor's URL from settings); any failure
    to reach or read it becomes a one-line refusal naming where it looked."""
    try:
        settings = Settings()
    except ValidationError as error:
        fail(f"cannot read the settings: {error.errors()[0]['msg']}")
    explicit = database_url or settings.auditor_database_url
    refusal = None if explicit else embedded_refusal(settings)
    if refusal is not None:
        fail(refusal)
    dsn = database_url or settings.auditor_database_dsn()
    try:
        pool = await open_pool(dsn, max_size=1)
    except OSError:
        # Nothing listening: the driver's socket error says less than this does.
        fail(f"cannot reach PostgreSQL at {_where(dsn)}: is the service running? (make run)")
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        fail(f"cannot connect to {_where(dsn)}: {error}")
    try:
        yield EventStore(pool)
    except asyncpg.PostgresError as error:
        fail(f"the database at {_where(dsn)} refused: {error}")
    finally:
        await pool.close()


def _partnership(slug: str, *, calendar: bool = True) -> Partnership:
    """The partnership `slug`; `calendar=False` for a read that counts no working days."""
    try:
        return load_partnership(slug, Settings().partnerships_dir, calendar=calendar)
    except ConfigError as error:
        fail(error.problem)


def _as_of(text: str | None, option: str = "--as-of") -> date:
    if text is None:
        return datetime.now(UTC).date()
    if not _ISO_DATE.fullmatch(text):
        fail(f"{option} must be YYYY-MM-DD, not {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a real date")


def _digest(text: str) -> Digest:
    try:
        return Digest.parse(text)
    except ValueError:  # pydantic's ValidationError is one
        fail(f"--digest must be POSITION:HASH (a number and 64 hex digits), not {text!r}")


# ------------------------------------------------------------------------- verify, digest


def _refuse_empty(result: Verification, digest: Digest | None, allow_empty: bool) -> None:
    """An empty log verifies trivially, which after an accident or a wipe is the worst answer to
    give quietly: it passes only when the auditor says it is expected, and never against a digest
    minuted from a log that had events."""
    if result.checked > 0:
        return
    if digest is not None:
        fail(f"the log is empty: it no longer passes through digest {digest}")
    if not allow_empty:
        fail("the log is empty: there are no events to verify (--allow-empty if none are expected)")


def _verified_text(
    result: Verification, digest: Digest | None, checkpoints: list[Checkpoint]
) -> str:
    lines = [f"intact: {result.checked} events verified; head {result.head}"]
    if digest is not None:
        lines.append(f"the log still extends digest {digest}")
    if checkpoints:
        last = max(checkpoints, key=lambda c: c.tree_size)
        when = last.time.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(
            f"matches {len(checkpoints)} signed checkpoints, the last of size "
            f"{last.tree_size} signed {when}"
        )
        if result.checked > last.tree_size:
            lines.append(
                f"positions {last.tree_size + 1} to {result.checked} are in no checkpoint yet"
            )
    return "\n".join(lines)


def verifier() -> VerifierKey:
    """The public key checkpoints are checked with, or a one-line refusal saying how to set it."""
    try:
        return verifier_from_settings(Settings())
    except ValidationError as error:
        fail(f"cannot read the settings: {error.errors()[0]['msg']}")
    except SigningKeyError as error:
        fail(
            "no public key to check checkpoints with: set CONCORDAT_CHECKPOINT_PUBLIC_KEY to the "
            f"key `concordat audit public-key` prints ({error})"
        )


def _checkpoints(notes: list[str]) -> list[Checkpoint]:
    if not notes:
        return []
    try:
        return open_checkpoints(notes, verifier())
    except CheckpointError as error:
        fail(f"a checkpoint is refused: {error}")


@audit.command()
@click.option(
    "--digest",
    "digest_text",
    metavar="POSITION:HASH",
    help="A digest minuted earlier: also prove the log still passes through it (an empty log "
    "never does).",
)
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A signed checkpoint kept outside the database (a witness's copy): the log must match "
    "it as well as every checkpoint the database holds. Repeatable.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="An empty log is expected (a new installation): pass it. Without this flag an empty log "
    "fails.",
)
@database_option
@json_option
@run_on_database
async def verify(
    digest_text: str | None,
    checkpoint_files: tuple[Path, ...],
    allow_empty: bool,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Recompute the hash chain over the whole log and the Merkle root under every signed
    checkpoint; exit 0 only if all match and, unless --allow-empty, the log holds an event."""
    digest = _digest(digest_text) if digest_text is not None else None
    kept = [f.read_text(encoding="utf-8") for f in checkpoint_files]
    async with _store(database_url) as store:
        checkpoints = _checkpoints([*await TreeStore(store.pool).notes(), *kept])
        result = await store.verify(digest, checkpoints)
    if as_json:
        emit(result, as_json=True)
    if not result.intact:
        fail(
            f"the log is NOT intact at position {result.first_bad_position}: {result.problem} "
            f"({result.checked} events before it verified)"
        )
    _refuse_empty(result, digest, allow_empty)
    if not as_json:
        emit(result, as_json=False, text=lambda r: _verified_text(r, digest, checkpoints))
    if not checkpoints:
        # Without one, a truncated or re-chained log verifies: say so, off the result itself.
        click.echo("no signed checkpoint to verify against (concordat audit checkpoint)", err=True)


@audit.command()
@database_option
@json_option
@run_on_database
async def digest(database_url: str | None, as_json: bool) -> None:
    """Print the log's current POSITION:HASH, to be minuted and verified against later."""
    async with _store(database_url) as store:
        head = await store.digest()
    emit({**head.model_dump(), "digest": str(head)} if as_json else head, as_json)


# -------------------------------------------------------------------------------- replay


def _report_text(report: GovernanceReport) -> str:
    lines = [
        f"{report.name} ({report.partnership}) as of {report.as_of.isoformat()}"
        + (f", as known on {report.as_known_on}" if report.as_known_on else ""),
        f"  rebuilt from {report.events_applied} events, up to log position {report.last_position}",
        f"MoU: version {report.mou_version}, effective {report.effective_on or 'not yet'}, "
        f"review due {report.review_due_on or 'not set'}",
        f"Signatories ({len(report.signatories)}):",
    ]
    for s in report.signatories:
        signed = (
            f"signed {s.signed_on} by {s.signatory_name} ({s.signatory_role})"
            if s.signed_on
            else "not signed"
        )
        lines.append(f"  {s.organisation}: {s.name}; {signed}")
        if s.recorded_by:
            lines.append(f"    recorded by {printable(s.recorded_by)}")
    for d in report.departures:
        lines.append(f"  left: {d.organisation} on {d.ended_on} ({d.exit_id})")
    lines.append("Bodies:")
    for b in report.bodies:
        lines.append(f"  {b.slug}: {b.name} ({b.kind}), {len(b.members)} members")
        for m in b.members:
            vote = "" if m.voting else ", non-voting"
            lines.append(f"    {m.seat}: {m.role} ({m.organisation or 'independent'}{vote})")
    lines.append(f"Open escalations ({len(report.open_escalations)}):")
    for e in report.open_escalations:
        actions = ", ".join(e.open_actions) or "none"
        lines.append(
            f"  {e.escalation_id}: level {e.level} ({e.stage}), respond by {e.respond_by}; "
            f"raised {e.raised_on} by {e.raised_by}: {e.summary}; open actions: {actions}"
        )
    lines.append(f"Joint committees ({len(report.committees)}):")
    for c in report.committees:
        established = f" on {c.established_on}" if c.established_on else ""
        lines.append(f"  {c.committee_id}: {c.name}, {c.status}{established}")
        for step in c.milestones:
            when = (
                f"met {step.met_on}" if step.met_on else f"{step.status}, target {step.target_on}"
            )
            lines.append(f"    [{when}] {step.milestone_id}: {step.title}")
    lines.append(f"Open exits ({len(report.open_exits)}):")
    for x in report.open_exits:
        lines.append(
            f"  {x.exit_id}: {x.organisation} leaving {x.effective_on} (notified "
            f"{x.notified_on}); unacknowledged by {', '.join(x.unacknowledged) or 'none'}"
        )
    lines.append(f"Open reviews ({len(report.open_reviews)}):")
    for r in report.open_reviews:
        lines.append(
            f"  {r.review_id}: opened {r.opened_on}, responses by {r.response_deadline}; "
            f"awaiting {', '.join(r.awaiting) or 'none'}"
        )
    return "\n".join(lines)


@audit.command(name="replay")
@click.argument("partnership")
@click.option(
    "--as-of",
    "as_of_text",
    metavar="YYYY-MM-DD",
    help="The governance date to rebuild the state on: events dated (signed, notified, held) "
    "on or before it, however late they were entered [default: today].",
)
@click.option(
    "--as-known-on",
    "known_on_text",
    metavar="YYYY-MM-DD",
    help="Only what the log had recorded by the end of this day (UTC): what the record said "
    "then [default: everything recorded].",
)
@database_option
@json_option
@run_on_database
async def replay_command(
    partnership: str,
    as_of_text: str | None,
    known_on_text: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """The partnership's governance state on a date, folded from its events alone."""
    config = _partnership(partnership)
    as_of = _as_of(as_of_text)
    known_on = None if known_on_text is None else _as_of(known_on_text, "--as-known-on")
    async with _store(database_url) as store:
        report = await replay_from(store, config, as_of, known_on)
    emit(report, as_json, _report_text)


# --------------------------------------------------------------------------------- trail


@audit.command(name="trail")
@click.argument("partnership")
@database_option
@json_option
@run_on_database
async def trail_command(partnership: str, database_url: str | None, as_json: bool) -> None:
    """The partnership's history in plain English: one line an event, with who and what wrote
    it."""
    config = _partnership(partnership, calendar=False)
    async with _store(database_url) as store:
        lines = trail_lines(store, config, TrailQuery(), await known_names(store, config))
        await emit_each(
            lines, as_json, TrailLine.text, f"no events of {config.slug}", TrailLine.json_text
        )


# -------------------------------------------------------------------------------- export


@audit.command()
@click.option("--partnership", metavar="SLUG", help="Only this partnership's events.")
@click.option(
    "--format",
    "export_format",
    type=click.Choice([f.value for f in ExportFormat]),
    required=True,
    help="jsonl: one JSON object a line; csv: a header and one row an event.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file (replaced only once the export is complete) [default: stdout].",
)
@click.option(
    "--up-to",
    type=click.IntRange(min=0),
    metavar="SIZE",
    help="Only positions 1 to SIZE: the events a checkpoint of that size signed.",
)
@database_option
@run_on_database
async def export(
    partnership: str | None,
    export_format: str,
    out: Path | None,
    up_to: int | None,
    database_url: str | None,
) -> None:
    """Every event with every column, for an auditor's own tools."""
    slug = _partnership(partnership, calendar=False).slug if partnership is not None else None
    if slug is not None and up_to is not None:
        fail("--up-to checks against a checkpoint of the whole log: leave out --partnership")
    if out is not None:
        _writable(out)
    async with _store(database_url) as store:
        rows = store.export_rows(slug, up_to=up_to)
        if out is None:
            sys.stdout.flush()
            count = await write_export(rows, ExportFormat(export_format), sys.stdout.buffer)
        else:
            with _replacing(out) as file:
                count = await write_export(rows, ExportFormat(export_format), file)
    click.echo(f"exported {count} events", err=True)


def _writable(out: Path) -> None:
    """Refuses an --out that cannot be written before the database is asked for anything."""
    folder = out.parent
    if not folder.is_dir():
        fail(f"cannot write {out}: {folder} is not a directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"cannot write {out}: {folder} is not writable")


@contextmanager
def _replacing(out: Path) -> Iterator[BinaryIO]:
    """A file beside `out` that replaces it only when the block completes, so a failed export
    leaves no partial file that could be mistaken for the whole log."""
    try:
        handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


# Registered on the group above; kept in a module of their own.
from concordat.cli import checkpoints as _checkpoint_commands  # noqa: E402, F401
