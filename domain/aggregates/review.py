"""The MoU review aggregate: one stream per review (docs/rules.md P1).

CDCP MoU §24 (reviewed at least annually), §25 and MSE MoU 2020 §10.1 (varied only
by written agreement of all signatory organisations): every signatory is asked to respond by a
deadline; a variation is adopted only if every signatory agrees in writing. One refusal, or one
agreement missing at the deadline, and the MoU stands unchanged. A signatory that leaves during
the review (CDCP MoU §27) is no longer asked and no longer counted.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.errors import DomainError
from domain.events import (
    DomainEvent,
    ProcessKind,
    ReminderSent,
    ResponseReceived,
    ReviewConcluded,
    ReviewOpened,
    ReviewOutcome,
    ReviewSignatoryRemoved,
    VariationAgreed,
    VariationProposed,
    VariationRefused,
)
from domain.rules.date_policy import not_after_today
from domain.rules.dates import next_review_due
from domain.rules.thresholds import unanimity
from domain.text import Name, Text


class Response(BaseModel):
    """A signatory's answer to the review."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    received_on: date
    confirms_unchanged: bool


class ReviewState(BaseModel):
    """One MoU review as its events make it."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    status: Literal["not_opened", "open", "concluded"] = "not_opened"
    review_id: str | None = None
    signatories: tuple[str, ...] = ()
    opened_on: date | None = None
    due_on: date | None = None
    response_deadline: date | None = None
    mou_version: int = 0
    responses: tuple[Response, ...] = ()
    variation_id: str | None = None
    variation_summary: str = ""
    agreed: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    last_reminder_on: date | None = None
    outcome: ReviewOutcome | None = None
    concluded_on: date | None = None
    next_review_due_on: date | None = None

    def response(self, organisation: str) -> Response | None:
        """`organisation`'s response, if it has responded."""
        return next((r for r in self.responses if r.organisation == organisation), None)

    @property
    def awaiting(self) -> tuple[str, ...]:
        """Signatories still owing something: a response or, once a variation is before them,
        their written agreement or refusal of it (which is then their answer to the review)."""
        if self.variation_id is not None:
            decided = set(self.agreed) | set(self.refused)
            return tuple(s for s in self.signatories if s not in decided)
        answered = {r.organisation for r in self.responses}
        return tuple(s for s in self.signatories if s not in answered)

    @property
    def settled(self) -> bool:
        """Whether the outcome is known before the deadline: nothing is owed, or a refusal has
        already defeated the variation (CDCP MoU §25: it needs every signatory's agreement)."""
        return self.status == "open" and (bool(self.refused) or not self.awaiting)


def initial_state(partnership: str) -> ReviewState:
    """A review not yet opened."""
    return ReviewState(partnership=partnership)


def response_deadline_for(opened_on: date, response_days: int) -> date:
    """The date by which signatories answer a review opened on `opened_on` (P1 policy)."""
    return opened_on + timedelta(days=response_days)


def variation_id_of(review_id: str) -> str:
    """A review has at most one variation before its signatories; its id follows the review's."""
    return f"{review_id}-variation"


def next_reminder_on(state: ReviewState, interval_days: int) -> date | None:
    """When the next round of reminders is due: every `interval_days` after the review opened
    (P1 policy: weekly), up to and including the response deadline, never after it."""
    if state.status != "open" or state.opened_on is None or state.response_deadline is None:
        return None
    due = (state.last_reminder_on or state.opened_on) + timedelta(days=interval_days)
    return due if due <= state.response_deadline else None


class OpenReview(BaseModel):
    """Open a review; `signatories` are the partnership's signatories at opening."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["OpenReview"] = "OpenReview"
    review_id: Name = Field(min_length=1)
    opened_on: date
    due_on: date
    response_deadline: date
    mou_version: int = Field(ge=1)
    signatories: tuple[Name, ...]


class RecordResponse(BaseModel):
    """A signatory's response: confirming the MoU unchanged or not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordResponse"] = "RecordResponse"
    organisation: Name
    received_on: date
    confirms_unchanged: bool
    comment: Text = ""
    today: date | None = None


class ProposeVariation(BaseModel):
    """Put a variation of the MoU to every signatory (CDCP MoU §25); decide names it after the
    review (`variation_id_of`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ProposeVariation"] = "ProposeVariation"
    proposed_by: Name
    summary: Text = Field(min_length=1)
    proposed_on: date
    today: date | None = None


class AgreeVariation(BaseModel):
    """A signatory's written agreement to the variation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["AgreeVariation"] = "AgreeVariation"
    variation_id: Name
    organisation: Name
    agreed_on: date
    today: date | None = None


class RefuseVariation(BaseModel):
    """A signatory's refusal of the variation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RefuseVariation"] = "RefuseVariation"
    variation_id: Name
    organisation: Name
    refused_on: date
    today: date | None = None
    reason: Text = ""


class SendReviewReminder(BaseModel):
    """Remind a signatory that still owes a response (P1 policy: weekly)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["SendReviewReminder"] = "SendReviewReminder"
    organisation: Name
    sent_on: date


