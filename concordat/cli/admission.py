"""`concordat admission`: admitting an additional partner (docs/rules.md P7; MSE MoU 2020 §14,
§10.1; CDCP MoU §25).

A partner proposes the organisation and the seats it would hold; every signatory agrees in
writing; the new partner's counterpart signature then admits it and amends the MoU. Each step is
the partnership workflow's `execute` update, whose validator refuses a step out of turn (a
second proposal, an agreement from a non-signatory, a counterpart before everyone agreed) with
nothing written.
"""

from datetime import date

import click
from pydantic import BaseModel

from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import (
    Operator,
    actor_option,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import execute
from domain.aggregates.partnership import AgreeAdmission, ProposeAdmission, SignCounterpart
from domain.events import SeatOnBody
from domain.organisations import Annex1Category, Organisation, Sector
from domain.partnership import Partnership
from domain.streams import partnership_stream
from workflows.contracts.partnership import PartnershipProgress


@click.group()
def admission() -> None:
    """An additional partner: proposed, agreed by every signatory, admitted by its signature."""


async def _execute(config: Partnership, command: BaseModel, actor: Operator) -> PartnershipProgress:
    """Sends the step to the partnership; a refusal ends the command in the domain's words."""
    answer = await execute(partnership_stream(config.slug), command, actor)
    return PartnershipProgress.model_validate(answer)


def _awaited(config: Partnership, progress: PartnershipProgress) -> str:
    proposed = progress.admission
    if proposed is None:
        return f"no admission is proposed in {config.slug}"
    agreed = ", ".join(progress.admission_agreed_by) or "none yet"
    return f"admission of {proposed.organisation} to {config.slug}; agreed by: {agreed}"


def _seat(value: str) -> SeatOnBody:
    body, seat, role = [*value.split(":", 2), "", ""][:3]
    if not (body and seat and role):
        fail(f"--seat must be BODY:SEAT:ROLE, not {value!r}")
    return request(SeatOnBody, body=body, seat=seat, role=role)


@admission.command()
@partnership_argument
@click.argument("organisation")
@click.option("--name", required=True, help="The organisation's full name.")
@click.option("--kind", required=True, help="What kind of organisation, e.g. trust.")
@click.option("--sector", type=click.Choice([s.value for s in Sector]), required=True)
@click.option(
    "--annex1-category",
    type=click.Choice([c.value for c in Annex1Category]),
    help="Its column in the MoU's Annex 1, where the MoU has one (MSE).",
)
@click.option(
    "--seat",
    "seats",
    multiple=True,
    metavar="BODY:SEAT:ROLE",
    help="A seat it would hold, e.g. cdcpe:neas-chief-executive:Chief Executive (repeat).",
)
@click.option("--by", "proposed_by", required=True, help="The partner proposing it.")
@date_option("--date", "proposed_on", "The day it was proposed.")
@actor_option
@json_option
@run_async
async def propose(
    partnership: Partnership,
    organisation: str,
    name: str,
    kind: str,
    sector: str,
    annex1_category: str | None,
    seats: tuple[str, ...],
    proposed_by: str,
    proposed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """A partner proposes ORGANISATION as an additional partner; every signatory is asked to
    agree in writing."""
    new = request(
        Organisation,
        slug=organisation,
        name=name,
        kind=kind,
        sector=Sector(sector),
        annex1_category=Annex1Category(annex1_category) if annex1_category else None,
    )
    command = request(
        ProposeAdmission,
        proposed_by=proposed_by,
        organisation=new,
        seats=tuple(_seat(s) for s in seats),
        proposed_on=proposed_on,
    )
    progress = await _execute(partnership, command, actor)
    emit(progress, as_json, lambda p: f"proposed by {proposed_by}: {_awaited(partnership, p)}")


@admission.command()
@partnership_argument
@click.argument("organisation")
@date_option("--date", "agreed_on", "The date of its letter agreeing.")
@click.option("--reference", required=True, help="The reference of its letter.")
@actor_option
@json_option
@run_async
async def agree(
    partnership: Partnership,
    organisation: str,
    agreed_on: date,
    reference: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record signatory ORGANISATION's written agreement to the admission proposed."""
    command = request(
        AgreeAdmission, organisation=organisation, agreed_on=agreed_on, reference=reference
    )
    progress = await _execute(partnership, command, actor)
    emit(progress, as_json, lambda p: f"{organisation} agreed: {_awaited(partnership, p)}")


@admission.command()
@partnership_argument
@click.argument("organisation")
@click.option("--name", "signatory_name", required=True, help="Who signed for ORGANISATION.")
@click.option("--role", "signatory_role", required=True, help="The signatory's role.")
@date_option("--date", "signed_on", "The date the counterpart was signed.")
@actor_option
@json_option
@run_async
async def sign(
    partnership: Partnership,
    organisation: str,
    signatory_name: str,
    signatory_role: str,
    signed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record that ORGANISATION, the partner proposed, executed its counterpart of the MoU: it is
    admitted, with the seats proposed, and the MoU is amended."""
    command = request(
        SignCounterpart,
        organisation=organisation,
        signatory_name=signatory_name,
        signatory_role=signatory_role,
        signed_on=signed_on,
    )
    progress = await _execute(partnership, command, actor)
    emit(
        progress,
        as_json,
        lambda p: (
            f"{organisation} admitted to {partnership.slug}: the MoU is amended (version "
            f"{p.mou_version})"
        ),
    )
