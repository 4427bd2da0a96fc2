"""P1 review: the MoU's annual review and any variation put to the signatories."""

from datetime import date
from enum import StrEnum
from typing import Literal

from domain.events.base import Event


class ReviewOutcome(StrEnum):
    """How an MoU review ended (docs/rules.md P1).

    CONFIRMED_UNCHANGED: no variation was proposed. VARIED: a variation was agreed in writing by
    every signatory (CDCP MoU §25). LAPSED: a variation was proposed but refused or not agreed by
    every signatory by the deadline, so it is not adopted and the MoU stands unchanged.
    """

    CONFIRMED_UNCHANGED = "confirmed_unchanged"
    VARIED = "varied"
    LAPSED = "lapsed"


class ReviewOpened(Event):
    """An MoU review began; every listed signatory is asked to respond (CDCP MoU §24)."""

    type: Literal["ReviewOpened"] = "ReviewOpened"
    dated_by = "opened_on"
    review_id: str
    opened_on: date
    due_on: date
    response_deadline: date
    mou_version: int
    signatories: tuple[str, ...]


class ResponseReceived(Event):
    """A signatory answered the review: confirming the MoU as it stands, or not."""

    type: Literal["ResponseReceived"] = "ResponseReceived"
    dated_by = "received_on"
    review_id: str
    organisation: str
    received_on: date
    confirms_unchanged: bool
    comment: str = ""


class VariationProposed(Event):
    """A change to the MoU or its schedules was put to all signatories (CDCP MoU §25)."""

    type: Literal["VariationProposed"] = "VariationProposed"
    dated_by = "proposed_on"
    review_id: str
    variation_id: str
    proposed_by: str
    summary: str
    proposed_on: date


class VariationAgreed(Event):
    """A signatory agreed the variation in writing (CDCP MoU §25, MSE MoU 2020 §10.1)."""

    type: Literal["VariationAgreed"] = "VariationAgreed"
    dated_by = "agreed_on"
    review_id: str
    variation_id: str
    organisation: str
    agreed_on: date


class VariationRefused(Event):
    """A signatory refused the variation: it cannot be adopted (CDCP MoU §25)."""

    type: Literal["VariationRefused"] = "VariationRefused"
    dated_by = "refused_on"
    review_id: str
    variation_id: str
    organisation: str
    refused_on: date
    reason: str = ""


class ReviewConcluded(Event):
    """The review ended; the next review is due no later than 12 months later (P1 policy)."""

    type: Literal["ReviewConcluded"] = "ReviewConcluded"
    dated_by = "concluded_on"
    review_id: str
    outcome: ReviewOutcome
    concluded_on: date
    next_review_due_on: date
    variation_id: str | None = None
    not_agreed_by: tuple[str, ...] = ()
    not_responded: tuple[str, ...] = ()


class ReviewSignatoryRemoved(Event):
    """A signatory left during a review: no longer asked, nor counted for unanimity (CDCP MoU
    §27)."""

    type: Literal["ReviewSignatoryRemoved"] = "ReviewSignatoryRemoved"
    dated_by = "left_on"
    review_id: str
    organisation: str
    left_on: date
