"""`concordat declarations update`: a member's declaration of interests, updated whenever their
interests change, not only in the annual and six-monthly rounds (CDCPE ToR §6: "can be updated at
any time"; docs/rules.md P6.5). The partnership's workflow records it; the register shows it as
the seat's latest return, with the earlier ones as its history.
"""

from datetime import date

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
from domain.aggregates.partnership import UpdateInterests
from domain.events import DeclaredInterest, InterestKind
from domain.partnership import Partnership

KINDS = ", ".join(k.value for k in InterestKind)


@click.group()
def declarations() -> None:
    """Declarations of interest: a member's update at any time."""


@declarations.command()
@partnership_argument
@click.argument("body")
@click.argument("seat")
@date_option("--date", "updated_on", "The date of the member's updated declaration.")
@click.option(
    "--interest",
    "interests",
    multiple=True,
    metavar="KIND:DESCRIPTION",
    help=f"An interest the member now holds (repeat); KIND is one of: {KINDS}. "
    "None at all records a nil declaration.",
)
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
