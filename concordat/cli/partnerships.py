"""`concordat partnerships`: the shipped partnerships, their workflows and their standing.

`list` works from the configuration alone when the API cannot say what runs (staff still need to
know what exists); `start` is idempotent, so it can be run by hand or by a deployment script again
and again; `show` asks the running workflow through the API, or with --as-of has the API fold the
event log as the auditors' replay does (no workflow asked), so a past date is answered from the
record itself. `forward-plan` prints the key decisions the log dates in the next 28 clear days.
"""

from datetime import date

import click
from pydantic import BaseModel, ConfigDict

from audit.replay import GovernanceReport
from concordat.cli.api import api
from concordat.cli.output import CommandError, emit, fail, json_option, run_async
from concordat.cli.params import ISO_DATE, partnership_argument
from concordat.cli.partnership_view import (
    PartnershipView,
    ProcessLine,
    partnership_view,
    view_text,
)
from concordat.cli.processes import list_processes, live_processes, partnership_state
from concordat.settings import Settings
from concordat.visibility import ProcessRow
from domain.aggregates.partnership import PartnershipState
from domain.errors import ConfigError
from domain.forward_plan import ForwardPlan
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.streams import committee_stream, escalation_stream, partnership_stream, review_stream


@click.group()
def partnerships() -> None:
    """The partnerships Concordat governs: list them, start their workflows, show their
    signatories, bodies, MoU and open processes."""


# ----------------------------------------------------------------------------------- list


class PartnershipRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name: str
    signatories: int
    bodies: int
    running: bool | None
    status: str | None


@partnerships.command(name="list")
@json_option
@run_async
async def list_(as_json: bool) -> None:
    """Every shipped partnership: its configured signatories and bodies, and whether its
    workflow is running and at what stage (unknown when the API cannot say)."""
    try:
        folder = Settings().partnerships_dir
        configs = [load_partnership(slug, folder) for slug in partnership_slugs(folder)]
    except ConfigError as error:
        fail(str(error))
    running, problem = await _running_partnerships()
    rows = [
        PartnershipRow(
            slug=c.slug,
            name=c.name,
            signatories=len(c.signatories),
            bodies=len(c.bodies),
            running=None if running is None else partnership_stream(c.slug) in running,
            status=None if running is None else _status(running, c.slug),
        )
        for c in configs
    ]
    if problem is not None:
        click.echo(f"concordat: {problem}; listing from the configuration only", err=True)
    emit(rows, as_json, _list_text)


def _status(running: dict[str, ProcessRow], slug: str) -> str | None:
    found = running.get(partnership_stream(slug))
    return found.concordat_status if found is not None else None


async def _running_partnerships() -> tuple[dict[str, ProcessRow] | None, str | None]:
    """The running partnership workflows by id, or None and why the API could not say."""
    try:
        rows = await list_processes(only_open=True)
    except CommandError as error:
        return None, error.format_message()
    return {r.workflow_id: r for r in rows if r.workflow_type == "Partnership"}, None


