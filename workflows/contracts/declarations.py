"""What a round of declarations is started with, takes and returns
(workflows/declarations.py)."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.declarations import (
    DeclarationsState,
    RecordReview,
    ReturnDeclaration,
    RoundKind,
    UpdateDeclaration,
)
from workflows.contracts.process import ProcessInput

DeclarationsUpdate = Annotated[
    ReturnDeclaration | UpdateDeclaration | RecordReview, Field(discriminator="type")
]
"""What staff record on a round: a member's declaration returned or updated, or the formal
review."""


class DeclarationsInput(ProcessInput[DeclarationsState]):
    """`requested_on` is None when a schedule starts the round: it is then the fire date."""

    body: str
    kind: RoundKind
    requested_on: date | None = None


class DeclarationsProgress(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: str
    outstanding: tuple[str, ...]


class DeclarationsResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    round_id: str
    kind: RoundKind
    outstanding: tuple[str, ...]
    reviewed_on: date | None
    next_review_due_on: date | None
