"""One round of declarations of interest for one body's register (P6).

CDCPE ToR §6 and MoU §23: members complete a declaration annually, may update
it at any time, and the register is formally reviewed six-monthly. Temporal Schedules
(`deploy.schedules`) start an "annual" round every April and a "review" round every six months;
this workflow asks each member's organisation in writing, records each declaration returned, and
closes the round at its return date (a durable timer), naming those still outstanding. A review
round ends when staff record the formal review, which sets the next review date. It is the one
writer of the round's stream (`domain.declarations.round_id`).
"""

import asyncio
import functools
from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.declarations import (
    CloseRound,
    DeclarationsCommand,
    DeclarationsState,
    RecordReview,
    RequestDeclarations,
    ReturnDeclaration,
    RoundKind,
    decide,
    fold,
    initial_state,
    round_id,
)
from domain.errors import DomainError
from domain.events import DomainEvent, NoticeIssued
from domain.partnership import Partnership
from workflows import search_attributes
from workflows.clock import end_of, today, until
from workflows.history import continue_as_new_due
from workflows.meeting_cycle import fired_on
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "declarations"
TIMER = "timer:declarations"


class Carried(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: DeclarationsState
    stream: Stream


class DeclarationsInput(BaseModel):
    """`requested_on` is None when a schedule starts the round: it is then the fire date."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    body: str
    kind: RoundKind
    requested_on: date | None = None
    carried: Carried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, ge=10, description="continue as new at this history length (tests)"
    )


class DeclarationReturnedRequest(BaseModel):
    """A member returned or confirmed their declaration (CDCPE ToR §6)."""

    model_config = ConfigDict(frozen=True)

    seat: str
    returned_on: date
    actor: str = Field(min_length=1)


class ReviewRequest(BaseModel):
    """The register had its six-monthly formal review (CDCPE ToR §6)."""

    model_config = ConfigDict(frozen=True)

    reviewed_on: date
    actor: str = Field(min_length=1)


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


@workflow.defn(name="Declarations")
class DeclarationsWorkflow:
    @workflow.init
    def __init__(self, input: DeclarationsInput) -> None:
        if input.carried is not None:
            carried = input.carried
        else:
            requested_on = input.requested_on or fired_on()
            try:
                state = initial_state(input.config, input.body, input.kind)
            except DomainError as error:
                reject(error)
            stream_id = round_id(input.config.slug, input.body, input.kind, requested_on)
            carried = Carried(state=state, stream=Stream(stream_id=stream_id))
        self._state = carried.state
        self._stream = carried.stream
        self._requested_on = input.requested_on or fired_on()
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: DeclarationsInput) -> DeclarationsResult:
        if self._state.status == "new":
            await self._step(RequestDeclarations(on=self._requested_on))
        while self._state.status == "open":
            if continue_as_new_due(input.continue_as_new_after_events):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    input.model_copy(
                        update={"carried": Carried(state=self._state, stream=self._stream)}
                    )
                )
            if self._state.kind == "annual" and not self._state.outstanding:
                await self._step(CloseRound(on=today()))
                break
            assert self._state.return_by is not None
            deadline = end_of(self._state.return_by)
            self._publish(deadline)
            try:
                await workflow.wait_condition(
                    functools.partial(self._moved_on, (self._state.status, self._state.returned)),
                    timeout=until(deadline),
                )
            except TimeoutError:
                await self._step(CloseRound(on=today()))
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._publish(None)
        assert self._state.round_id is not None
        return DeclarationsResult(
            round_id=self._state.round_id,
            kind=self._state.kind,
            outstanding=self._state.outstanding_at_close,
            reviewed_on=self._state.reviewed_on,
            next_review_due_on=self._state.next_review_due_on,
        )

    def _moved_on(self, key: tuple[str, tuple[str, ...]]) -> bool:
        """A declaration came in or the review was recorded: check again."""
        return (self._state.status, self._state.returned) != key

    @workflow.query
    def state(self) -> DeclarationsState:
        return self._state

    @workflow.update
    async def return_declaration(self, request: DeclarationReturnedRequest) -> DeclarationsProgress:
        async with self._lock:
            await self._record(self._decide(self._returned(request)), request.actor)
        return self._progress()

    @return_declaration.validator
    def _validate_return_declaration(self, request: DeclarationReturnedRequest) -> None:
        self._decide(self._returned(request))

    @workflow.update
    async def record_review(self, request: ReviewRequest) -> DeclarationsProgress:
        async with self._lock:
            await self._record(self._decide(self._review(request)), request.actor)
        return self._progress()

    @record_review.validator
    def _validate_record_review(self, request: ReviewRequest) -> None:
        self._decide(self._review(request))

    @staticmethod
    def _returned(request: DeclarationReturnedRequest) -> ReturnDeclaration:
        return ReturnDeclaration(seat=request.seat, returned_on=request.returned_on, today=today())

    @staticmethod
    def _review(request: ReviewRequest) -> RecordReview:
        return RecordReview(reviewed_on=request.reviewed_on, today=today())

    def _progress(self) -> DeclarationsProgress:
        return DeclarationsProgress(status=self._state.status, outstanding=self._state.outstanding)

    def _decide(self, command: DeclarationsCommand) -> list[DomainEvent]:
        try:
            return decide(self._state, command)
        except DomainError as error:
            reject(error)

    async def _step(self, command: DeclarationsCommand) -> None:
        async with self._lock:
            await self._record(decide(self._state, command), TIMER)

    async def _record(self, events: Sequence[DomainEvent], actor: str) -> None:
        """Records, folds, then delivers the notices among `events` and folds their receipts."""
        self._stream = await record(self._stream, list(events), actor)
        self._state = fold(self._state, events)
        notices = [e for e in events if isinstance(e, NoticeIssued)]
        if notices:
            self._stream, receipts = await deliver(self._stream, notices, actor)
            self._state = fold(self._state, receipts)

    def _publish(self, next_deadline: datetime | None) -> None:
        search_attributes.publish(
            self._state.config.slug, PROCESS, self._state.status, next_deadline
        )
