"""`concordat declarations`: members' declarations of interest (P6; CDCPE ToR §6).

`update` records a member's declaration whenever their interests change, not only in the annual
and six-monthly rounds ("can be updated at any time"; docs/rules.md P6.5): the partnership's
workflow records it, and the register shows it as the seat's latest return, with the earlier ones
as its history. `return`, `amend` and `review` go to the body's open round, which a schedule
started and which is found by body (and, if both are open, by kind) through the API's process list.
`register` prints the register the API reads from the log.
"""

from datetime import date
from typing import get_args

import click
from pydantic import BaseModel, ConfigDict, ValidationError

from concordat.cli.api import api
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import (
    Operator,
    actor_option,
    behalf,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import execute
from concordat.cli.scheduled import find_round
from domain.aggregates.partnership import UpdateInterests
from domain.declarations import RecordReview, ReturnDeclaration, RoundKind, UpdateDeclaration
from domain.events import DeclaredInterest, InterestKind
from domain.partnership import Partnership
from domain.registers import Register
from workflows.contracts.declarations import DeclarationsProgress

KINDS = ", ".join(k.value for k in InterestKind)


@click.group()
def declarations() -> None:
    """Declarations of interest: returned and amended in a round, the round's review, a
    member's update at any time, and the register they make."""


interests_option = click.option(
    "--interest",
    "interests",
    multiple=True,
    metavar="KIND:DESCRIPTION",
    help=f"An interest the member now holds (repeat); KIND is one of: {KINDS}. "
    "None at all records a nil declaration.",
)
round_option = click.option(
    "--round",
    "kind",
    type=click.Choice(get_args(RoundKind)),
    help="Which open round, if the body has both an annual and a review round open.",
)


@declarations.command()
@partnership_argument
@click.argument("body")
@click.argument("seat")
@date_option("--date", "updated_on", "The date of the member's updated declaration.")
@interests_option
@actor_option
@json_option
@run_async
async def update(
    partnership: Partnership,
    body: str,
    seat: str,
    updated_on: date,
    interests: tuple[str, ...],
    actor: Operator,
    as_json: bool,
) -> None:
    """Record SEAT's declaration of interests on BODY of PARTNERSHIP as it now stands, replacing
    what the register showed for the seat."""
    command = request(
        UpdateInterests,
        body=body,
        seat=seat,
        updated_on=updated_on,
        interests=tuple(_interest(value) for value in interests),
    )
    await api().post(
        f"/partnerships/{partnership.slug}/declarations", command, behalf(command, actor)
    )
    recorded = Updated(
        partnership=partnership.slug,
        body=body,
        seat=seat,
        updated_on=updated_on,
        interests=command.interests,
    )
    emit(recorded, as_json, _updated_text)


def _interest(value: str) -> DeclaredInterest:
    kind, colon, description = value.partition(":")
    if not colon or not description.strip():
        fail(f"--interest must be KIND:DESCRIPTION, not {value!r}")
    if kind not in {k.value for k in InterestKind}:
        fail(f"--interest kind must be one of: {KINDS}, not {kind!r}")
    try:
        return DeclaredInterest(kind=InterestKind(kind), description=description.strip())
    except ValidationError as error:
        fail(f"--interest {value!r}: {error.errors()[0]['msg']}")


class Updated(BaseModel):
    model_config = ConfigDict(frozen=True)

    partnership: str
    body: str
    seat: str
    updated_on: date
    interests: tuple[DeclaredInterest, ...]


def _updated_text(updated: Updated) -> str:
    held = "; ".join(f"{i.kind.value}: {i.description}" for i in updated.interests)
    return (
        f"{updated.seat} on {updated.body} of {updated.partnership} declared on "
        f"{updated.updated_on}: {held or 'nil'}"
    )


# ------------------------------------------------------------------------------ a round


async def _in_round(
    config: Partnership, body: str, kind: RoundKind | None, command: BaseModel, actor: Operator
) -> tuple[str, DeclarationsProgress]:
    """Sends `command` to `body`'s open round; its id and what it answered."""
    round_id = await find_round(config, body, kind)
    progress = await execute(round_id, command, actor)
    return round_id, DeclarationsProgress.model_validate(progress)


def _round_text(round_id: str, progress: DeclarationsProgress) -> str:
    awaited = ", ".join(progress.outstanding) or "none"
    return f"round {round_id} is {progress.status}; declarations outstanding: {awaited}"


@declarations.command(name="return")
@partnership_argument
@click.argument("body")
@click.argument("seat")
@date_option("--date", "returned_on", "The date the member returned the declaration.")
@interests_option
@round_option
@actor_option
@json_option
@run_async
async def return_(
    partnership: Partnership,
    body: str,
    seat: str,
    returned_on: date,
    interests: tuple[str, ...],
    kind: RoundKind | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record SEAT's declaration returned in BODY's open round."""
    command = request(
        ReturnDeclaration,
        seat=seat,
        returned_on=returned_on,
        interests=tuple(_interest(value) for value in interests),
    )
    round_id, progress = await _in_round(partnership, body, kind, command, actor)
    emit(progress, as_json, lambda p: f"{seat} returned: {_round_text(round_id, p)}")


@declarations.command()
@partnership_argument
@click.argument("body")
@click.argument("seat")
@date_option("--date", "updated_on", "The date of the member's changed declaration.")
@interests_option
@round_option
@actor_option
@json_option
@run_async
async def amend(
    partnership: Partnership,
    body: str,
    seat: str,
    updated_on: date,
    interests: tuple[str, ...],
    kind: RoundKind | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Change the declaration SEAT returned in BODY's open round (CDCPE ToR §6: "can be updated
    at any time")."""
    command = request(
        UpdateDeclaration,
        seat=seat,
        updated_on=updated_on,
        interests=tuple(_interest(value) for value in interests),
    )
    round_id, progress = await _in_round(partnership, body, kind, command, actor)
    emit(progress, as_json, lambda p: f"{seat} amended: {_round_text(round_id, p)}")


@declarations.command()
@partnership_argument
@click.argument("body")
@date_option("--date", "reviewed_on", "The day the register was formally reviewed.")
@actor_option
@json_option
@run_async
async def review(
    partnership: Partnership, body: str, reviewed_on: date, actor: Operator, as_json: bool
) -> None:
    """Record the six-monthly formal review of BODY's register, which ends its open review round
    and sets the next review's date (CDCPE ToR §6)."""
    command = request(RecordReview, reviewed_on=reviewed_on)
    round_id, progress = await _in_round(partnership, body, "review", command, actor)
    emit(progress, as_json, lambda p: f"reviewed: {_round_text(round_id, p)}")


# ------------------------------------------------------------------------------ the register


@declarations.command()
@partnership_argument
@click.argument("body")
@json_option
@run_async
async def register(partnership: Partnership, body: str, as_json: bool) -> None:
    """BODY's register of interests: each seat's latest declaration, as the log records it,
    and the register's last formal review (CDCPE ToR §6)."""
    found = await api().get(f"/partnerships/{partnership.slug}/bodies/{body}/register")
    emit(Register.model_validate(found), as_json, _register_text)


def _register_text(register: Register) -> str:
    reviewed = register.reviewed_on or "never"
    due = f", next review due {register.next_review_due_on}" if register.next_review_due_on else ""
    lines = [
        f"register of interests of {register.body} of {register.partnership}: "
        f"{len(register.returns)} seats declared; last reviewed {reviewed}{due}"
    ]
    for r in register.returns:
        held = "; ".join(f"{i.kind.value}: {i.description}" for i in r.interests) or "nil"
        lines.append(f"  {r.seat} declared {r.declared_on} ({r.round_id}): {held}")
    return "\n".join(lines)
