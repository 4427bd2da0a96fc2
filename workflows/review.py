"""One annual MoU review: the one writer of its stream (docs/rules.md P1).

CDCP MoU §24 (reviewed at least annually; MSE MoU 2020 §1.5): every current
signatory is asked in writing to respond by the response deadline, with reminders on the policy
interval to those who still owe an answer. MoU §25 and MSE MoU 2020 §10.1: a proposed variation is
circulated to every signatory and is adopted only by the written agreement of all of them before
the deadline; one refusal, or one agreement missing at the deadline, and the MoU stands unchanged.
A signatory that leaves during the review (CDCP MoU §27) is no longer asked or counted.

The partnership workflow starts this one as a child and records its result; staff may also start
it directly. Outcomes, deadlines and reminder dates all come from `domain.aggregates.review`.
"""

import asyncio
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.aggregates.review import (
    AgreeVariation,
    ConcludeReview,
    OpenReview,
    ProposeVariation,
    RecordResponse,
    RefuseVariation,
    RemoveSignatory,
    ReviewCommand,
    ReviewState,
    SendReviewReminder,
    decide,
    evolve,
    initial_state,
    next_reminder_on,
    response_deadline_for,
)
from domain.errors import DomainError
from domain.events import DomainEvent, NoticeIssued, ReviewOutcome
from domain.letters.review import notices_for
from domain.partnership import Partnership
from workflows import search_attributes
from workflows.clock import end_of, start_of, today, until
from workflows.ids import review_workflow_id
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "review"
REMINDER_ACTOR = "timer:review-reminder"
DEADLINE_ACTOR = "timer:review-deadline"


class ReviewCarried(BaseModel):
    """What a run hands to the next across continue-as-new: the fold so far and its stream."""

    model_config = ConfigDict(frozen=True)

    state: ReviewState
    stream: Stream


class ReviewInput(BaseModel):
    """The configuration is part of the input, so a replay sees the partnership as it was then."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    review_id: str = Field(min_length=1)
    due_on: date
    opened_on: date
    mou_version: int = Field(ge=1)
    signatories: tuple[str, ...] = Field(description="the current signatories, asked to respond")
    actor: str = Field(min_length=1, description="who opened it: a staff user or a timer")
    carried: ReviewCarried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None,
        ge=1,
        description="continue as new once history reaches this length, as well as when "
        "Temporal suggests it (lets tests cross the boundary on purpose)",
    )


class ResponseRequest(BaseModel):
    """A signatory's one written response to the review."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    received_on: date
    confirms_unchanged: bool
    comment: str = ""
    actor: str = Field(min_length=1)

    def command(self) -> RecordResponse:
        return RecordResponse(
            organisation=self.organisation,
            received_on=self.received_on,
            confirms_unchanged=self.confirms_unchanged,
            comment=self.comment,
        )


class VariationRequest(BaseModel):
    """A signatory proposes a variation; it goes in writing to every signatory (§25)."""

    model_config = ConfigDict(frozen=True)

    proposed_by: str
    summary: str = Field(min_length=1)
    proposed_on: date
    actor: str = Field(min_length=1)


class AgreementRequest(BaseModel):
    """A signatory's written agreement to the variation before the signatories."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    variation_id: str
    agreed_on: date
    actor: str = Field(min_length=1)

    def command(self) -> AgreeVariation:
        return AgreeVariation(
            variation_id=self.variation_id, organisation=self.organisation, agreed_on=self.agreed_on
        )


class RefusalRequest(BaseModel):
    """A signatory's written refusal of the variation: it cannot then be adopted."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    variation_id: str
    refused_on: date
    reason: str = ""
    actor: str = Field(min_length=1)

    def command(self) -> RefuseVariation:
        return RefuseVariation(
            variation_id=self.variation_id,
            organisation=self.organisation,
            refused_on=self.refused_on,
            reason=self.reason,
        )


