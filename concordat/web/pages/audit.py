"""The auditor's pages: the log's verification with its digests and downloads (/audit), a
partnership as it stood on a date (/audit/partnerships/{slug}) and its trail with filters
(/audit/partnerships/{slug}/trail). Only auditors see them (docs/rules.md A10); everything is a
GET form, so nothing needs JavaScript."""

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from audit.export import ExportFormat
from audit.log_check import check_log
from audit.replay import replay_from
from audit.trail_query import TrailQuery, UnknownFilter, check_query, known_names, trail_lines
from concordat.web.api import Reach
from concordat.web.auditing import audited, audits_the_log, checkpoint_verifier
from concordat.web.pages.date_input import date_field, prefilled
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer
from concordat.web.reading import partnership_config
from domain.partnerships_config import partnership_slugs

router = APIRouter(include_in_schema=False)

PAGE_LINES = 100
"""Lines of the trail a page shows; the next page continues after the last one's position."""


def _export(**params: str | int | None) -> str:
    kept = {k: v for k, v in params.items() if v is not None}
    return f"/api/v1/audit/export?{urlencode(kept)}"


@router.get("/audit")
async def audit_home(request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    audits_the_log(reach.settings, viewer)
    configs = [
        partnership_config(reach.settings, slug)
        for slug in partnership_slugs(reach.settings.partnerships_dir)
    ]
    key, problem = checkpoint_verifier(reach.settings)
    checked = await check_log(await reach.auditor_store(), key, problem)
    latest = checked.latest_checkpoint
    return render(
        request,
        "audit.html",
        section="audit",
        checked=checked,
        partnerships=[c for c in configs if c.access.is_auditor(viewer)],
        downloads={
            "csv": _export(format=ExportFormat.CSV.value),
            "jsonl": _export(format=ExportFormat.JSONL.value),
            "checkpointed": None
            if latest is None
            else _export(format=ExportFormat.JSONL.value, up_to=latest.tree_size),
        },
    )


@router.get("/audit/partnerships/{slug}")
async def partnership_as_of(
    request: Request, slug: str, viewer: Viewer, reach: Reach
) -> HTMLResponse:
    config = audited(reach.settings, viewer, slug)
    today = datetime.now(UTC).date()
    typed = date_field(request.query_params, "as_of", "The date")
    as_of = (
        typed if typed.value is not None or typed.error else prefilled("as_of", "The date", today)
    )
    report = None
    if as_of.value is not None:
        report = await replay_from(await reach.auditor_store(), config, as_of.value)
    return render(
        request,
        "audit_partnership.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if as_of.error else 200,
        section="audit",
        slug=config.slug,
        config=config,
        as_of=as_of,
        report=report,
        names={o.slug: o.name for o in config.organisations},
        downloads={f.value: _export(format=f.value, partnership=config.slug) for f in ExportFormat},
    )


@router.get("/audit/partnerships/{slug}/trail")
async def partnership_trail(
    request: Request,
    slug: str,
    viewer: Viewer,
    reach: Reach,
    after: int | None = None,
    lines: str | None = None,
) -> HTMLResponse:
    config = audited(reach.settings, viewer, slug)
    store = await reach.auditor_store()
    names = await known_names(store, config)
    query_params = request.query_params
    since = date_field(query_params, "since", "From")
    until = date_field(query_params, "until", "To")
    errors = [f for f in (since, until) if f.error]
    query = TrailQuery()
    problem: tuple[str, str] | None = None
    if not errors:
        try:
            query = TrailQuery(
                process=query_params.get("process"),
                organisation=query_params.get("organisation"),
                person=query_params.get("person"),
                since=since.value,
                until=until.value,
            )
            await check_query(store, config, query, names)
        except UnknownFilter as error:
            problem, query = (str(error), f"#{error.field}"), TrailQuery()
        except ValidationError as error:  # the days in the wrong order
            problem, query = (_first_message(error), "#since-day"), TrailQuery()
    every = lines == "all"
    shown = []
    if not errors and problem is None:
        limit = None if every else PAGE_LINES
        shown = [
            line
            async for line in trail_lines(store, config, query, names, after=after, limit=limit)
        ]
    kept = {k: v for k, v in query_params.items() if k not in ("after", "lines")}
    more = not every and len(shown) == PAGE_LINES
    return render(
        request,
        "audit_trail.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if errors or problem else 200,
        section="audit",
        slug=config.slug,
        config=config,
        query=query,
        typed={k: query_params.get(k, "") for k in ("process", "organisation", "person")},
        since=since,
        until=until,
        date_errors=errors,
        problem=problem,
        processes=_choices(
            "Any process", [(p, p) for p in await store.partnership_streams(config.slug)]
        ),
        organisations=_choices("Any organisation or body", names.labelled()),
        lines=shown,
        first_page=after is None,
        first_url=f"?{urlencode(kept)}",
        next_url=f"?{urlencode({**kept, 'after': shown[-1].position})}" if more else None,
        all_url=f"?{urlencode({**kept, 'lines': 'all'})}",
        every=every,
    )


def _choices(anything: str, pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """A select's options: "any" first, then each (value, text)."""
    return [{"value": "", "text": anything}, *({"value": v, "text": t} for v, t in pairs)]


def _first_message(error: ValidationError) -> str:
    """A validation error's own sentence, without pydantic's framing."""
    return str(error.errors()[0]["msg"]).removeprefix("Value error, ")
