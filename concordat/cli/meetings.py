"""`concordat meeting`: what the clerk and the members' organisations record on a body's meeting
(P5; CDCPE ToR §5, §6, §10).

A schedule starts each meeting's cycle; a meeting is named here by partnership, body and date
(the date its cycle was scheduled for, or the date it was set or moved to), and found through
the API's process list (concordat/cli/scheduled.py). Each command is the cycle's `execute`
update, whose validator refuses what the cycle's stage or the body's rules do not allow, with
nothing written.
"""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import click
from pydantic import BaseModel

from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import (
    ISO_DATE,
    Operator,
    actor_option,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import execute
from concordat.cli.rulings import CHOICES, METAVAR, parse_ruling
from concordat.cli.scheduled import find_meeting
from domain.events import ItemConflict, OtherBusiness
from domain.meeting_proceedings import OpenMeeting, RecordDecision
from domain.meetings import (
    ApproveMinutes,
    CancelMeeting,
    MoveMeeting,
    RecordAttendance,
    RequestItem,
    SetMeeting,
)
from domain.partnership import Partnership
from workflows.contracts.meeting_cycle import MeetingProgress

F = Callable[..., Any]


def _meeting(command: F) -> F:
    """PARTNERSHIP BODY MEETING_DATE: which meeting."""
    command = click.argument("meeting_on", metavar="MEETING_DATE", type=ISO_DATE)(command)
    return partnership_argument(click.argument("body")(command))


def _arrangement(command: F) -> F:
    """When and where the meeting is held."""
    for option in reversed(
        (
            date_option("--held-on", "held_on", "The day it is held."),
            click.option(
                "--starts-at",
                type=click.DateTime(formats=["%H:%M"]),
                required=True,
                metavar="HH:MM",
                help="When it starts (Europe/London).",
            ),
            click.option("--venue", help="Where it is held."),
            click.option("--link", help="Its online link (https://...)."),
        )
    ):
        command = option(command)
    return command


@click.group()
def meeting() -> None:
    """A body's meeting: agenda requests, when and where it is held, attendance, opening,
    decisions and the previous minutes."""


async def _execute(
    config: Partnership, body: str, on: date, command: BaseModel, actor: Operator
) -> MeetingProgress:
    """Sends `command` to the meeting; a refusal ends the command in the domain's words."""
    meeting_id = await find_meeting(config, body, on)
    return MeetingProgress.model_validate(await execute(meeting_id, command, actor))


def _stands(body: str, on: date, progress: MeetingProgress) -> str:
    agenda = ", ".join(progress.agenda_items) or "none"
    other = ", ".join(progress.any_other_business) or "none"
    return (
        f"the meeting of {body} on {on} is {progress.status.replace('_', ' ')}; agenda items: "
        f"{agenda}; other business: {other}"
    )


@meeting.command(name="request-item")
@_meeting
@click.option("--item", required=True, help="The item asked for, in a line.")
@click.option("--by", "requested_by", required=True, help="The organisation asking for it.")
@date_option("--date", "requested_on", "The day it was asked for.")
@actor_option
@json_option
@run_async
async def request_item(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    item: str,
    requested_by: str,
    requested_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """A member's organisation asks for an item on the agenda; after the request deadline it is
    taken as other business (CDCPE ToR §5)."""
    command = request(RequestItem, item=item, requested_by=requested_by, requested_on=requested_on)
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: _stands(body, meeting_on, p))


def _at(starts_at: datetime) -> time:
    return starts_at.time()


@meeting.command(name="set")
@_meeting
@_arrangement
@actor_option
@json_option
@run_async
async def set_(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    held_on: date,
    starts_at: datetime,
    venue: str | None,
    link: str | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Set when and where the meeting is held; the members' organisations are told."""
    command = request(SetMeeting, held_on=held_on, starts_at=_at(starts_at), venue=venue, link=link)
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"set for {held_on}: {_stands(body, held_on, p)}")


@meeting.command()
@_meeting
@_arrangement
@click.option("--reason", required=True, help="Why it moves.")
@actor_option
@json_option
@run_async
async def move(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    held_on: date,
    starts_at: datetime,
    venue: str | None,
    link: str | None,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Move a meeting already set, saying why; the members' organisations are told."""
    command = request(
        MoveMeeting,
        held_on=held_on,
        starts_at=_at(starts_at),
        venue=venue,
        link=link,
        reason=reason,
    )
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"moved to {held_on}: {_stands(body, held_on, p)}")


@meeting.command()
@_meeting
@click.option("--reason", required=True, help="Why it is cancelled.")
@actor_option
@json_option
@run_async
async def cancel(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Cancel a meeting not yet held, saying why; the members' organisations are told."""
    command = request(CancelMeeting, reason=reason)
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"cancelled: {_stands(body, meeting_on, p)}")


@meeting.command()
@_meeting
@click.option("--present", multiple=True, metavar="SEAT", help="A seat present in person (repeat).")
@click.option(
    "--deputy", multiple=True, metavar="SEAT", help="A seat present by its deputy (repeat)."
)
@click.option(
    "--apologies", multiple=True, metavar="SEAT", help="A seat that sent apologies (repeat)."
)
@actor_option
@json_option
@run_async
async def attendance(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    present: tuple[str, ...],
    deputy: tuple[str, ...],
    apologies: tuple[str, ...],
    actor: Operator,
    as_json: bool,
) -> None:
    """Record who attended the meeting, once held; the workflow assesses its quorum under the
    body's rule (CDCPE ToR §3, §10)."""
    command = request(
        RecordAttendance, present=present + deputy, by_deputy=deputy, apologies=apologies
    )
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"attendance recorded: {_stands(body, meeting_on, p)}")


