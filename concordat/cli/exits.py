"""`concordat exit`: a partner's notice of leaving, to the day it takes effect (docs/rules.md P2).

Notice is given through the partnership workflow, which starts the exit process and records it
as open. The workflows refuse what CDCP MoU §27 and the P2 policy do not allow (a second notice,
a leaver that is not a signatory, an effective date before the notice, a notice dated after the
day its written notices go out, a second acknowledgement, a withdrawal on or after the effective
date) with nothing written.
"""

from datetime import date

import click
from pydantic import BaseModel, ConfigDict

from concordat.cli.output import emit, json_option, run_async
from concordat.cli.params import (
    Operator,
    actor_option,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import (
    execute,
    known_organisation,
    open_exit,
    process,
    start_process,
    until_recorded,
)
from domain.aggregates.exit import AcknowledgeNotice, ExitState, NotifyExit, WithdrawExit
from domain.partnership import Partnership
from domain.rules.exits import ExitEffect
from workflows.contracts.exit import ExitProgress
from workflows.exit import status_of


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class NoticeGiven(_Frozen):
    workflow_id: str
    organisation: str
    notified_on: date
    effective_on: date
    recipients: tuple[str, ...]
    effect: ExitEffect


class Acknowledgement(_Frozen):
    recipient: str
    acknowledged_on: date | None


class ExitStatus(_Frozen):
    workflow_id: str
    organisation: str | None
    status: str
    notified_on: date | None
    effective_on: date | None
    signatory_name: str | None
    acknowledgements: tuple[Acknowledgement, ...]
    unacknowledged: tuple[str, ...]
    effect: ExitEffect


def effect_lines(effect: ExitEffect) -> list[str]:
    """What the exit does to each body: seats lost, and a body that cannot be quorate flagged."""
    lines = []
    for b in effect.bodies:
        quorum = "can still be quorate" if b.can_be_quorate else "CANNOT BE QUORATE"
        lines.append(
            f"  {b.body}: loses {', '.join(b.seats_lost)} ({b.voting_before} -> "
            f"{b.voting_after} voting seats); {quorum}"
        )
    return lines or ["  no body loses a seat"]


def exit_status(workflow_id: str, state: ExitState) -> ExitStatus:
    return ExitStatus(
        workflow_id=workflow_id,
        organisation=state.organisation,
        status=status_of(state),
        notified_on=state.notified_on,
        effective_on=state.effective_on,
        signatory_name=state.signatory_name,
        acknowledgements=tuple(
            Acknowledgement(recipient=r, acknowledged_on=n.acknowledged_on if n else None)
            for r in state.recipients
            for n in [state.notice(r)]
        ),
        unacknowledged=state.unacknowledged,
        effect=state.effect(),
    )


def exit_text(status: ExitStatus) -> str:
    lines = [
        f"exit of {status.organisation} ({status.workflow_id}): {status.status}",
        f"  notice given {status.notified_on} by {status.signatory_name}, "
        f"effective {status.effective_on}",
    ]
    for a in status.acknowledgements:
        when = f"acknowledged {a.acknowledged_on}" if a.acknowledged_on else "not acknowledged"
        lines.append(f"  {a.recipient}: {when}")
    lines.append(f"unacknowledged by: {', '.join(status.unacknowledged) or 'nobody'}")
    lines.append("effect on the bodies:")
    return "\n".join(lines + effect_lines(status.effect))


def _progress_text(progress: ExitProgress) -> str:
    return (
        f"exit {progress.status}; unacknowledged by: "
        f"{', '.join(progress.unacknowledged) or 'nobody'}"
    )


@click.group(name="exit")
def exit_() -> None:
    """A partner leaving: give, acknowledge or withdraw its notice, and see who has yet to
    acknowledge it (CDCP MoU §27)."""


@exit_.command()
@partnership_argument
@click.argument("organisation")
@date_option("--notified", "notified_on", "The date the written notice was given.")
@date_option("--effective", "effective_on", "The date the partner intends to leave.")
@click.option("--signatory", "signatory_name", required=True, help="Who signed the notice.")
@click.option("--reason", default="", help="The reason given, quoted in the written notice.")
@actor_option
@json_option
@run_async
async def notify(
    partnership: Partnership,
    organisation: str,
    notified_on: date,
    effective_on: date,
    signatory_name: str,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record ORGANISATION's written notice of leaving; every other signatory is written to and
    asked to acknowledge. Prints what the exit will do to each body's quorum."""
    known_organisation(partnership, organisation)
    notice = request(
        NotifyExit,
        organisation=organisation,
        notified_on=notified_on,
        effective_on=effective_on,
        signatory_name=signatory_name,
        reason=reason,
    )
    started = await start_process(partnership, notice, actor)
    # "Given" only once the exit has recorded the notice and its written notices.
    await until_recorded(started.process_id, unrecorded="notifying")
    assert started.effect is not None
    given = NoticeGiven(
        workflow_id=started.process_id,
        organisation=organisation,
        notified_on=notified_on,
        effective_on=effective_on,
        recipients=started.recipients,
        effect=started.effect,
    )
    emit(given, as_json, _given_text)


def _given_text(given: NoticeGiven) -> str:
    lines = [
        f"notice given: {given.organisation} leaves on {given.effective_on} "
        f"(notified {given.notified_on}); process {given.workflow_id}",
        f"written notice to: {', '.join(given.recipients)}",
        "effect on the bodies:",
    ]
    return "\n".join(lines + effect_lines(given.effect))


async def _update(exit_id: str, command: BaseModel, actor: Operator, as_json: bool) -> None:
    progress = ExitProgress.model_validate(await execute(exit_id, command, actor))
    emit(progress, as_json, _progress_text)


@exit_.command()
@partnership_argument
@click.argument("leaver")
@click.argument("recipient")
@date_option("--date", "acknowledged_on", "The date RECIPIENT acknowledged the notice.")
@click.option("--by", "acknowledged_by", required=True, help="Who acknowledged it for RECIPIENT.")
@actor_option
@json_option
@run_async
async def acknowledge(
    partnership: Partnership,
    leaver: str,
    recipient: str,
    acknowledged_on: date,
    acknowledged_by: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record that RECIPIENT acknowledged LEAVER's notice of leaving."""
    known_organisation(partnership, recipient)
    acknowledgement = request(
        AcknowledgeNotice,
        recipient=recipient,
        acknowledged_on=acknowledged_on,
        acknowledged_by=acknowledged_by,
    )
    await _update(await open_exit(partnership, leaver), acknowledgement, actor, as_json)


@exit_.command()
@partnership_argument
@click.argument("organisation")
@date_option("--date", "withdrawn_on", "The date ORGANISATION withdrew its notice.")
@click.option("--reason", default="", help="Why the notice is withdrawn, for the record.")
@actor_option
@json_option
@run_async
async def withdraw(
    partnership: Partnership,
    organisation: str,
    withdrawn_on: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Withdraw ORGANISATION's notice of leaving; allowed only before its effective date."""
    withdrawal = request(WithdrawExit, withdrawn_on=withdrawn_on, reason=reason)
    await _update(await open_exit(partnership, organisation), withdrawal, actor, as_json)


@exit_.command()
@partnership_argument
@click.argument("organisation")
@json_option
@run_async
async def status(partnership: Partnership, organisation: str, as_json: bool) -> None:
    """ORGANISATION's open exit: its dates, who has and has not acknowledged, and what it will
    do to each body's quorum."""
    exit_id = await open_exit(partnership, organisation)
    _, state = await process(exit_id)
    emit(exit_status(exit_id, ExitState.model_validate(state)), as_json, exit_text)
