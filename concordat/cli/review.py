"""`concordat review`: open the MoU review and record each signatory's answer (docs/rules.md P1).

The review is the one the partnership workflow's state records as open, so staff name only the
partnership. Every rule is the review workflow's: a response or agreement outside
the review's dates, a second response, a second variation, or an organisation not asked is
refused by its validators with nothing written (CDCP MoU §24-§25, MSE MoU 2020 §10.1).
"""

from datetime import date

import click
from pydantic import BaseModel, ConfigDict

from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import Operator, actor_option, date_option, partnership_argument, request
from concordat.cli.processes import (
    execute,
    known_organisation,
    open_review,
    process,
    start_process,
    until_recorded,
)
from domain.aggregates.partnership import RequestReview
from domain.aggregates.review import (
    AgreeVariation,
    ProposeVariation,
    RecordResponse,
    RefuseVariation,
    ReviewState,
    variation_id_of,
)
from domain.partnership import Partnership
from domain.streams import review_stream


class ReviewStatus(BaseModel):
    """Where the review stands: what every review command prints."""

    model_config = ConfigDict(frozen=True)

    workflow_id: str
    review_id: str | None
    status: str
    opened_on: date | None
    due_on: date | None
    response_deadline: date | None
    mou_version: int
    confirmed: tuple[str, ...]
    commented: tuple[str, ...]
    variation_id: str | None
    variation_summary: str
    agreed: tuple[str, ...]
    refused: tuple[str, ...]
    awaiting: tuple[str, ...]
    outcome: str | None
    concluded_on: date | None
    next_review_due_on: date | None


def review_status(workflow_id: str, state: ReviewState) -> ReviewStatus:
    return ReviewStatus(
        workflow_id=workflow_id,
        review_id=state.review_id,
        status=state.status,
        opened_on=state.opened_on,
        due_on=state.due_on,
        response_deadline=state.response_deadline,
        mou_version=state.mou_version,
        confirmed=tuple(r.organisation for r in state.responses if r.confirms_unchanged),
        commented=tuple(r.organisation for r in state.responses if not r.confirms_unchanged),
        variation_id=state.variation_id,
        variation_summary=state.variation_summary,
        agreed=state.agreed,
        refused=state.refused,
        awaiting=state.awaiting if state.status == "open" else (),
        outcome=state.outcome.value if state.outcome is not None else None,
        concluded_on=state.concluded_on,
        next_review_due_on=state.next_review_due_on,
    )


def review_text(review: ReviewStatus) -> str:
    lines = [f"review {review.review_id or '(opening)'} ({review.workflow_id}): {review.status}"]
    if review.opened_on is not None:
        lines.append(
            f"  opened {review.opened_on}, responses by {review.response_deadline}; "
            f"MoU version {review.mou_version}, review due {review.due_on}"
        )
    lines.append(f"  confirmed unchanged: {', '.join(review.confirmed) or 'none'}")
    if review.commented:
        lines.append(f"  responded with comments: {', '.join(review.commented)}")
    if review.variation_id is not None:
        lines.append(f"  variation {review.variation_id}: {review.variation_summary}")
        lines.append(f"    agreed: {', '.join(review.agreed) or 'none'}")
        lines.append(f"    refused: {', '.join(review.refused) or 'none'}")
    if review.outcome is not None:
        lines.append(
            f"  concluded {review.concluded_on}: {review.outcome}; "
            f"next review due {review.next_review_due_on}"
        )
    else:
        lines.append(f"  awaiting: {', '.join(review.awaiting) or 'nobody'}")
    return "\n".join(lines)


@click.group()
def review() -> None:
    """The MoU's annual review: open it, record responses, and agree or refuse a variation."""


async def _run(review_id: str, command: BaseModel, actor: Operator, as_json: bool) -> None:
    state = ReviewState.model_validate(await execute(review_id, command, actor))
    emit(review_status(review_id, state), as_json, review_text)


async def _review(config: Partnership, organisation: str) -> str:
    known_organisation(config, organisation)
    return await open_review(config)