@meeting.command(name="open")
@_meeting
@click.option(
    "--confirmed",
    multiple=True,
    metavar="SEAT",
    help="A seat present that confirmed its declaration of interests (repeat; CDCPE ToR §5).",
)
@click.option(
    "--conflict",
    nargs=4,
    multiple=True,
    metavar=f"ITEM SEAT INTEREST {METAVAR}",
    help=f"An interest SEAT declared in ITEM, with the Chair's ruling: {CHOICES} (repeat; "
    "CDCPE ToR §6).",
)
@click.option(
    "--other-business",
    multiple=True,
    metavar="ITEM",
    help="An item of other business the group agreed to take (repeat).",
)
@click.option(
    "--declined",
    multiple=True,
    metavar="ITEM",
    help="An item of other business the group declined to take (repeat).",
)
@actor_option
@json_option
@run_async
async def open_(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    confirmed: tuple[str, ...],
    conflict: tuple[tuple[str, str, str, str], ...],
    other_business: tuple[str, ...],
    declined: tuple[str, ...],
    actor: Operator,
    as_json: bool,
) -> None:
    """Record the start of the meeting: declarations confirmed, conflicts declared with the
    Chair's rulings, and other business agreed or declined (CDCPE ToR §5, §6)."""
    command = request(
        OpenMeeting,
        declarations_confirmed=confirmed,
        conflicts=tuple(_conflict(*c) for c in conflict),
        other_business=tuple(request(OtherBusiness, item=i, agreed=True) for i in other_business)
        + tuple(request(OtherBusiness, item=i, agreed=False) for i in declined),
    )
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"opened: {_stands(body, meeting_on, p)}")


def _conflict(item: str, seat: str, interest: str, ruling: str) -> ItemConflict:
    chosen = parse_ruling(ruling)
    if chosen is None:
        fail(f"--conflict ruling for {seat} must be one of: {CHOICES}, not {ruling!r}")
    return request(ItemConflict, item=item, seat=seat, interest=interest, ruling=chosen)


@meeting.command()
@_meeting
@click.option("--item", required=True, help="The item decided (on the agenda or agreed AOB).")
@click.option("--decision", required=True, help="What the meeting decided.")
@actor_option
@json_option
@run_async
async def decide(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    item: str,
    decision: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record what the meeting decided on an item; the members the Chair's rulings leave to
    decide it must be quorate (CDCPE ToR §6, §10)."""
    command = request(RecordDecision, item=item, decision=decision)
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(progress, as_json, lambda p: f"decided {item!r}: {_stands(body, meeting_on, p)}")


@meeting.command(name="approve-minutes")
@_meeting
@date_option("--date", "approved_on", "The day the meeting approved them.")
@click.option("--reference", required=True, help="The minutes' reference.")
@actor_option
@json_option
@run_async
async def approve_minutes(
    partnership: Partnership,
    body: str,
    meeting_on: date,
    approved_on: date,
    reference: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """The meeting approved the previous meeting's minutes; the confirmed minutes go to every
    partner (CDCPE ToR §5)."""
    command = request(ApproveMinutes, approved_on=approved_on, reference=reference)
    progress = await _execute(partnership, body, meeting_on, command, actor)
    emit(
        progress, as_json, lambda p: f"minutes {reference} approved: {_stands(body, meeting_on, p)}"
    )
