"""`concordat schedules`: the Temporal Schedules of the partnerships' fixed cadences (P5, P6)."""

import click

from concordat.cli.administrator import local_person
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.temporal import client
from concordat.settings import Settings
from deploy.schedules import ScheduleInfo, SyncResult, list_schedules, sync_schedules
from domain.authority import NotAuthorisedError, require_administrator
from domain.errors import ConfigError, DomainError, UnknownPartnershipError
from domain.partnerships_config import load_partnership, partnership_slugs


@click.group()
def schedules() -> None:
    """Meeting cycles and declarations of interest, started on their calendars."""


@schedules.command()
@click.option(
    "--partnership",
    "partnership",
    default=None,
    help="Only this partnership's schedules (default: every partnership).",
)
@json_option
@run_async
async def sync(partnership: str | None, as_json: bool) -> None:
    """Create or update the schedules of the partnerships that have started, from their
    configuration, and delete those of the others (idempotent)."""
    settings = Settings()
    folder = settings.partnerships_dir
    operator = local_person()
    try:
        slugs = [partnership] if partnership is not None else partnership_slugs(folder)
        for slug in slugs:
            require_administrator(load_partnership(slug, folder).access, operator, slug)
    except ConfigError as error:
        fail(error.problem if isinstance(error, UnknownPartnershipError) else str(error))
    except NotAuthorisedError as error:
        fail(str(error))
    temporal = await client()
    try:
        results = await sync_schedules(
            temporal,
            settings.task_queue,
            [partnership] if partnership else None,
            folder,
            web_base_url=settings.web_base_url(),
        )
    except (ConfigError, DomainError) as error:
        fail(str(error))
    emit(results, as_json, _sync_text)


@schedules.command(name="list")
@json_option
@run_async
async def list_(as_json: bool) -> None:
    """Show every schedule with its next runs."""
    emit(await list_schedules(await client()), as_json, _list_text)


def _sync_text(results: list[SyncResult]) -> str:
    if not results:
        return "no schedules: no partnership has started, or no body has a fixed cadence"
    counts = {o: sum(r.outcome == o for r in results) for o in ("created", "updated", "deleted")}
    lines = [f"{r.outcome:<10} {r.schedule_id}" for r in results]
    summary = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    unchanged = sum(r.outcome == "unchanged" for r in results)
    lines.append(f"{summary + ', ' if summary else ''}{unchanged} unchanged")
    return "\n".join(lines)


def _list_text(found: list[ScheduleInfo]) -> str:
    if not found:
        return "no schedules: run `concordat schedules sync`"
    lines = []
    for s in found:
        runs = ", ".join(t.strftime("%Y-%m-%d %H:%M UTC") for t in s.next_runs) or "none"
        paused = " (paused)" if s.paused else ""
        lines.append(f"{s.schedule_id}{paused}\n  {s.comment}\n  next: {runs}")
    return "\n".join(lines)