@review.command()
@partnership_argument
@actor_option
@json_option
@run_async
async def start(partnership: Partnership, actor: Operator, as_json: bool) -> None:
    """Open PARTNERSHIP's review now, before its timer would (CDCP MoU §24: at least
    annually); refused while a review is open or before the MoU is effective."""
    started = await start_process(partnership, request(RequestReview), actor)
    state = ReviewState.model_validate(await until_recorded(started.process_id, "opening"))
    emit(review_status(started.process_id, state), as_json, review_text)


@review.command()
@partnership_argument
@click.argument("organisation")
@date_option("--date", "received_on", "The date the response was received.")
@click.option("--confirm", is_flag=True, help="ORGANISATION confirms the MoU unchanged.")
@click.option(
    "--comment", metavar="TEXT", help="ORGANISATION does not confirm it unchanged, and says why."
)
@actor_option
@json_option
@run_async
async def respond(
    partnership: Partnership,
    organisation: str,
    received_on: date,
    confirm: bool,
    comment: str | None,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record ORGANISATION's one response to the open review: --confirm or --comment TEXT."""
    if confirm == (comment is not None):
        fail("give either --confirm or --comment TEXT")
    response = request(
        RecordResponse,
        organisation=organisation,
        received_on=received_on,
        confirms_unchanged=confirm,
        comment=comment or "",
    )
    await _run(await _review(partnership, organisation), response, actor, as_json)


@review.command()
@partnership_argument
@click.argument("organisation")
@click.option("--summary", required=True, help="The proposed variation, in a line.")
@date_option("--date", "proposed_on", "The date ORGANISATION proposed it.")
@actor_option
@json_option
@run_async
async def propose(
    partnership: Partnership,
    organisation: str,
    summary: str,
    proposed_on: date,
    actor: Operator,
    as_json: bool,
) -> None:
    """Put ORGANISATION's proposed variation to every signatory; it is adopted only if all of
    them agree in writing by the response deadline (CDCP MoU §25, MSE MoU 2020 §10.1)."""
    proposal = request(
        ProposeVariation,
        proposed_by=organisation,
        summary=summary,
        proposed_on=proposed_on,
    )
    await _run(await _review(partnership, organisation), proposal, actor, as_json)


def _variation_id(partnership: Partnership, review_id: str) -> str:
    """The variation before the signatories: at most one a review, named after it."""
    return variation_id_of(review_id.removeprefix(review_stream(partnership.slug, "")))


@review.command()
@partnership_argument
@click.argument("organisation")
@date_option("--date", "agreed_on", "The date of ORGANISATION's written agreement.")
@actor_option
@json_option
@run_async
async def agree(
    partnership: Partnership, organisation: str, agreed_on: date, actor: Operator, as_json: bool
) -> None:
    """Record ORGANISATION's written agreement to the variation before the signatories."""
    review_id = await _review(partnership, organisation)
    agreement = request(
        AgreeVariation,
        organisation=organisation,
        variation_id=_variation_id(partnership, review_id),
        agreed_on=agreed_on,
    )
    await _run(review_id, agreement, actor, as_json)


@review.command()
@partnership_argument
@click.argument("organisation")
@date_option("--date", "refused_on", "The date of ORGANISATION's refusal.")
@click.option("--reason", default="", help="Why ORGANISATION refuses, for the record.")
@actor_option
@json_option
@run_async
async def refuse(
    partnership: Partnership,
    organisation: str,
    refused_on: date,
    reason: str,
    actor: Operator,
    as_json: bool,
) -> None:
    """Record ORGANISATION's refusal of the variation: one refusal and the MoU stands
    unchanged (CDCP MoU §25)."""
    review_id = await _review(partnership, organisation)
    refusal = request(
        RefuseVariation,
        organisation=organisation,
        variation_id=_variation_id(partnership, review_id),
        refused_on=refused_on,
        reason=reason,
    )
    await _run(review_id, refusal, actor, as_json)


@review.command()
@partnership_argument
@json_option
@run_async
async def status(partnership: Partnership, as_json: bool) -> None:
    """The open review of PARTNERSHIP: its dates, the answers in, and who is awaited."""
    review_id = await open_review(partnership)
    _, state = await process(review_id)
    emit(review_status(review_id, ReviewState.model_validate(state)), as_json, review_text)
