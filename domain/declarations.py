"""Declarations of interest rounds (docs/rules.md P6): one stream per round of one body's register.

CDCPE ToR §6: members "complete a declaration of interest form on an annual
basis, which can be updated at any time, but which will be formally reviewed on a six-monthly
basis"; MoU §23 binds the partners to the same standards. A Temporal Schedule starts an annual
round (everyone completes the form) and a six-monthly review round (everyone confirms or updates
their entries, then the register is formally reviewed and `DeclarationsReviewed` names the next
review, `domain.rules.dates.next_declaration_review`).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.errors import DomainError
from domain.events import (
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
    DeclaredInterest,
    DomainEvent,
    NoticeDelivered,
    NoticeIssued,
    ProcessKind,
)
from domain.letters.meetings import declaration_request
from domain.meetings import FireCalendar
from domain.notices import issue
from domain.partnership import Partnership
from domain.rules.dates import DECLARATION_REVIEW_MONTHS, decision_date, next_declaration_review
from domain.streams import declarations_stream
from domain.text import Name

RoundKind = Literal["annual", "review"]

RETURN_DAYS = 28
"""Policy: members have four weeks to return or confirm their declarations."""

ANNUAL_MONTH = 4
"""Policy: the annual declaration is asked for at the start of the financial year (April)."""

FIRST_REVIEW_MONTH = 5
"""Policy: the register is reviewed in May (after the annual returns) and six months later."""


def round_calendar(kind: RoundKind) -> FireCalendar:
    """When each kind of round starts (CDCPE ToR §6: annual declaration, six-monthly review)."""
    if kind == "annual":
        return FireCalendar(
            months=(ANNUAL_MONTH,),
            day_of_month=1,
            clause="CDCPE ToR §6, CDCP MoU §23",
            comment="annual declaration of interests (CDCPE ToR §6, CDCP MoU §23)",
        )
    return FireCalendar(
        months=tuple(range(FIRST_REVIEW_MONTH, 13, DECLARATION_REVIEW_MONTHS)),
        day_of_month=1,
        clause="CDCPE ToR §6",
        comment="six-monthly review of the register of interests (CDCPE ToR §6)",
    )


def registers(config: Partnership) -> tuple[str, ...]:
    """The bodies of `config` that keep a register of interests (a `register_of_interests` table
    in its configuration: CDCPE ToR §6 gives the CDCPE one)."""
    return tuple(b.slug for b in config.bodies if b.register_of_interests is not None)


def round_id(partnership: str, body: str, kind: RoundKind, requested_on: date) -> str:
    """The round's stream and notice prefix (`domain.streams.declarations_stream`)."""
    return declarations_stream(partnership, body, kind, requested_on)


