"""P4/P6 conflicts of interest and P6 declarations: interests declared and ruled on for an
item, and the rounds and reviews of a body's register of interests (CDCPE ToR §6)."""

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.events.base import Event
from domain.text import Line


class InterestKind(StrEnum):
    """The kinds of interest a register records (policy: the categories public bodies' standards
    of business conduct use)."""

    FINANCIAL = "financial"
    NON_FINANCIAL_PROFESSIONAL = "non_financial_professional"
    NON_FINANCIAL_PERSONAL = "non_financial_personal"
    INDIRECT = "indirect"


class DeclaredInterest(BaseModel):
    """One interest a member declares for the register (CDCPE ToR §6, CDCP MoU §23)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: InterestKind
    description: Line = Field(min_length=1)
    since: date | None = None


class ConflictRuling(StrEnum):
    """The Chair's ruling on a declared interest for one item (CDCPE ToR §6)."""

    LEAVE = "leave"
    DISCUSS_NOT_DECIDE = "discuss_not_decide"
    TAKE_PART = "take_part"


class InterestDeclared(Event):
    """A member declared an interest in an item (CDCPE ToR §6, CDCP MoU §23)."""

    type: Literal["InterestDeclared"] = "InterestDeclared"
    dated_by = "declared_on"
    body: str
    seat: str
    item: str
    declared_on: date
    description: str


class ConflictRuled(Event):
    """The Chair ruled how a conflicted member takes part in an item (CDCPE ToR §6)."""

    type: Literal["ConflictRuled"] = "ConflictRuled"
    dated_by = "ruled_on"
    body: str
    seat: str
    item: str
    ruling: ConflictRuling
    ruled_on: date
    ruled_by: str


class ItemChairReplaced(Event):
    """The chair was conflicted: a non-conflicted member chairs the item (CDCPE ToR §6)."""

    type: Literal["ItemChairReplaced"] = "ItemChairReplaced"
    dated_by = "on"
    body: str
    item: str
    conflicted_chair: str
    acting_chair: str
    on: date


class DeclarationsReviewed(Event):
    """The register of interests had its six-monthly formal review (CDCPE ToR §6)."""

    type: Literal["DeclarationsReviewed"] = "DeclarationsReviewed"
    dated_by = "reviewed_on"
    body: str
    reviewed_on: date
    next_review_due_on: date


class DeclarationsRequested(Event):
    """Members were asked for their declarations of interest (CDCPE ToR §6, CDCP MoU §23).

    `kind` "annual": the annual declaration form; "review": confirm or update entries before the
    six-monthly formal review of the register.
    """

    type: Literal["DeclarationsRequested"] = "DeclarationsRequested"
    dated_by = "requested_on"
    body: str
    round_id: str
    kind: Literal["annual", "review"]
    requested_on: date
    return_by: date
    seats: tuple[str, ...]


class DeclarationReturned(Event):
    """A member completed or confirmed their declaration of interests (CDCPE ToR §6)."""

    type: Literal["DeclarationReturned"] = "DeclarationReturned"
    dated_by = "returned_on"
    body: str
    round_id: str
    seat: str
    returned_on: date
    interests: tuple[DeclaredInterest, ...] = ()
    """What the member declared; none is a nil return. Empty on rounds recorded before the
    register kept its entries."""
    update: bool = False
    """A second return in the round, replacing the member's entries ("can be updated at any
    time", CDCPE ToR §6)."""


class DeclarationsRoundClosed(Event):
    """A declarations round ended, naming the members who did not return theirs."""

    type: Literal["DeclarationsRoundClosed"] = "DeclarationsRoundClosed"
    dated_by = "closed_on"
    body: str
    round_id: str
    closed_on: date
    outstanding: tuple[str, ...]
