"""Arguments the process commands share, checked before anything is sent to a workflow.

A bad date, an unknown partnership or a malformed request is refused while the command line is
read, as one line (`concordat: ...`) rather than click's usage block, so a script sees the same
kind of failure whether the shell, the configuration or a workflow refused it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError

from concordat.cli.output import fail
from concordat.settings import Settings
from domain.authority import command_type, party_of
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.text import Name, Text, refusal

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _named(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return param.opts[0]
    return param.human_readable_name if param is not None else "the value"


class IsoDate(click.ParamType[date]):
    """A calendar date written YYYY-MM-DD, the only form governance papers are filed under."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        if not _ISO_DATE.fullmatch(str(value)):
            fail(f"{_named(param)} must be a date written YYYY-MM-DD, not {value!r}")
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            fail(f"{_named(param)} {value!r} is not a real date")


class PartnershipSlug(click.ParamType[Partnership]):
    """A partnership's slug, turned into its shipped configuration."""

    name = "PARTNERSHIP"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Partnership:
        if isinstance(value, Partnership):
            return value
        folder = Settings().partnerships_dir
        try:
            return load_partnership(str(value), folder)
        except ConfigError as error:
            # An unknown slug is the user's mistake: say so plainly. A broken file is named
            # with its field, so it can be fixed.
            fail(error.problem if isinstance(error, UnknownPartnershipError) else str(error))


ISO_DATE = IsoDate()
PARTNERSHIP = PartnershipSlug()


def partnership_argument(command: F) -> F:
    """PARTNERSHIP as its configuration; an unknown slug is refused naming the known ones."""
    return click.argument("partnership", type=PARTNERSHIP)(command)


def date_option(flag: str, dest: str, help_text: str) -> Callable[[F], F]:
    """A required ISO date option, passed to the command as `dest`."""

    def decorate(command: F) -> F:
        return click.option(flag, dest, type=ISO_DATE, required=True, help=help_text)(command)

    return decorate


@dataclass(frozen=True)
class Operator:
    """What the command line says about an entry besides who makes it (the API knows that from
    the sign-in): why the secretariat records it for a partner (`--on-behalf-of`), and why it
    is entered late (`--late`)."""

    on_behalf_reason: str | None
    late_reason: str | None = None


def actor_option(command: F) -> F:
    """`--on-behalf-of REASON` for the secretariat recording what a partner or a seat's holder
    did, and `--late REASON` for an entry dated more than a week ago (docs/rules.md R12): the
    reason goes into every event."""

    def remember_late(ctx: click.Context, _param: click.Parameter, reason: str | None) -> None:
        ctx.meta["late_reason"] = reason

    def operator(ctx: click.Context, _param: click.Parameter, reason: str | None) -> Operator:
        return Operator(reason, ctx.meta.get("late_reason"))

    late = click.option(
        "--late",
        metavar="REASON",
        is_eager=True,
        expose_value=False,
        callback=remember_late,
        help="Why this is entered more than a week after its date (for example: the letter "
        "was found in a colleague's tray).",
    )
    return late(
        click.option(
            "--on-behalf-of",
            "actor",
            metavar="REASON",
            callback=operator,
            help="As the secretariat, record this for the organisation or seat it names, "
            "saying why (for example: signed counterpart received by post).",
        )(command)
    )


def request(model: type[M], **fields: Any) -> M:
    """A workflow's request built from the command line; a value the model refuses (an empty
    name, a malformed slug) is a one-line refusal before anything is sent."""
    try:
        return model(**fields)
    except ValidationError as error:
        fail(refusal(error))


class _Behalf(BaseModel):
    """The reason parameters, bounded as the provenance they become: a reason that could not
    be recorded is refused here, before anything is sent."""

    on_behalf_of: Name | None
    reason: Text | None


def behalf(command: Any, actor: Operator) -> dict[str, str]:
    """The API's parameters saying for whom and why: the party `command` is for when the
    secretariat records it for them (`--on-behalf-of REASON`), and the reasons given, late
    entry's included. The service checks them against the signed-in person."""
    party = party_of(command) if actor.on_behalf_reason is not None else None
    if actor.on_behalf_reason is not None and party is None:
        fail(
            f"--on-behalf-of is for what the secretariat records for a partner or a seat's "
            f"holder; {command_type(command)} is the secretariat's own business"
        )
    reason = "; ".join(r for r in (actor.on_behalf_reason, actor.late_reason) if r) or None
    said = request(_Behalf, on_behalf_of=party, reason=reason)
    return {k: v for k, v in said.model_dump().items() if v is not None}