class SignatoryLeft(BaseModel):
    """Sent by the partnership workflow when an exit takes effect (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    left_on: date
    actor: str = Field(default="process:exit", min_length=1)


class ReviewResult(BaseModel):
    """What the partnership workflow records when the review ends."""

    model_config = ConfigDict(frozen=True)

    review_id: str
    outcome: ReviewOutcome
    concluded_on: date
    variation_summary: str | None = None
    next_review_due_on: date


def variation_id_of(review_id: str) -> str:
    """A review has at most one variation before its signatories; its id follows the review's."""
    return f"{review_id}-variation"


def _decide(state: ReviewState, command: ReviewCommand) -> list[DomainEvent]:
    try:
        return decide(state, command)
    except DomainError as error:
        reject(error)


@workflow.defn(name="Review")
class ReviewWorkflow:
    @workflow.init
    def __init__(self, input: ReviewInput) -> None:
        self._input = input
        stream_id = review_workflow_id(input.config.slug, input.review_id)
        carried = input.carried
        self._state = carried.state if carried else initial_state(input.config.slug)
        self._stream = carried.stream if carried else Stream(stream_id=stream_id)
        # Handlers that record interleave at the activity; one at a time decides and records.
        self._lock = asyncio.Lock()
        self._published: tuple[str, datetime | None] | None = None

    @workflow.run
    async def run(self, input: ReviewInput) -> ReviewResult:
        if self._state.status == "not_opened":
            await self._open(input)
        while self._state.status != "concluded":
            if self._continue_as_new_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    input.model_copy(
                        update={"carried": ReviewCarried(state=self._state, stream=self._stream)}
                    )
                )
            moment = self._next_timer()
            assert moment is not None
            self._publish()
            if moment > workflow.now():
                try:
                    await workflow.wait_condition(
                        lambda: self._state.status == "concluded" or self._continue_as_new_due(),
                        timeout=until(moment),
                    )
                    continue
                except TimeoutError:
                    pass
            await self._on_timer()
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._publish()
        return self._result()

    # ---------------------------------------------------------------- queries

    @workflow.query
    def state(self) -> ReviewState:
        return self._state

    @workflow.query
    def awaiting(self) -> tuple[str, ...]:
        """Signatories who owe a response or, with a variation, an agreement or refusal."""
        return self._state.awaiting if self._state.status == "open" else ()

    # ---------------------------------------------------------------- commands

    @workflow.update
    async def respond(self, request: ResponseRequest) -> ReviewState:
        return await self._execute(request.command(), request.actor)

    @respond.validator
    def _validate_respond(self, request: ResponseRequest) -> None:
        _decide(self._state, request.command())

    @workflow.update
    async def propose_variation(self, request: VariationRequest) -> ReviewState:
        return await self._execute(self._proposal(request), request.actor)

    @propose_variation.validator
    def _validate_propose_variation(self, request: VariationRequest) -> None:
        _decide(self._state, self._proposal(request))

    @workflow.update
    async def agree_variation(self, request: AgreementRequest) -> ReviewState:
        return await self._execute(request.command(), request.actor)

    @agree_variation.validator
    def _validate_agree_variation(self, request: AgreementRequest) -> None:
        _decide(self._state, request.command())

    @workflow.update
    async def refuse_variation(self, request: RefusalRequest) -> ReviewState:
        return await self._execute(request.command(), request.actor)

    @refuse_variation.validator
    def _validate_refuse_variation(self, request: RefusalRequest) -> None:
        _decide(self._state, request.command())

    @workflow.signal
    async def signatory_left(self, notice: SignatoryLeft) -> None:
        """A signal, not an update: the exit has taken effect and cannot be refused here. An
        organisation that is not (or no longer) asked in this review is ignored."""
        await workflow.wait_condition(lambda: self._state.status != "not_opened")
        async with self._lock:
            command = RemoveSignatory(organisation=notice.organisation, left_on=notice.left_on)
            try:
                events = decide(self._state, command)
            except DomainError as error:
                workflow.logger.info("signatory_left ignored: %s", error)
                return
            await self._apply(events, notice.actor)
            await self._conclude_if_settled(notice.actor)
            self._publish()

    # ---------------------------------------------------------------- steps

    def _proposal(self, request: VariationRequest) -> ProposeVariation:
        return ProposeVariation(
            variation_id=variation_id_of(self._input.review_id),
            proposed_by=request.proposed_by,
            summary=request.summary,
            proposed_on=request.proposed_on,
        )

    async def _open(self, input: ReviewInput) -> None:
        try:
            for organisation in input.signatories:
                input.config.organisation(organisation)
        except DomainError as error:
            reject(error)
        command = OpenReview(
            review_id=input.review_id,
            opened_on=input.opened_on,
            due_on=input.due_on,
            response_deadline=response_deadline_for(
                input.opened_on, input.config.review_policy.response_days
            ),
            mou_version=input.mou_version,
            signatories=input.signatories,
        )
        async with self._lock:
            await self._apply(_decide(self._state, command), input.actor)
            self._publish()

    async def _execute(self, command: ReviewCommand, actor: str) -> ReviewState:
        async with self._lock:
            # Decided again under the lock: another handler may have changed the state since
            # this one was validated.
            await self._apply(_decide(self._state, command), actor)
            await self._conclude_if_settled(actor)
            self._publish()
        return self._state

    async def _conclude_if_settled(self, actor: str) -> None:
        """Every answer is in, or a refusal has decided it: no need to wait for the deadline."""
        if self._state.settled:
            await self._apply(_decide(self._state, ConcludeReview(concluded_on=today())), actor)

    async def _on_timer(self) -> None:
        async with self._lock:
            if self._state.status != "open":
                return
            assert self._state.response_deadline is not None
            if workflow.now() >= end_of(self._state.response_deadline):
                command = ConcludeReview(concluded_on=today())
                await self._apply(_decide(self._state, command), DEADLINE_ACTOR)
            else:
                reminders: list[DomainEvent] = []
                for organisation in self._state.awaiting:
                    reminder = SendReviewReminder(organisation=organisation, sent_on=today())
                    reminders += _decide(self._state, reminder)
                await self._apply(reminders, REMINDER_ACTOR)

    async def _apply(self, events: list[DomainEvent], actor: str) -> None:
        """Record `events` with the notices they call for, fold them, then deliver the notices."""
        recorded: list[DomainEvent] = []
        state = self._state
        for event in events:
            state = evolve(state, event)
            recorded += [event, *notices_for(self._input.config, state, event)]
        self._stream = await record(self._stream, recorded, actor)
        for event in recorded:
            self._state = evolve(self._state, event)
        notices = [n for n in recorded if isinstance(n, NoticeIssued)]
        if notices:
            self._stream, receipts = await deliver(self._stream, notices, actor)
            for receipt in receipts:
                self._state = evolve(self._state, receipt)

    # ---------------------------------------------------------------- timers and status

    def _next_timer(self) -> datetime | None:
        """The next reminder round, else the end of the response deadline."""
        if self._state.status != "open" or self._state.response_deadline is None:
            return None
        interval = self._input.config.review_policy.reminder_interval_days
        reminder_on = next_reminder_on(self._state, interval)
        if reminder_on is not None:
            return start_of(reminder_on)
        return end_of(self._state.response_deadline)

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        limit = self._input.continue_as_new_after_events
        return info.is_continue_as_new_suggested() or (
            limit is not None and info.get_current_history_length() >= limit
        )

    def _status(self) -> str:
        if self._state.status == "concluded":
            return "concluded"
        if self._state.variation_id is not None:
            return "awaiting-agreement"
        return "awaiting-responses"

    def _publish(self) -> None:
        published = (self._status(), self._next_timer())
        if published == self._published:
            return
        self._published = published
        status, deadline = published
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._input.config.slug),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(status),
                search_attributes.NEXT_DEADLINE.value_set(deadline)
                if deadline is not None
                else search_attributes.NEXT_DEADLINE.value_unset(),
            ]
        )

    def _result(self) -> ReviewResult:
        state = self._state
        assert state.review_id is not None and state.outcome is not None
        assert state.concluded_on is not None and state.next_review_due_on is not None
        return ReviewResult(
            review_id=state.review_id,
            outcome=state.outcome,
            concluded_on=state.concluded_on,
            variation_summary=state.variation_summary
            if state.outcome is ReviewOutcome.VARIED
            else None,
            next_review_due_on=state.next_review_due_on,
        )
