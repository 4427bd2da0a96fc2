"""What a review's workflow is started with, takes and returns (workflows/review.py)."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.review import (
    AgreeVariation,
    OpenReview,
    ProposeVariation,
    RecordResponse,
    RefuseVariation,
    ReviewState,
)
from domain.events import ReviewOutcome
from domain.provenance import Actor, Channel, system_actor
from workflows.contracts.process import ChildInput

ReviewUpdate = Annotated[
    RecordResponse | ProposeVariation | AgreeVariation | RefuseVariation,
    Field(discriminator="type"),
]
"""What staff record on a review: a signatory's response, a proposed variation, or a
signatory's written agreement to or refusal of it."""


class ReviewInput(ChildInput[ReviewState]):
    """The partnership as it stood when the review opened, so a replay sees it as it was then.
    With no `opening` the review resumes from its stream (its partnership was started again)."""

    opening: OpenReview | None


class SignatoryLeft(BaseModel):
    """Sent by the partnership workflow when an exit takes effect (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    left_on: date
    actor: Actor = system_actor("process:exit", Channel.PROCESS)


class ReviewResult(BaseModel):
    """What the partnership workflow records when the review ends."""

    model_config = ConfigDict(frozen=True)

    review_id: str
    outcome: ReviewOutcome
    concluded_on: date
    variation_summary: str | None = None
    next_review_due_on: date
