"""One annual MoU review: the one writer of its stream (docs/rules.md P1).

CDCP MoU §24 (reviewed at least annually; MSE MoU 2020 §1.5): every current
signatory is asked in writing to respond by the response deadline, with reminders on the policy
interval to those who still owe an answer. MoU §25 and MSE MoU 2020 §10.1: a proposed variation is
circulated to every signatory and is adopted only by the written agreement of all of them before
the deadline; one refusal, or one agreement missing at the deadline, and the MoU stands unchanged.
A signatory that leaves during the review (CDCP MoU §27) is no longer asked or counted.

The partnership workflow starts this one as a child (and only it may) and records its result.
Outcomes, deadlines and reminder dates all come from `domain.aggregates.review`.
"""

import functools
from datetime import datetime

from temporalio import workflow

from domain.aggregates import review
from domain.aggregates.review import (
    ConcludeReview,
    OpenReview,
    RemoveSignatory,
    ReviewCommand,
    ReviewState,
    SendReviewReminder,
    fold,
    initial_state,
    next_reminder_on,
)
from domain.errors import DomainError
from domain.events import DomainEvent, ReviewOutcome
from domain.letters.review import notices_for
from domain.partnership import Partnership
from domain.provenance import system_actor
from workflows.clock import end_of, start_of, today
from workflows.contracts.process import Command
from workflows.contracts.review import ReviewInput, ReviewResult, ReviewUpdate, SignatoryLeft
from workflows.process import Process

PROCESS = "review"
REMINDER_ACTOR = system_actor("timer:review-reminder")
DEADLINE_ACTOR = system_actor("timer:review-deadline")


def decide(config: Partnership, state: ReviewState, command: ReviewCommand) -> list[DomainEvent]:
    """The aggregate's decision with the written notices its events call for (P1). A review
    opens only with the partnership's own organisations; a command that settles the review
    (every answer in, or a refusal defeating the variation) concludes it in the same append, on
    the workflow's date, so no run can stop between the two."""
    if isinstance(command, OpenReview):
        for organisation in command.signatories:
            config.organisation(organisation)
    events = review.decide(state, command)
    if fold(state, events).settled:
        events += review.decide(fold(state, events), ConcludeReview(concluded_on=today()))
    with_notices: list[DomainEvent] = []
    for event in events:
        state = review.evolve(state, event)
        with_notices += [event, *notices_for(config, state, event)]
    return with_notices


def status_of(state: ReviewState) -> str:
    """The STATUS search attribute staff filter on."""
    if state.status == "not_opened":
        return "opening"
    if state.status == "concluded":
        return "concluded"
    if state.variation_id is not None:
        return "awaiting-agreement"
    return "awaiting-responses"


@workflow.defn(name="Review")
class ReviewWorkflow:
    @workflow.init
    def __init__(self, input: ReviewInput) -> None:
        self._interval = input.config.review_policy.reminder_interval_days
        self._decide = functools.partial(decide, input.config)
        self._p = Process[ReviewState, ReviewCommand](
            input,
            kind=PROCESS,
            stream_id=input.process_id,
            initial=initial_state(input.config.slug),
            decide=self._decide,
            fold=fold,
            status=status_of,
            deadline=self._next_deadline,
        )

    @workflow.run
    async def run(self, input: ReviewInput) -> ReviewResult:
        await self._p.begin(input, input.opening, lambda s: s.status != "not_opened")
        await self._p.run_until(
            lambda s: s.status != "open", self._act_on_due_dates, input, "next review deadline"
        )
        return self._result()

    # ---------------------------------------------------------------- queries

    @workflow.query
    def state(self) -> ReviewState:
        return self._p.state

    @workflow.query
    def awaiting(self) -> tuple[str, ...]:
        """Signatories who owe a response or, with a variation, an agreement or refusal."""
        return self._p.state.awaiting if self._p.state.status == "open" else ()

    # ---------------------------------------------------------------- commands

    @workflow.update
    async def execute(self, command: Command[ReviewUpdate]) -> ReviewState:
        """The review as the command left it: staff see every answer in and who is awaited."""
        await self._p.execute(command)
        return self._p.state

    @execute.validator
    def _validate_execute(self, command: Command[ReviewUpdate]) -> None:
        self._p.validate(command)

    @workflow.signal
    async def signatory_left(self, notice: SignatoryLeft) -> None:
        """A signal, not an update: the exit has taken effect and cannot be refused here. An
        organisation that is not (or no longer) asked in this review is ignored."""
        await workflow.wait_condition(lambda: self._p.ready)
        command = RemoveSignatory(organisation=notice.organisation, left_on=notice.left_on)

        def decision() -> list[DomainEvent]:
            try:
                return self._decide(self._p.state, command)
            except DomainError as error:
                workflow.logger.info("signatory_left ignored: %s", error)
                return []

        async with self._p.lock:
            await self._p.settle(decision, notice.actor)

    # ---------------------------------------------------------------- timers

    async def _act_on_due_dates(self) -> None:
        """At the end of the response deadline the review concludes; before it, a round of
        reminders falls due on the policy interval (P1)."""
        async with self._p.lock:
            state = self._p.state
            if state.status != "open":
                return
            assert state.response_deadline is not None
            if workflow.now() >= end_of(state.response_deadline):
                concluded = self._p.decide(ConcludeReview(concluded_on=today()))
                await self._p.record(concluded, DEADLINE_ACTOR)
                return
            reminder_on = next_reminder_on(state, self._interval)
            if reminder_on is None or today() < reminder_on:
                return
            reminders = [
                event
                for organisation in state.awaiting
                for event in self._p.decide(
                    SendReviewReminder(organisation=organisation, sent_on=today())
                )
            ]
            await self._p.record(reminders, REMINDER_ACTOR)

    def _next_deadline(self, state: ReviewState) -> datetime | None:
        """The next reminder round, else the end of the response deadline."""
        if state.status != "open" or state.response_deadline is None:
            return None
        reminder_on = next_reminder_on(state, self._interval)
        if reminder_on is not None:
            return start_of(reminder_on)
        return end_of(state.response_deadline)

    def _result(self) -> ReviewResult:
        state = self._p.state
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