class RemoveSignatory(BaseModel):
    """A signatory left the partnership during the review (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RemoveSignatory"] = "RemoveSignatory"
    organisation: Name
    left_on: date


class ConcludeReview(BaseModel):
    """Conclude the review: at the deadline, or earlier once nothing is outstanding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ConcludeReview"] = "ConcludeReview"
    concluded_on: date


ReviewCommand = (
    OpenReview
    | RecordResponse
    | ProposeVariation
    | AgreeVariation
    | RefuseVariation
    | SendReviewReminder
    | RemoveSignatory
    | ConcludeReview
)


def decide(state: ReviewState, command: ReviewCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, OpenReview):
        return _open(state, command)
    review_id = _require_open(state)
    match command:
        case RecordResponse():
            _require_signatory(state, command.organisation)
            _require_in_time(state, command.received_on, "a response", command.today)
            if previous := state.response(command.organisation):
                raise DomainError(
                    f"{command.organisation} has already responded to review {review_id} "
                    f"(on {previous.received_on.isoformat()})"
                )
            return [
                ResponseReceived(
                    partnership=state.partnership,
                    review_id=review_id,
                    organisation=command.organisation,
                    received_on=command.received_on,
                    confirms_unchanged=command.confirms_unchanged,
                    comment=command.comment,
                )
            ]
        case ProposeVariation():
            _require_signatory(state, command.proposed_by)
            _require_in_time(state, command.proposed_on, "a variation", command.today)
            if state.variation_id is not None:
                raise DomainError(
                    f"variation {state.variation_id} is already before the signatories of "
                    f"review {review_id}; conclude this review before proposing another"
                )
            return [
                VariationProposed(
                    partnership=state.partnership,
                    review_id=review_id,
                    variation_id=variation_id_of(review_id),
                    proposed_by=command.proposed_by,
                    summary=command.summary,
                    proposed_on=command.proposed_on,
                )
            ]
        case AgreeVariation():
            _require_decision_on_variation(state, command.variation_id, command.organisation)
            # CDCP MoU §25, MSE MoU 2020 §10.1: agreement must be given before the response
            # deadline.
            _require_in_time(state, command.agreed_on, "an agreement", command.today)
            return [
                VariationAgreed(
                    partnership=state.partnership,
                    review_id=review_id,
                    variation_id=command.variation_id,
                    organisation=command.organisation,
                    agreed_on=command.agreed_on,
                )
            ]
        case RefuseVariation():
            _require_decision_on_variation(state, command.variation_id, command.organisation)
            _require_in_time(state, command.refused_on, "a refusal", command.today)
            return [
                VariationRefused(
                    partnership=state.partnership,
                    review_id=review_id,
                    variation_id=command.variation_id,
                    organisation=command.organisation,
                    refused_on=command.refused_on,
                    reason=command.reason,
                )
            ]
        case SendReviewReminder():
            _require_signatory(state, command.organisation)
            if command.organisation not in state.awaiting:
                raise DomainError(
                    f"{command.organisation} owes nothing on review {review_id}; "
                    f"no reminder is needed"
                )
            assert state.response_deadline is not None
            return [
                ReminderSent(
                    partnership=state.partnership,
                    process=ProcessKind.REVIEW,
                    process_id=review_id,
                    organisation=command.organisation,
                    sent_on=command.sent_on,
                    deadline=state.response_deadline,
                )
            ]
        case RemoveSignatory():
            _require_signatory(state, command.organisation)
            if state.signatories == (command.organisation,):
                raise DomainError(
                    f"{command.organisation} is the last signatory of review {review_id}; "
                    f"the review cannot continue without signatories"
                )
            return [
                ReviewSignatoryRemoved(
                    partnership=state.partnership,
                    review_id=review_id,
                    organisation=command.organisation,
                    left_on=command.left_on,
                )
            ]
        case ConcludeReview():
            return [_conclude(state, review_id, command.concluded_on)]


def _open(state: ReviewState, command: OpenReview) -> list[DomainEvent]:
    if state.status != "not_opened":
        raise DomainError(f"review {state.review_id} has already been opened")
    if not command.signatories:
        raise DomainError("a review needs the signatories who are to respond")
    if command.response_deadline < command.opened_on:
        raise DomainError(
            f"the response deadline {command.response_deadline.isoformat()} is before the "
            f"review opens on {command.opened_on.isoformat()}"
        )
    return [
        ReviewOpened(
            partnership=state.partnership,
            review_id=command.review_id,
            opened_on=command.opened_on,
            due_on=command.due_on,
            response_deadline=command.response_deadline,
            mou_version=command.mou_version,
            signatories=command.signatories,
        )
    ]


def _require_open(state: ReviewState) -> str:
    if state.status == "not_opened" or state.review_id is None:
        raise DomainError("the review has not been opened")
    if state.status == "concluded":
        assert state.concluded_on is not None
        raise DomainError(
            f"review {state.review_id} concluded on {state.concluded_on.isoformat()}; "
            f"nothing more can be recorded on it"
        )
    return state.review_id


