"""The auditor's read side of the JSON API under /api/v1/audit, as the read-only database role:
verification, digests, checkpoints and proofs, replay on a date, the trail with its filters, and
the export as a streamed download. Auditors only (docs/rules.md A10)."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import PlainTextResponse, StreamingResponse

from audit.export import ExportFormat, export_bytes
from audit.log_check import LogCheck, check_log
from audit.proofs import ProofUnavailable, checkpoint_file, consistency_bundle, inclusion_bundle
from audit.replay import GovernanceReport, replay_from
from audit.trail import TrailLine
from audit.trail_query import TrailQuery, UnknownFilter, check_query, known_names, trail_lines
from concordat.web.auditing import (
    EXPORT_TYPES,
    LogAuditor,
    audited,
    audits_the_log,
    checkpoint_verifier,
    export_filename,
)
from concordat.web.backends import Backends, backends
from concordat.web.signin import signed_in
from domain.provenance import Person
from eventstore.checkpoint import VerifierKey
from eventstore.models import Digest, Verification

SignedIn = Annotated[Person, Depends(signed_in)]
Reach = Annotated[Backends, Depends(backends)]

router = APIRouter(prefix="/api/v1/audit")


@router.get("/verify", summary="Recompute the log's hash chain and every signed checkpoint")
async def verify(person: LogAuditor, reach: Reach) -> Verification:
    return (await _check(reach)).verification


@router.get(
    "/check",
    summary="The verification, the head to minute and the latest signed checkpoint matched",
)
async def check(person: LogAuditor, reach: Reach) -> LogCheck:
    return await _check(reach)


async def _check(reach: Reach) -> LogCheck:
    key, problem = checkpoint_verifier(reach.settings)
    return await check_log(await reach.auditor_store(), key, problem)


def _checkpoint_key(reach: Backends) -> VerifierKey:
    key, problem = checkpoint_verifier(reach.settings)
    if key is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, problem)
    return key


@router.get(
    "/checkpoint",
    summary="A signed checkpoint of the log (default: the latest), as a witness keeps it",
    response_class=PlainTextResponse,
)
async def checkpoint(person: LogAuditor, reach: Reach, size: int | None = None) -> str:
    try:
        return await checkpoint_file(await reach.auditor_store(), size)
    except ProofUnavailable as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.get(
    "/proofs/inclusion/{position}",
    summary="The event at a position, a checkpoint and the hashes proving it is in the log",
)
async def inclusion_proof(
    position: int, person: LogAuditor, reach: Reach, size: int | None = None
) -> dict[str, Any]:
    key = _checkpoint_key(reach)
    try:
        return await inclusion_bundle(await reach.auditor_store(), position, size, key)
    except ProofUnavailable as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.get(
    "/proofs/consistency",
    summary="Two checkpoints and the hashes proving the older log a prefix of the newer",
)
async def consistency_proof(old: int, new: int, person: LogAuditor, reach: Reach) -> dict[str, Any]:
    key = _checkpoint_key(reach)
    try:
        return await consistency_bundle(await reach.auditor_store(), old, new, key)
    except ProofUnavailable as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.get("/digest", summary="The log's current position and hash, to minute")
async def digest(person: LogAuditor, reach: Reach) -> Digest:
    return await (await reach.auditor_store()).digest()


@router.get(
    "/export",
    summary="Every event with every column, streamed: the whole log or one partnership's",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}},
)
async def export(
    person: SignedIn,
    reach: Reach,
    format: ExportFormat,
    partnership: str | None = None,
    up_to: Annotated[int | None, Query(ge=0, description="only positions 1 to this")] = None,
) -> StreamingResponse:
    """Streamed from one read-only snapshot as the rows arrive; `up_to` a checkpoint's size
    gives the file `verify_offline.py export` checks against that checkpoint."""
    if partnership is not None:
        if up_to is not None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "up_to checks against a checkpoint of the whole log: leave out partnership",
            )
        slug: str | None = audited(reach.settings, person, partnership).slug
    else:
        audits_the_log(reach.settings, person)
        slug = None
    store = await reach.auditor_store()
    name = export_filename(slug, up_to, format)
    return StreamingResponse(
        _batched(export_bytes(store.export_rows(slug, up_to=up_to), format)),
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


CHUNK = 1 << 16
"""Bytes of export sent at a time, rather than one write a row; memory stays flat."""


async def _batched(pieces: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    pending: list[bytes] = []
    size = 0
    async for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


@router.get("/partnerships/{slug}/replay", summary="A partnership's state on a date")
async def replay_partnership(
    slug: str,
    person: SignedIn,
    reach: Reach,
    as_of: date | None = None,
    as_known_on: date | None = None,
) -> GovernanceReport:
    """Folded from the log alone: events dated on or before `as_of` (default today), as the
    log stood at the end of `as_known_on` (default: as it stands)."""
    config = audited(reach.settings, person, slug)
    store = await reach.auditor_store()
    return await replay_from(store, config, as_of or datetime.now(UTC).date(), as_known_on)


@router.get("/partnerships/{slug}/trail", summary="A partnership's history in English")
async def trail_of(
    slug: str,
    person: SignedIn,
    reach: Reach,
    query: Annotated[TrailQuery, Query()],
    after: Annotated[int | None, Query(ge=0, description="only events after this position")] = None,
    limit: Annotated[int | None, Query(ge=1, description="at most this many lines")] = None,
) -> list[TrailLine]:
    """In log order; narrowed by the database to a process, an organisation (events it acted
    in or that name it), part of who acted, and days on which the events occurred (UTC)."""
    config = audited(reach.settings, person, slug)
    store = await reach.auditor_store()
    names = await known_names(store, config)
    try:
        await check_query(store, config, query, names)
    except UnknownFilter as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    return [
        line async for line in trail_lines(store, config, query, names, after=after, limit=limit)
    ]
