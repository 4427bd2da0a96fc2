"""Arguments the process commands share, checked before anything is sent to a workflow.

A bad date, an unknown partnership or a malformed request is refused while the command line is
read, as one line (`concordat: ...`) rather than click's usage block, so a script sees the same
kind of failure whether the shell, the configuration or a workflow refused it.
"""

import os
import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from concordat.cli.output import fail
from concordat.settings import Settings
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.text import refusal
from workflows.process import Command

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


def actor_option(command: F) -> F:
    """Who recorded the command: it goes into every event the command causes, for the trail."""
    return click.option(
        "--actor",
        default=lambda: os.environ.get("USER") or "staff",
        show_default="$USER, else staff",
        metavar="NAME",
        help="The member of staff recording this, as the audit trail will show it.",
    )(command)


def request(model: type[M], **fields: Any) -> M:
    """A workflow's request built from the command line; a value the model refuses (an empty
    name, a malformed slug) is a one-line refusal before anything is sent."""
    try:
        return model(**fields)
    except ValidationError as error:
        fail(refusal(error))


def envelope(model: type[M], actor: str, **fields: Any) -> Command[M]:
    """A domain command from the command line in the envelope that says who acts; an actor or
    a size the envelope refuses is a one-line refusal too."""
    command = request(model, **fields)
    try:
        return Command(command=command, actor=actor)
    except ApplicationError as error:
        fail(error.message)
