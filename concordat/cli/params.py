"""Arguments the process commands share, checked before anything is sent to a workflow.

A bad date, an unknown partnership or a malformed request is refused while the command line is
read, as one line (`concordat: ...`) rather than click's usage block, so a script sees the same
kind of failure whether the shell, the configuration or a workflow refused it.
"""

import contextlib
import grp
import os
import pwd
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from concordat.cli.output import fail
from concordat.settings import Settings
from concordat.signing import SigningKeyError, service_signer
from domain.authority import NotAuthorisedError, command_type, party_of, provenance_for
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.provenance import Channel, Person
from domain.text import refusal
from workflows.process import Command

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)
C = TypeVar("C")

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
    """Who runs the command: the local account, never a name typed in, and the reason given
    when recording for a partner (`--on-behalf-of`)."""

    person: Person
    on_behalf_reason: str | None
    late_reason: str | None = None


def local_person() -> Person:
    """The operating system's account running this process (issuer `local`), named as the
    partnerships' access data names local accounts (`local:NAME`)."""
    account = pwd.getpwuid(os.geteuid())
    groups = []
    for gid in os.getgroups():
        with contextlib.suppress(KeyError):
            groups.append(grp.getgrgid(gid).gr_name)
    return Person(
        issuer="local",
        subject=account.pw_name,
        name=account.pw_gecos.split(",")[0] or account.pw_name,
        groups=tuple(groups),
    )


def actor_option(command: F) -> F:
    """The operator (the local account) acting, `--on-behalf-of REASON` for the secretariat
    recording what a partner or a seat's holder did, and `--late REASON` for an entry dated
    more than a week ago (docs/rules.md R12): the reason goes into every event."""

    def remember_late(ctx: click.Context, _param: click.Parameter, reason: str | None) -> None:
        ctx.meta["late_reason"] = reason

    def operator(ctx: click.Context, _param: click.Parameter, reason: str | None) -> Operator:
        return Operator(local_person(), reason, ctx.meta.get("late_reason"))

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


def envelope(model: type[M], actor: Operator, **fields: Any) -> Command[M]:
    """A domain command from the command line, signed for the operator in the role the
    partnership's access data gives them; a person it does not allow, a missing key or a size
    the envelope refuses is a one-line refusal, and nothing is sent."""
    return signed(request(model, **fields), actor)


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
    reason = "; ".join(r for r in (actor.on_behalf_reason, actor.late_reason) if r)
    params = {"on_behalf_of": party} if party is not None else {}
    return params | ({"reason": reason} if reason else {})


def signed(command: C, actor: Operator) -> Command[C]:
    """`command`, for the command line's PARTNERSHIP, in an envelope signed with the key in
    the data folder (readable only by the operator who runs the stack)."""
    partnership: Partnership = click.get_current_context().params["partnership"]
    party = party_of(command) if actor.on_behalf_reason is not None else None
    if actor.on_behalf_reason is not None and party is None:
        fail(
            f"--on-behalf-of is for what the secretariat records for a partner or a seat's "
            f"holder; {command_type(command)} is the secretariat's own business"
        )
    try:
        provenance = provenance_for(
            partnership.access,
            actor.person,
            command,
            Channel.CLI,
            on_behalf_of=party,
            reason="; ".join(r for r in (actor.on_behalf_reason, actor.late_reason) if r) or None,
        )
    except ValidationError as error:
        fail(refusal(error))
    except NotAuthorisedError as error:
        fail(str(error))
    try:
        return service_signer(Settings()).sign(command, provenance)
    except SigningKeyError as error:
        fail(str(error))
    except ApplicationError as error:
        fail(error.message)
