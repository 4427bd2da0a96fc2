"""`concordat committee`: staff drive the formation of a joint committee (docs/rules.md P3).

The partnership workflow owns the formation (it adds the committee to its bodies when the last
milestone is met), so `start` asks the partnership to start it; every other command sends the
domain's command to the committee's own workflow, addressed by partnership and committee slug
(domain/streams.py). The workflow's validator refuses what the plan does not allow (a milestone met
before those it depends on, an agreement it does not need, a re-plan without guidance or
slippage), so a refusal here is the domain's own sentence and nothing is written.
"""

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, ValidationError

from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import (
    ISO_DATE,
    Operator,
    actor_option,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import execute, process, start_process, until_recorded
from domain.aggregates.committee import CommitteeState
from domain.aggregates.committee_commands import (
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    ReplanMilestone,
)
from domain.aggregates.committee_status import MilestoneStatus, milestone_statuses
from domain.aggregates.partnership import StartCommittee
from domain.committee_plans import shift_plan
from domain.errors import DomainError
from domain.partnership import Partnership
from domain.rules.committee_membership import ProposedSeat
from domain.streams import committee_stream

committee_argument = click.argument("committee")


@click.group()
def committee() -> None:
    """Form a joint committee: milestones, agreements, guidance, re-plans and membership."""


async def _execute(
    config: Partnership, committee_slug: str, command: BaseModel, actor: Operator
) -> CommitteeState:
    """Sends `command` to the formation; a refusal ends the command in the domain's words."""
    formation = committee_stream(config.slug, committee_slug)
    return CommitteeState.model_validate(await execute(formation, command, actor))


def _milestone_line(state: CommitteeState, milestone_id: str) -> str:
    m = state.milestone(milestone_id)
    where = f"met on {m.met_on}" if m.met_on else f"target {m.target_on}"
    return f"{m.milestone_id}: {m.title} ({where})"


def _established(state: CommitteeState) -> str:
    if state.established_on is None:
        return ""
    return (
        f"\n{state.name} is established as a body of {state.partnership} on {state.established_on}"
    )


# ---------------------------------------------------------------------------------- start


@committee.command()
@partnership_argument
@committee_argument
@click.option("--name", help="The committee's name, as minuted (default: the plan's).")
@click.option(
    "--shift-to",
    type=ISO_DATE,
    help="Move the plan so its first target falls on this date, every interval kept "
    "(rehearsing the 2022-23 plan from a later start).",
)
@actor_option
@json_option
@run_async
async def start(
    partnership: Partnership,
    committee: str,
    name: str | None,
    shift_to: date | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Start forming COMMITTEE with the plan the partnership's configuration file gives it
    (its milestones, owners, dependencies, agreements needed and the bodies it reports to)."""
    starting = request(StartCommittee, committee=committee, name=name)
    if shift_to is not None:
        try:
            planned = partnership.committee_plan(committee)
        except DomainError as error:
            fail(str(error))
        starting = starting.model_copy(update={"plan": shift_plan(planned.milestones, shift_to)})
    started = await start_process(partnership, starting, actor)
    recorded = await until_recorded(started.process_id, unrecorded="not-started")
    state = CommitteeState.model_validate(recorded)

    def text(_: Any) -> str:
        lines = [
            f"started the formation of {state.name} ({started.process_id}) "
            f"with {len(state.milestones)} milestones:"
        ]
        lines += [f"  {m.target_on}  {m.milestone_id}: {m.title}" for m in state.milestones]
        return "\n".join(lines)

    emit({"workflow_id": started.process_id, "plan": list(state.milestones)}, as_json, text)


# ------------------------------------------------------------------- meet, agree, replan


@committee.command()
@partnership_argument
@committee_argument
@click.argument("milestone")
@date_option("--date", "met_on", "The day the milestone was met.")
@click.option("--evidence", required=True, help='What shows it, e.g. "Cabinet minute 14 Sep 2022".')
@actor_option
@json_option
@run_async
async def meet(
    partnership: Partnership,
    committee: str,
    milestone: str,
    met_on: date,
    evidence: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record MILESTONE as met: refused before the milestones it depends on, or while an
    agreement it needs is outstanding (DCC Cabinet 2022 §17)."""
    met = request(MeetMilestone, milestone_id=milestone, met_on=met_on, evidence=evidence)
    state = await _execute(partnership, committee, met, actor)
    emit(state, as_json, lambda s: f"met {_milestone_line(s, milestone)}{_established(s)}")


@committee.command()
@partnership_argument
@committee_argument
@click.argument("milestone")
@click.argument("body_or_org")
@date_option("--date", "agreed_on", "The day the agreement was given.")
@actor_option
@json_option
@run_async
async def agree(
    partnership: Partnership,
    committee: str,
    milestone: str,
    body_or_org: str,
    agreed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record that BODY_OR_ORG (for example cabinet, icb, dcc) gave the agreement MILESTONE
    needs (DCC Cabinet 2022 §17: delegated authority agreed by all partners)."""
    agreed = request(
        RecordMilestoneAgreement,
        milestone_id=milestone,
        agreed_by=body_or_org,
        agreed_on=agreed_on,
    )
    state = await _execute(partnership, committee, agreed, actor)

    def text(s: CommitteeState) -> str:
        outstanding = s.milestone(milestone).agreements_outstanding
        still = (
            f"; still needed from {', '.join(outstanding)}" if outstanding else "; none outstanding"
        )
        return f"{body_or_org} agreed {milestone} on {agreed_on}{still}"

    emit(state, as_json, text)


@committee.command()
@partnership_argument
@committee_argument
@click.argument("milestone")
@date_option("--target", "target", "The new target date (not already past).")
@click.option("--reason", required=True, help="Why the plan changes, for the record.")
@actor_option
@json_option
@run_async
async def replan(
    partnership: Partnership,
    committee: str,
    milestone: str,
    target: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Give MILESTONE a new target date: allowed once Government guidance is published
    (DCC Cabinet 2022 7(c), §29) or after the milestone has slipped (P3 policy)."""
    replanned = request(
        ReplanMilestone, milestone_id=milestone, new_target_on=target, reason=reason
    )
    state = await _execute(partnership, committee, replanned, actor)
    emit(state, as_json, lambda s: f"re-planned {_milestone_line(s, milestone)}")


@committee.command()
@partnership_argument
@committee_argument
@date_option("--date", "published_on", "The day the guidance was published.")
@click.option("--summary", required=True, help="The guidance, in a line.")
@click.option(
    "--new-preferred-option",
    help="The preferred option the guidance leads to, when it changes (DCC Cabinet 2022 §11).",
)
@actor_option
@json_option
@run_async
async def guidance(
    partnership: Partnership,
    committee: str,
    published_on: date,
    summary: str,
    new_preferred_option: str | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record that Government guidance was published (DCC Cabinet 2022 7(c), §29); the owner may
    then re-plan milestones."""
    published = request(
        PublishGuidance,
        title=summary,
        published_on=published_on,
        changes_preferred_option=new_preferred_option is not None,
        new_preferred_option=new_preferred_option,
    )
    state = await _execute(partnership, committee, published, actor)
    emit(
        state,
        as_json,
        lambda s: f"guidance of {published_on} recorded; preferred option: {s.preferred_option}",
    )


# ------------------------------------------------------------------------------ membership


def _seats(file: Path) -> tuple[ProposedSeat, ...]:
    """The `[[seats]]` of a TOML file, each checked as a `ProposedSeat`."""
    try:
        with file.open("rb") as f:
            table = tomllib.load(f)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    except tomllib.TOMLDecodeError as error:
        fail(f"{file} is not valid TOML: {error}")
    seats = table.get("seats")
    if not isinstance(seats, list) or not seats:
        fail(f"{file} has no [[seats]]")
    proposed = []
    for number, seat in enumerate(seats, start=1):
        try:
            proposed.append(ProposedSeat.model_validate(seat))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            fail(f"{file}: seat {number}: {where + ': ' if where else ''}{first['msg']}")
    return tuple(proposed)


@committee.command()
@partnership_argument
@committee_argument
@click.option(
    "--file",
    "seats_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="TOML with one [[seats]] table a seat: seat, role, organisation, sector, covers "
    "(the DCC Cabinet 2022 §19 categories it fills), chair. Example: "
    "deploy/examples/joint-committee-seats.toml",
)
@date_option("--date", "confirmed_on", "The day the membership was confirmed.")
@actor_option
@json_option
@run_async
async def membership(
    partnership: Partnership,
    committee: str,
    seats_file: Path,
    confirmed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """Confirm the committee's membership against the minimum list of DCC Cabinet 2022 §19 (a)-(g);
    a membership lacking any category is refused, naming what is missing."""
    confirmed = request(ConfirmMembership, seats=_seats(seats_file), confirmed_on=confirmed_on)
    state = await _execute(partnership, committee, confirmed, actor)
    emit(
        state,
        as_json,
        lambda s: f"membership of {s.name} confirmed on {confirmed_on}: {len(s.members)} seats",
    )


# ---------------------------------------------------------------------------------- status


def _waiting(m: MilestoneStatus) -> str:
    parts = [f"after {d}" for d in m.dependencies_outstanding]
    if m.agreements_outstanding:
        parts.append(f"agreement of {', '.join(m.agreements_outstanding)}")
    return "; ".join(parts) or "-"


def _table(milestones: tuple[MilestoneStatus, ...]) -> str:
    rows = [("MILESTONE", "STATUS", "TARGET", "MET", "OWNER", "WAITING ON")]
    rows += [
        (
            m.milestone_id,
            m.status,
            m.target_on.isoformat(),
            m.met_on.isoformat() if m.met_on else "-",
            m.owner,
            _waiting(m) if m.status != "met" else "-",
        )
        for m in milestones
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=False)) + "  " + r[-1]
        for r in rows
    )


@committee.command()
@partnership_argument
@committee_argument
@json_option
@run_async
async def status(partnership: Partnership, committee: str, as_json: bool) -> None:
    """The formation's milestones: status, target, met date and what each still waits on."""
    _, state = await process(committee_stream(partnership.slug, committee))
    milestones = milestone_statuses(CommitteeState.model_validate(state))
    emit(list(milestones), as_json, lambda _: _table(milestones))