def _require_signatory(state: ReviewState, organisation: str) -> None:
    if organisation not in state.signatories:
        raise DomainError(
            f"{organisation} is not a signatory asked to respond to review {state.review_id}; "
            f"the signatories are: {', '.join(state.signatories)}"
        )


def _require_not_before_opening(state: ReviewState, on: date, what: str) -> None:
    assert state.opened_on is not None
    if on < state.opened_on:
        raise DomainError(
            f"{what} dated {on.isoformat()} is before review {state.review_id} opened "
            f"on {state.opened_on.isoformat()}"
        )


def _require_in_time(state: ReviewState, on: date, what: str, today: date | None) -> None:
    _require_not_before_opening(state, on, what)
    assert state.response_deadline is not None
    if on > state.response_deadline:
        raise DomainError(
            f"{what} dated {on.isoformat()} is after the response deadline "
            f"{state.response_deadline.isoformat()} of review {state.review_id}"
        )
    not_after_today(what, on, today)


def _require_decision_on_variation(state: ReviewState, variation_id: str, org: str) -> None:
    _require_signatory(state, org)
    if state.variation_id != variation_id:
        current = state.variation_id or "none"
        raise DomainError(
            f"variation {variation_id} is not before the signatories of review "
            f"{state.review_id} (current variation: {current})"
        )
    if org in state.agreed or org in state.refused:
        already = "agreed to" if org in state.agreed else "refused"
        raise DomainError(f"{org} has already {already} variation {variation_id}")


def _conclude(state: ReviewState, review_id: str, concluded_on: date) -> ReviewConcluded:
    assert state.response_deadline is not None and state.opened_on is not None
    _require_not_before_opening(state, concluded_on, "the conclusion")
    awaiting = state.awaiting
    if concluded_on < state.response_deadline and not state.settled:
        raise DomainError(
            f"review {review_id} cannot conclude before its response deadline "
            f"{state.response_deadline.isoformat()} while {', '.join(awaiting)} "
            f"still owe a response"
        )
    not_responded = tuple(s for s in state.signatories if state.response(s) is None)
    not_agreed: tuple[str, ...] = ()
    if state.variation_id is None:
        outcome = ReviewOutcome.CONFIRMED_UNCHANGED
    else:
        # CDCP MoU §25 / MSE MoU 2020 §10.1: adopted only by written agreement of all signatories.
        vote = unanimity(state.signatories, state.agreed, state.refused)
        outcome = ReviewOutcome.VARIED if vote.carried else ReviewOutcome.LAPSED
        not_agreed = tuple(s for s in state.signatories if s not in state.agreed)
    return ReviewConcluded(
        partnership=state.partnership,
        review_id=review_id,
        outcome=outcome,
        concluded_on=concluded_on,
        next_review_due_on=next_review_due(concluded_on),
        variation_id=state.variation_id,
        not_agreed_by=not_agreed,
        not_responded=not_responded,
    )


def evolve(state: ReviewState, event: DomainEvent) -> ReviewState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case ReviewOpened():
            return state.model_copy(
                update={
                    "status": "open",
                    "review_id": event.review_id,
                    "signatories": event.signatories,
                    "opened_on": event.opened_on,
                    "due_on": event.due_on,
                    "response_deadline": event.response_deadline,
                    "mou_version": event.mou_version,
                }
            )
        case ResponseReceived():
            response = Response(
                organisation=event.organisation,
                received_on=event.received_on,
                confirms_unchanged=event.confirms_unchanged,
            )
            return state.model_copy(update={"responses": (*state.responses, response)})
        case VariationProposed():
            return state.model_copy(
                update={"variation_id": event.variation_id, "variation_summary": event.summary}
            )
        case VariationAgreed():
            return state.model_copy(update={"agreed": (*state.agreed, event.organisation)})
        case VariationRefused():
            return state.model_copy(update={"refused": (*state.refused, event.organisation)})
        case ReminderSent(process=ProcessKind.REVIEW) if event.process_id == state.review_id:
            return state.model_copy(update={"last_reminder_on": event.sent_on})
        case ReviewSignatoryRemoved():
            # Whatever the leaver said no longer binds the partners who remain.
            def remaining(orgs: tuple[str, ...]) -> tuple[str, ...]:
                return tuple(o for o in orgs if o != event.organisation)

            return state.model_copy(
                update={
                    "signatories": remaining(state.signatories),
                    "agreed": remaining(state.agreed),
                    "refused": remaining(state.refused),
                    "left": (*state.left, event.organisation),
                }
            )
        case ReviewConcluded():
            return state.model_copy(
                update={
                    "status": "concluded",
                    "outcome": event.outcome,
                    "concluded_on": event.concluded_on,
                    "next_review_due_on": event.next_review_due_on,
                }
            )
        case _:
            return state


def fold(state: ReviewState, events: Iterable[DomainEvent]) -> ReviewState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)
