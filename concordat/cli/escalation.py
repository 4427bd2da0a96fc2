"""`concordat escalation`: an issue raised by a body, climbing its partnership's ladder (P4).

An escalation is raised through the partnership workflow, which records it, checks the raise
and starts the escalation with the bodies as they stand (after any exits), so a vote is counted
against the membership of the day. Every later command is the escalation's `execute` update,
whose validator refuses what the ladder or the body's rules do not allow (a vote from a member
who may not cast one, a level the escalation is not at), with nothing written.
"""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

import click
from pydantic import BaseModel

from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import Operator, actor_option, date_option, partnership_argument, request
from concordat.cli.processes import execute, process, start_process, until_recorded
from concordat.cli.rulings import CHOICES, METAVAR, parse_ruling
from concordat.cli.votes import vote
from domain.aggregates.escalation import (
    AgreeAction,
    CloseEscalation,
    CompleteAction,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationState,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.bodies import DecisionRuleKind
from domain.events import ActionKind, ConflictRuling, EscalationReason
from domain.partnership import Partnership
from domain.rules.quorum import Attendance
from domain.streams import escalation_stream
from workflows.contracts.escalation import EscalationProgress, LevelView
from workflows.escalation import RAISING, level_of, progress_of


def _dashed(values: Iterable[StrEnum]) -> list[str]:
    """Choices as typed on a command line: `outcome-not-delivered`, not `outcome_not_delivered`."""
    return [v.value.replace("_", "-") for v in values]


def _undashed(text: str) -> str:
    return text.replace("-", "_")


escalation_argument = click.argument("escalation_id")
level_option = click.option(
    "--level", type=int, required=True, help="The level the escalation is at (a check)."
)


@click.group()
def escalation() -> None:
    """Raise an escalation and record what each level of the ladder does with it."""


escalation.add_command(vote)


async def _execute(
    config: Partnership, escalation_id: str, command: BaseModel, actor: Operator
) -> EscalationProgress:
    """Sends `command` to the escalation; a refusal ends the command with the domain's words."""
    escalation = escalation_stream(config.slug, escalation_id)
    return EscalationProgress.model_validate(await execute(escalation, command, actor))


def _stands(progress: EscalationProgress) -> str:
    """Where the escalation stands, in a line."""
    level = progress.at
    if progress.status != "open" or level is None:
        return f"{progress.status} on {progress.ended_on}: {progress.outcome}"
    return (
        f"open at level {level.level} ({level.name}: {', '.join(level.bodies) or 'no body'}), "
        f"respond by {level.respond_by}"
    )


# ---------------------------------------------------------------------------------- raise


@escalation.command(name="raise")
@partnership_argument
@escalation_argument
@click.option(
    "--by", "raised_by", required=True, help="The body raising it, e.g. acute-care-board."
)
@click.option(
    "--reason",
    type=click.Choice(_dashed(EscalationReason)),
    required=True,
    help="Why it is raised (CDCPE ToR §2; MSE MoU 2020 §8.6-§8.10).",
)
@click.option("--summary", required=True, help="The issue, in a line.")
@date_option("--date", "raised_on", "The day it was raised.")
@click.option(
    "--affected",
    multiple=True,
    metavar="ORG",
    help="A partner organisation affected (repeat for each; MSE MoU 2020 §8.10(2)).",
)
@actor_option
@json_option
@run_async
async def raise_(
    partnership: Partnership,
    escalation_id: str,
    raised_by: str,
    reason: str,
    summary: str,
    raised_on: date,
    affected: tuple[str, ...],
    actor: Operator,
    as_json: bool,
) -> None:
    """Raise ESCALATION_ID: it starts at the first level of the partnership's ladder."""
    raised = request(
        RaiseEscalation,
        escalation_id=escalation_id,
        raised_by=raised_by,
        reason=EscalationReason(_undashed(reason)),
        summary=summary,
        raised_on=raised_on,
        affected=affected,
    )
    started = await start_process(partnership, raised, actor)
    recorded = await until_recorded(started.process_id, unrecorded=RAISING)
    state = EscalationState.model_validate(recorded)
    emit(
        _report(state),
        as_json,
        lambda _: f"raised {started.process_id}: {_stands(progress_of(state))}",
    )


# ------------------------------------------------------------------------- at a level


@escalation.command(name="refer-up")
@partnership_argument
@escalation_argument
@level_option
@click.option("--body", required=True, help="The body at this level referring it up.")
@date_option("--date", "referred_on", "The day it was referred up.")
@click.option("--notes", required=True, help="Why the level could not settle it.")
@actor_option
@json_option
@run_async
async def refer_up(
    partnership: Partnership,
    escalation_id: str,
    level: int,
    body: str,
    referred_on: date,
    notes: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """The body at --level could not settle it and refers it up (CDCPE ToR §1.2, §2; MSE MoU 2020
    §8.10)."""
    referred = request(ReferUp, level=level, body=body, referred_on=referred_on, notes=notes)
    progress = await _execute(partnership, escalation_id, referred, actor)
    emit(progress, as_json, lambda _: f"referred up: {_stands(progress)}")


def _pairs(option: str, values: tuple[str, ...], meaning: str) -> dict[str, str]:
    """SEAT:VALUE pairs as typed, refusing one without its colon."""
    pairs: dict[str, str] = {}
    for value in values:
        seat, colon, rest = value.partition(":")
        if not colon or not seat or not rest:
            fail(f"{option} must be SEAT:{meaning}, not {value!r}")
        pairs[seat] = rest
    return pairs


def _rulings(values: tuple[str, ...]) -> dict[str, ConflictRuling]:
    rulings: dict[str, ConflictRuling] = {}
    for seat, ruling in _pairs("--ruling", values, METAVAR).items():
        chosen = parse_ruling(ruling)
        if chosen is None:
            fail(f"--ruling for {seat} must be one of: {CHOICES}, not {ruling!r}")
        rulings[seat] = chosen
    return rulings


def _decision_text(progress: EscalationProgress) -> str:
    last = progress.decision
    assert last is not None
    outcome = "CARRIED" if last.carried else "NOT CARRIED"
    return (
        f"level {last.level} decision of {last.body} on {last.decided_on}: {outcome} "
        f"({last.rule}; {len(last.in_favour)} for, {len(last.against)} against): "
        f"{last.explanation}\n{_stands(progress)}"
    )


@escalation.command()
@partnership_argument
@escalation_argument
@level_option
@click.option("--body", required=True, help="The body deciding at this level, e.g. cdcpe.")
@date_option("--date", "decided_on", "The day of the meeting.")
@click.option("--present", multiple=True, metavar="SEAT", help="A seat present in person (repeat).")
@click.option(
    "--deputy", multiple=True, metavar="SEAT", help="A seat present by its deputy (repeat)."
)
@click.option("--for", "in_favour", multiple=True, metavar="SEAT", help="A vote for (repeat).")
@click.option("--against", multiple=True, metavar="SEAT", help="A vote against (repeat).")
@click.option(
    "--declare",
    multiple=True,
    metavar="SEAT:INTEREST",
    help="An interest declared for this item (repeat; CDCPE ToR §6).",
)
@click.option(
    "--ruling",
    multiple=True,
    metavar=f"SEAT:{METAVAR}",
    help=f"The Chair's ruling on a declared interest: {CHOICES} (repeat; CDCPE ToR §6).",
)
@click.option(
    "--rule",
    type=click.Choice(_dashed(DecisionRuleKind)),
    help="Another of the body's rules for this matter (e.g. MSE MoU 2020 §8.4's 75%) [default: the "
    "level's].",
)
@click.option(
    "--affected",
    multiple=True,
    metavar="ORG",
    help="A partner affected, for an eligible-majority vote [default: as raised].",
)
@click.option("--summary", required=True, help="What was decided, in a line.")
@actor_option
@json_option
@run_async
async def decide(
    partnership: Partnership,
    escalation_id: str,
    level: int,
    body: str,
    decided_on: date,
    present: tuple[str, ...],
    deputy: tuple[str, ...],
    in_favour: tuple[str, ...],
    against: tuple[str, ...],
    declare: tuple[str, ...],
    ruling: tuple[str, ...],
    rule: str | None,
    affected: tuple[str, ...],
    summary: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record a level's vote: attendance, declared interests, the Chair's rulings and the votes;
    the workflow decides it under the body's rules (quorum, conflicts, eligibility, threshold)."""
    attendance = tuple(Attendance(seat=s) for s in present) + tuple(
        Attendance(seat=s, deputy=True) for s in deputy
    )
    vote = request(
        DecideEscalation,
        level=level,
        body=body,
        decided_on=decided_on,
        present=attendance,
        in_favour=in_favour,
        against=against,
        affected=affected,
        declarations=_pairs("--declare", declare, "INTEREST"),
        rulings=_rulings(ruling),
        rule=DecisionRuleKind(_undashed(rule)) if rule else None,
        summary=summary,
    )
    progress = await _execute(partnership, escalation_id, vote, actor)
    emit(progress, as_json, _decision_text)


@escalation.command(name="not-accepted")
@partnership_argument
@escalation_argument
@level_option
@click.option("--by", "by", required=True, help="The organisation or body not accepting it.")
@date_option("--date", "on", "The day it said so.")
@click.option("--reason", required=True, help="Why, in a line.")
@actor_option
@json_option
@run_async
async def not_accepted(
    partnership: Partnership,
    escalation_id: str,
    level: int,
    by: str,
    on: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """A party does not accept the decision taken at --level: it goes up (MSE MoU 2020 §8.10(3))."""
    objection = request(DecisionNotAccepted, level=level, by=by, on=on, reason=reason)
    progress = await _execute(partnership, escalation_id, objection, actor)
    emit(progress, as_json, lambda _: f"not accepted: {_stands(progress)}")


@escalation.command()
@partnership_argument
@escalation_argument
@date_option("--date", "resolved_on", "The day it was resolved.")
@click.option("--summary", required=True, help="The resolution, in a line.")
@actor_option
@json_option
@run_async
async def resolve(
    partnership: Partnership,
    escalation_id: str,
    resolved_on: date,
    summary: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Resolve the escalation at its level; refused while an agreed action is open (MSE MoU 2020
    §7.5)."""
    resolved = request(ResolveEscalation, resolved_on=resolved_on, resolution=summary)
    progress = await _execute(partnership, escalation_id, resolved, actor)
    emit(progress, as_json, _stands)


@escalation.command()
@partnership_argument
@escalation_argument
@date_option("--date", "closed_on", "The day it was closed.")
@click.option("--reason", required=True, help="Why it is closed unresolved.")
@actor_option
@json_option
@run_async
async def close(
    partnership: Partnership,
    escalation_id: str,
    closed_on: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Close the escalation unresolved, saying why; the raising body is told in writing."""
    closed = request(CloseEscalation, closed_on=closed_on, reason=reason)
    progress = await _execute(partnership, escalation_id, closed, actor)
    emit(progress, as_json, _stands)


# -------------------------------------------------------------------------------- actions


@escalation.group()
def action() -> None:
    """Actions agreed at a level (MSE MoU 2020 §7.5-§7.8), tracked to completion."""


@action.command()
@partnership_argument
@escalation_argument
@click.option(
    "--kind",
    type=click.Choice(_dashed(ActionKind)),
    required=True,
    help="What kind of action (MSE MoU 2020 §7.5-§7.8; CDCPE ToR §2 mitigating actions).",
)
@click.option("--owner", required=True, help="The organisation or body that owns it.")
@date_option("--due", "due_on", "When it is due; its owner is reminded in writing after.")
@date_option("--date", "agreed_on", "The day it was agreed.")
@click.option("--description", required=True, help="The action, in a line.")
@actor_option
@json_option
@run_async
async def agree(
    partnership: Partnership,
    escalation_id: str,
    kind: str,
    owner: str,
    due_on: date,
    agreed_on: date,
    description: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Agree an action at the escalation's current level."""
    agreed = request(
        AgreeAction,
        kind=ActionKind(_undashed(kind)),
        owner=owner,
        due_on=due_on,
        agreed_on=agreed_on,
        description=description,
    )
    progress = await _execute(partnership, escalation_id, agreed, actor)
    new = progress.actions[-1]
    emit(
        progress,
        as_json,
        lambda _: f"agreed action {new.action_id} ({kind}), owner {owner}, due {due_on}",
    )


@action.command()
@partnership_argument
@escalation_argument
@click.argument("action_id")
@date_option("--date", "completed_on", "The day it was completed.")
@actor_option
@json_option
@run_async
async def complete(
    partnership: Partnership,
    escalation_id: str,
    action_id: str,
    completed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record ACTION_ID (a1, a2, ...) as completed."""
    done = request(CompleteAction, action_id=action_id, completed_on=completed_on)
    progress = await _execute(partnership, escalation_id, done, actor)
    still = ", ".join(a.action_id for a in progress.actions if a.completed_on is None) or "none"
    emit(progress, as_json, lambda _: f"completed {action_id}; actions open: {still}")


# --------------------------------------------------------------------------------- status


def _report(state: EscalationState, level: LevelView | None = None) -> dict[str, Any]:
    """The escalation for scripts, without the partnership configuration it carries."""
    report = state.model_dump(mode="json", exclude={"config", "bodies"})
    if level is not None:
        report["level_view"] = level.model_dump(mode="json")
    return report


def _status_text(state: EscalationState) -> str:
    reason = state.reason.value.replace("_", " ") if state.reason else ""
    lines = [
        f"{state.escalation_id}: {_stands(progress_of(state))}",
        f"raised {state.raised_on} by {state.raised_by} ({reason}): {state.summary}",
    ]
    for d in state.decisions:
        outcome = "carried" if d.carried else "not carried"
        lines.append(f"decided at level {d.level} by {d.body} on {d.decided_on}: {outcome}")
    lines.append(f"actions ({len(state.actions)}):")
    for a in state.actions:
        done = f"completed {a.completed_on}" if a.completed_on else f"open, due {a.due_on}"
        kind = a.kind.value.replace("_", "-")
        lines.append(f"  {a.action_id} {kind} ({a.owner}), {done}: {a.description}")
    return "\n".join(lines)


@escalation.command()
@partnership_argument
@escalation_argument
@json_option
@run_async
async def status(partnership: Partnership, escalation_id: str, as_json: bool) -> None:
    """Where the escalation stands: level, body, response deadline, decisions and actions."""
    _, found = await process(escalation_stream(partnership.slug, escalation_id))
    state = EscalationState.model_validate(found)
    level = level_of(state)
    emit(_report(state, level), as_json, lambda _: _status_text(state))