def _list_text(rows: list[PartnershipRow]) -> str:
    lines = []
    for r in rows:
        if r.running is None:
            workflow = "workflow unknown"
        elif r.running:
            workflow = f"running, {r.status or 'starting'}"
        else:
            workflow = "not started"
        lines.append(
            f"{r.slug:<18} {r.name}: {r.signatories} signatories, {r.bodies} bodies; {workflow}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- start


class Started(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: str
    started: bool


@partnerships.command()
@partnership_argument
@json_option
@run_async
async def start(partnership: Partnership, as_json: bool) -> None:
    """Start PARTNERSHIP's workflow with its shipped configuration; if it already runs, leave
    it be (safe to repeat). Prints the workflow id."""
    answer = await api().post(f"/partnerships/{partnership.slug}/start")
    result = Started.model_validate(answer)
    emit(
        result,
        as_json,
        lambda r: f"{r.workflow_id} {'started' if r.started else 'was already running'}",
    )


# ----------------------------------------------------------------------------------- show


@partnerships.command()
@partnership_argument
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    help="Rebuild the standing on this governance date from the event log (events dated, "
    "signed or notified, on or before it, however late entered), without Temporal.",
)
@click.option(
    "--as-known-on",
    "known_on",
    type=ISO_DATE,
    help="With --as-of: only what the log had recorded by the end of this day (UTC), what the "
    "record said then.",
)
@json_option
@run_async
async def show(
    partnership: Partnership, as_of: date | None, known_on: date | None, as_json: bool
) -> None:
    """PARTNERSHIP's signatories, bodies with their members and whether each is quorate with
    everyone present, MoU version and dates, next review due, and open processes."""
    if as_of is None:
        if known_on is not None:
            fail("--as-known-on needs --as-of: the running workflow knows only the present")
        view = await _live_view(partnership)
    else:
        view = await _logged_view(partnership, as_of, known_on)
    emit(view, as_json, view_text)


async def _live_view(config: Partnership) -> PartnershipView:
    state = await partnership_state(config)
    lines = await live_processes(state)
    return partnership_view(state, lines, f"its running workflow {partnership_stream(config.slug)}")


async def _logged_view(config: Partnership, as_of: date, known_on: date | None) -> PartnershipView:
    params = {"as_of": as_of.isoformat()}
    if known_on is not None:
        params["as_known_on"] = known_on.isoformat()
    logged = await api().get(f"/partnerships/{config.slug}/as-of", params)
    state = PartnershipState.model_validate(logged["state"])
    report = GovernanceReport.model_validate(logged["report"])
    known = f" as known on {known_on.isoformat()}" if known_on else ""
    source = (
        f"the event log as of {as_of.isoformat()}{known} ({report.events_applied} events, "
        f"up to position {report.last_position})"
    )
    return partnership_view(state, _logged_processes(config.slug, report), source)


def _logged_processes(slug: str, report: GovernanceReport) -> list[ProcessLine]:
    lines = [
        ProcessLine(
            kind="review",
            subject=r.review_id,
            workflow_id=review_stream(slug, r.review_id),
            status=f"awaiting {', '.join(r.awaiting) or 'nobody'}",
        )
        for r in report.open_reviews
    ]
    lines += [
        ProcessLine(
            kind="exit",
            subject=x.organisation,
            workflow_id=x.exit_id,
            status=f"leaving {x.effective_on.isoformat()}",
        )
        for x in report.open_exits
    ]
    lines += [
        ProcessLine(
            kind="committee",
            subject=c.committee_id,
            workflow_id=committee_stream(slug, c.committee_id),
            status=c.status,
        )
        for c in report.committees
        if c.established_on is None
    ]
    lines += [
        ProcessLine(
            kind="escalation",
            subject=e.escalation_id,
            workflow_id=escalation_stream(slug, e.escalation_id),
            status=f"level {e.level} ({e.stage})",
        )
        for e in report.open_escalations
    ]
    return lines


@partnerships.command(name="forward-plan")
@partnership_argument
@click.option("--on", "on", type=ISO_DATE, help="Publish the plan as on this day [default: today].")
@json_option
@run_async
async def forward_plan(partnership: Partnership, on: date | None, as_json: bool) -> None:
    """The key decisions of PARTNERSHIP in the next 28 clear days, as the log dates them: its
    bodies' meetings with their agenda items, the review falling due, exits taking effect and
    milestones due."""
    params = {"on": on.isoformat()} if on is not None else None
    found = await api().get(f"/partnerships/{partnership.slug}/forward-plan", params)
    emit(ForwardPlan.model_validate(found), as_json, _plan_text)


def _plan_text(plan: ForwardPlan) -> str:
    lines = [
        f"forward plan of {plan.partnership}, published {plan.published_on}: key decisions to "
        f"{plan.until}"
    ]
    lines += [f"  {d.on} {d.by}: {d.what}" for d in plan.decisions] or ["  none"]
    return "\n".join(lines)
