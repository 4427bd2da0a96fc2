"""`concordat escalation vote`: a board member's own vote at an escalation's current level
(docs/rules.md A11; CDCPE ToR §3, §6).

Only the seat's holder or its named deputy casts it, signed in as themselves: the secretariat
may not, on anyone's behalf, so the command has no `--on-behalf-of`. The member may change it
until the level's vote is decided; `escalation decide` then counts it if they were present.
"""

from datetime import date

import click

from concordat.cli.output import emit, json_option, run_async
from concordat.cli.params import Operator, date_option, partnership_argument, request
from concordat.cli.processes import execute
from domain.aggregates.escalation import CastVote
from domain.partnership import Partnership
from domain.rules.voting import VoteChoice
from domain.streams import escalation_stream
from workflows.contracts.escalation import EscalationProgress


@click.command()
@partnership_argument
@click.argument("escalation_id")
@click.option("--level", type=int, required=True, help="The level the escalation is at (a check).")
@click.option("--body", required=True, help="The body deciding at this level, e.g. cdcpe.")
@click.option("--seat", required=True, help="The seat you hold, or deputise for, on --body.")
@click.option("--vote", "choice", type=click.Choice([v.value for v in VoteChoice]), required=True)
@click.option(
    "--declare",
    "declaration",
    default="",
    metavar="INTEREST",
    help="An interest you declare in this item (CDCPE ToR §6); the Chair rules on it.",
)
@date_option("--date", "cast_on", "The day the vote is cast.")
@json_option
@run_async
async def vote(
    partnership: Partnership,
    escalation_id: str,
    level: int,
    body: str,
    seat: str,
    choice: str,
    declaration: str,
    cast_on: date,
    as_json: bool,
) -> None:
    """Cast, or change, your own vote for --seat at --level of ESCALATION_ID."""
    cast = request(
        CastVote,
        body=body,
        level=level,
        seat=seat,
        vote=VoteChoice(choice),
        declaration=declaration,
        cast_on=cast_on,
    )
    escalation = escalation_stream(partnership.slug, escalation_id)
    answer = await execute(escalation, cast, Operator(on_behalf_reason=None))
    progress = EscalationProgress.model_validate(answer)
    emit(
        progress,
        as_json,
        lambda _: (
            f"{seat} voted {choice} at level {level} of {escalation} ({body}); the "
            "secretariat records the level's decision"
        ),
    )
