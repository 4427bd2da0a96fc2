"""`concordat mou sign`: record a partner's executed counterpart of the MoU (docs/rules.md P1).

The partnership workflow decides: an organisation that is not a signatory, one that has already
signed, or a signature after the MoU became effective is refused by its validator with nothing
written (MSE MoU 2020 §15.3: effective once every partner has executed a counterpart; CDCP MoU §24).
"""

from datetime import date

import click
from pydantic import BaseModel, ConfigDict

from concordat.cli.api import api
from concordat.cli.output import emit, json_option, run_async
from concordat.cli.params import (
    Operator,
    actor_option,
    behalf,
    date_option,
    partnership_argument,
    request,
)
from concordat.cli.processes import known_organisation
from domain.aggregates.partnership import PartnershipState, SignMou
from domain.partnership import Partnership


@click.group()
def mou() -> None:
    """The memorandum of understanding: record partners' signatures."""


@mou.command()
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
    """Record that ORGANISATION executed its counterpart of PARTNERSHIP's MoU; the MoU takes
    effect when the last signatory signs."""
    known_organisation(partnership, organisation)
    signature = request(
        SignMou,
        organisation=organisation,
        signatory_name=signatory_name,
        signatory_role=signatory_role,
        signed_on=signed_on,
    )
    params = behalf(signature, actor)
    answer = await api().post(f"/partnerships/{partnership.slug}/signatures", signature, params)
    state = PartnershipState.model_validate(answer)
    signed = Signed(
        partnership=state.slug,
        organisation=organisation,
        signed_on=signed_on,
        outstanding_signatures=state.outstanding_signatures,
        effective_on=state.effective_on,
        mou_version=state.mou_version,
        review_due_on=state.review_due_on,
    )
    emit(signed, as_json, _signed_text)


class Signed(BaseModel):
    """What a signature did: small enough for a script to read."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    organisation: str
    signed_on: date
    outstanding_signatures: tuple[str, ...]
    effective_on: date | None
    mou_version: int
    review_due_on: date | None


def _signed_text(signed: Signed) -> str:
    line = f"{signed.organisation} signed the {signed.partnership} MoU on {signed.signed_on}"
    if signed.effective_on is None:
        return f"{line}; awaiting: {', '.join(signed.outstanding_signatures)}"
    return (
        f"{line}; the MoU is effective from {signed.effective_on} (version "
        f"{signed.mou_version}), first review due {signed.review_due_on}"
    )