class DeclarationsState(BaseModel):
    """One round of one body's declarations as its events make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    body: str
    kind: RoundKind
    status: Literal["new", "open", "closed"] = "new"
    round_id: str | None = None
    requested_on: date | None = None
    return_by: date | None = None
    seats: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()
    reviewed_on: date | None = None
    next_review_due_on: date | None = None
    closed_on: date | None = None
    outstanding_at_close: tuple[str, ...] = ()
    notices_issued: tuple[str, ...] = ()
    notices_delivered: tuple[str, ...] = ()

    @property
    def outstanding(self) -> tuple[str, ...]:
        return tuple(s for s in self.seats if s not in self.returned)


def initial_state(config: Partnership, body: str, kind: RoundKind) -> DeclarationsState:
    """Refuses a body that keeps no register of interests."""
    config.body(body)
    if body not in registers(config):
        raise DomainError(f"{body} of {config.slug} keeps no register of interests")
    return DeclarationsState(config=config, body=body, kind=kind)


class RequestDeclarations(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RequestDeclarations"] = "RequestDeclarations"
    on: date


class ReturnDeclaration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["ReturnDeclaration"] = "ReturnDeclaration"
    seat: Name
    returned_on: date
    interests: tuple[DeclaredInterest, ...] = Field(default=(), max_length=50)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class UpdateDeclaration(BaseModel):
    """A member changes the interests they returned in this round (CDCPE ToR §6: "can be
    updated at any time")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["UpdateDeclaration"] = "UpdateDeclaration"
    seat: Name
    updated_on: date
    interests: tuple[DeclaredInterest, ...] = Field(default=(), max_length=50)
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class RecordReview(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["RecordReview"] = "RecordReview"
    reviewed_on: date
    today: date | None = None
    """The date the workflow decides on: set by the workflow from its clock, whatever the caller
    sent."""


class CloseRound(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["CloseRound"] = "CloseRound"
    on: date


DeclarationsCommand = (
    RequestDeclarations | ReturnDeclaration | UpdateDeclaration | RecordReview | CloseRound
)


def decide(state: DeclarationsState, command: DeclarationsCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why the rules refuse it."""
    match command:
        case RequestDeclarations():
            return _request(state, command)
        case ReturnDeclaration():
            return _return(state, command)
        case UpdateDeclaration():
            return _update(state, command)
        case RecordReview():
            return _review(state, command)
        case CloseRound():
            _require_open(state)
            return [_closed(state, command.on)]


def _require_open(state: DeclarationsState) -> None:
    if state.status != "open":
        raise DomainError(f"the declarations round of {state.body} is {state.status}")


def _closed(state: DeclarationsState, on: date) -> DeclarationsRoundClosed:
    assert state.round_id is not None
    return DeclarationsRoundClosed(
        partnership=state.config.slug,
        body=state.body,
        round_id=state.round_id,
        closed_on=on,
        outstanding=state.outstanding,
    )


def _request(state: DeclarationsState, command: RequestDeclarations) -> list[DomainEvent]:
    if state.status != "new":
        raise DomainError(f"the declarations of {state.body} were already requested")
    body = state.config.body(state.body)
    rid = round_id(state.config.slug, state.body, state.kind, command.on)
    return_by = command.on + timedelta(days=RETURN_DAYS)
    # "All members and those in attendance" (CDCPE ToR §6): every seat, voting or not.
    seats = tuple(m.seat for m in body.members)
    requested = DeclarationsRequested(
        partnership=state.config.slug,
        body=state.body,
        round_id=rid,
        kind=state.kind,
        requested_on=command.on,
        return_by=return_by,
        seats=seats,
    )
    by_recipient: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for member in body.members:
        recipient = member.organisation or member.seat
        by_recipient.setdefault(recipient, []).append(member.role)
        names[recipient] = (
            state.config.organisation(member.organisation).name
            if member.organisation is not None
            else member.role
        )
    notices = [
        issue(
            declaration_request(
                state.config,
                round_id=rid,
                kind=state.kind,
                body=body.slug,
                recipient=recipient,
                recipient_name=names[recipient],
                seats=tuple(held),
                sent_on=command.on,
                return_by=return_by,
            ),
            partnership=state.config.slug,
            process=ProcessKind.DECLARATIONS,
            process_id=rid,
            issued_on=command.on,
            respond_by=return_by,
        )
        for recipient, held in by_recipient.items()
    ]
    return [requested, *notices]


def _return(state: DeclarationsState, command: ReturnDeclaration) -> list[DomainEvent]:
    today = decision_date(command.today)
    _require_open(state)
    assert state.round_id is not None and state.requested_on is not None
    if command.seat not in state.seats:
        raise DomainError(f"{command.seat!r} is not a seat of {state.body}")
    if command.seat in state.returned:
        raise DomainError(f"{command.seat} has already returned a declaration in this round")
    if not state.requested_on <= command.returned_on <= today:
        raise DomainError(
            f"a declaration returned on {command.returned_on} must be dated between the request "
            f"({state.requested_on}) and today ({today})"
        )
    return [
        DeclarationReturned(
            partnership=state.config.slug,
            body=state.body,
            round_id=state.round_id,
            seat=command.seat,
            returned_on=command.returned_on,
            interests=command.interests,
        )
    ]


def _update(state: DeclarationsState, command: UpdateDeclaration) -> list[DomainEvent]:
    """Replaces a member's entries, once they have returned in this open round (P6.4)."""
    today = decision_date(command.today)
    _require_open(state)
    assert state.round_id is not None
    if command.seat not in state.returned:
        raise DomainError(
            f"{command.seat} has returned no declaration in this round to update; return one"
        )
    assert state.requested_on is not None
    if not state.requested_on <= command.updated_on <= today:
        raise DomainError(
            f"an update on {command.updated_on} must be dated between the request "
            f"({state.requested_on}) and today ({today})"
        )
    return [
        DeclarationReturned(
            partnership=state.config.slug,
            body=state.body,
            round_id=state.round_id,
            seat=command.seat,
            returned_on=command.updated_on,
            interests=command.interests,
            update=True,
        )
    ]


def _review(state: DeclarationsState, command: RecordReview) -> list[DomainEvent]:
    today = decision_date(command.today)
    _require_open(state)
    assert state.requested_on is not None
    if state.kind != "review":
        raise DomainError("the annual declaration round has no formal review (CDCPE ToR §6)")
    if not state.requested_on <= command.reviewed_on <= today:
        raise DomainError(
            f"a review on {command.reviewed_on} must be dated between the request "
            f"({state.requested_on}) and today ({today})"
        )
    reviewed = DeclarationsReviewed(
        partnership=state.config.slug,
        body=state.body,
        reviewed_on=command.reviewed_on,
        next_review_due_on=next_declaration_review(command.reviewed_on),
    )
    return [reviewed, _closed(state, command.reviewed_on)]


def evolve(state: DeclarationsState, event: DomainEvent) -> DeclarationsState:
    """The state after `event`; events of other streams or processes leave it unchanged."""
    match event:
        case DeclarationsRequested():
            return state.model_copy(
                update={
                    "status": "open",
                    "round_id": event.round_id,
                    "requested_on": event.requested_on,
                    "return_by": event.return_by,
                    "seats": event.seats,
                }
            )
        case DeclarationReturned(update=False):
            return state.model_copy(update={"returned": (*state.returned, event.seat)})
        case DeclarationsReviewed():
            return state.model_copy(
                update={
                    "reviewed_on": event.reviewed_on,
                    "next_review_due_on": event.next_review_due_on,
                }
            )
        case DeclarationsRoundClosed():
            return state.model_copy(
                update={
                    "status": "closed",
                    "closed_on": event.closed_on,
                    "outstanding_at_close": event.outstanding,
                }
            )
        case NoticeIssued(process=ProcessKind.DECLARATIONS):
            return state.model_copy(
                update={"notices_issued": (*state.notices_issued, event.notice_id)}
            )
        case NoticeDelivered(process=ProcessKind.DECLARATIONS):
            return state.model_copy(
                update={"notices_delivered": (*state.notices_delivered, event.notice_id)}
            )
        case _:
            return state


def fold(state: DeclarationsState, events: Iterable[DomainEvent]) -> DeclarationsState:
    return fold_with(evolve, state, events)
