"""The partnership's own workflow: the one writer of its stream, for as long as it exists.

It collects every signatory's counterpart of the MoU; the MoU is effective only when each partner
has executed one (MSE MoU 2020 §15.3) and commences on the date of signature (CDCP MoU §24). It
then keeps the review due date: a timer opens the annual review a lead time before it (P1
policy), and staff may open it sooner. It starts the partnership's processes (reviews, exits, a
committee's formation, escalations) as child workflows on streams of their own, recording each
start and end in its own stream, and records what their results mean for the membership, the MoU
version, the bodies and the review date (CDCP MoU §24, §25, §27). Started again on a stream that
has events (after a termination, or with Temporal's database lost) it rebuilds itself from the
log and carries on the processes the log says are open.
"""

import asyncio
import functools
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError, WorkflowAlreadyStartedError

from activities.contracts import ENSURE_SCHEDULES, HOW_IT_ENDED, EnsureSchedules, HowItEnded
from domain.aggregates.escalation import RaiseEscalation
from domain.aggregates.exit_commands import NotifyExit
from domain.aggregates.partnership import (
    EndMembership,
    EndProcess,
    EstablishBody,
    PartnershipCommand,
    PartnershipState,
    ProcessRecord,
    RecordReviewOutcome,
    RequestReview,
    decide,
    fold,
    initial_state,
)
from domain.errors import DomainError
from domain.events import Abandonment, DomainEvent, ProcessKind
from domain.provenance import Actor, Channel, system_actor
from domain.rules.date_policy import require_reason_if_late
from domain.rules.dates import review_opens_on
from domain.streams import partnership_stream
from workflows.child_config import only_what_it_reads, what_it_needed
from workflows.clock import start_of, today, until
from workflows.contracts.committee import CommitteeInput, CommitteeResult
from workflows.contracts.escalation import EscalationInput, EscalationResult
from workflows.contracts.exit import ExitInput, ExitResult
from workflows.contracts.partnership import (
    PartnershipInput,
    PartnershipProgress,
    PartnershipUpdate,
    ProcessStart,
    Started,
)
from workflows.contracts.process import Command
from workflows.contracts.review import ReviewInput, ReviewResult, SignatoryLeft
from workflows.launches import ChildInput, Launch, launch, resume
from workflows.process import Process
from workflows.recording import STORE_RETRY, reject

# The children's workflow classes are the worker's own: a partnership's run only names their
# workflows, and each child's run imports its own module afresh. Imported here, every
# partnership's run would import every child's module again (bench/scale.py).
with workflow.unsafe.imports_passed_through():
    from workflows.committee import CommitteeWorkflow
    from workflows.escalation import EscalationWorkflow
    from workflows.exit import ExitWorkflow
    from workflows.review import ReviewWorkflow

PROCESS = "partnership"

ChildResult = ExitResult | ReviewResult | CommitteeResult | EscalationResult
REVIEW_TIMER = system_actor("timer:annual-review")
ABANDONED_SAY_HOW = "abandoned-processes-say-how"
"""The patch from which a process ended from outside is recorded as abandoned, with how, by
whom and why (R11); a history from before replays recording only that it ended."""


CHILDREN_GET_WHAT_THEY_NEED = "children-get-what-they-need"
"""The patch from which a review's and an exit's inputs leave out parts of the configuration
they never read (`child_config.what_it_needed`); a history from before replays with the whole of
it."""

CHILDREN_GET_ONLY_WHAT_THEY_READ = "children-get-only-what-they-read"
"""The patch from which every child's input carries only what its process reads of the
configuration (`child_config.only_what_it_reads`); a history from before replays with what
`CHILDREN_GET_WHAT_THEY_NEED` gave, or the whole configuration."""


SCHEDULES_WITH_THE_PARTNERSHIP = "schedules-with-the-partnership"
"""The patch from which a partnership's workflow, when it starts, makes its meetings' and
declarations' schedules (P5, P6): they exist for started partnerships only. A history from before
replays without them."""


@workflow.defn(name="Partnership")
class PartnershipWorkflow:
    @workflow.init
    def __init__(self, input: PartnershipInput) -> None:
        self._p = Process[PartnershipState, PartnershipCommand](
            input,
            kind=PROCESS,
            stream_id=partnership_stream(input.config.slug),
            initial=initial_state(input.config),
            decide=decide,
            fold=fold,
            status=_status,
            deadline=_review_opens_at,
        )
        # The processes whose workflows this run has started, each followed to its result and
        # its end recorded; continue-as-new waits until none is left.
        self._children: dict[str, asyncio.Task[None]] = {}
        self._failures: list[BaseException] = []
        self._review_asked_by: Actor | None = None

    @workflow.run
    async def run(self, input: PartnershipInput) -> PartnershipState:
        await self._p.load()
        for record in self._p.state.open_processes:
            await self._resume(record)
        # A run continued as new carries on the config its first run made the schedules from.
        if input.carried is None and workflow.patched(SCHEDULES_WITH_THE_PARTNERSHIP):
            await workflow.execute_activity(
                ENSURE_SCHEDULES,
                EnsureSchedules(partnership=input.config.slug, config=input.config),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=STORE_RETRY,
            )
        while True:
            if self._failures:
                raise self._failures[0]
            if self._may_continue_as_new():
                await self._p.continue_as_new(input)
            state = self._p.state
            if not state.is_effective:
                await workflow.wait_condition(
                    lambda: (
                        self._p.state.is_effective
                        or self._may_continue_as_new()
                        or bool(self._failures)
                    )
                )
                continue
            assert state.review_due_on is not None
            opens_at = _review_opens_at(state)
            try:
                await workflow.wait_condition(
                    functools.partial(self._review_timer_reset, state.review_due_on),
                    timeout=None if opens_at is None else until(opens_at),
                )
                fired = False
            except TimeoutError:
                fired = True
            asked_by, self._review_asked_by = self._review_asked_by, None
            if (fired or asked_by) and self._p.state.open_process(ProcessKind.REVIEW) is None:
                await self._start(RequestReview(), asked_by or REVIEW_TIMER)

    def _review_timer_reset(self, due_on: date) -> bool:
        """Staff asked for the review, its due date moved (an exit, a concluded review), or it
        is time to continue as new: the timer is set again either way."""
        return (
            self._review_asked_by is not None
            or self._p.state.review_due_on != due_on
            or self._may_continue_as_new()
            or bool(self._failures)
        )

    def _may_continue_as_new(self) -> bool:
        # Never while a child runs: its result must come back to this run (P1, P2).
        return (
            self._p.should_continue_as_new()
            and not self._children
            and workflow.all_handlers_finished()
        )

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> PartnershipState:
        return self._p.state

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def execute(self, command: Command[PartnershipUpdate]) -> PartnershipProgress:
        """A signature (P1): the MoU takes effect with the last one; an admission's step (P7):
        proposed, agreed by each signatory, admitted by the counterpart signature; or a member's
        declaration of interests updated (P6.5)."""
        await self._p.execute(command)
        state = self._p.state
        return PartnershipProgress(
            effective_on=state.effective_on,
            mou_version=state.mou_version,
            outstanding_signatures=state.outstanding_signatures,
            admission=state.admission,
            admission_agreed_by=state.admission_agreed_by,
        )

    @execute.validator
    def _validate_execute(self, command: Command[PartnershipUpdate]) -> None:
        self._p.validate(command)

    @workflow.update
    async def start(self, command: Command[ProcessStart]) -> Started:
        """Starts one of the partnership's processes; the review is opened by the run loop."""
        await workflow.wait_condition(lambda: self._p.ready)
        if isinstance(command.command, RequestReview):
            self._check_start(command)
            self._review_asked_by = command.actor.signed_by_command(command.command)
            await workflow.wait_condition(lambda: self._open_review() is not None)
            review = self._open_review()
            assert review is not None
            return Started(process=ProcessKind.REVIEW, process_id=review)
        return await self._start(command.command, command.actor.signed_by_command(command.command))

    def _open_review(self) -> str | None:
        """The open review, once its workflow has started."""
        review = self._p.state.open_process(ProcessKind.REVIEW)
        return review.process_id if review and review.process_id in self._children else None

    @start.validator
    def _validate_start(self, command: Command[ProcessStart]) -> None:
        self._p.authorise(command)
        self._check_start(command)

    def _check_start(self, command: Command[ProcessStart]) -> None:
        """The partnership's rules for a start and the process's own first decision, both
        taken before anything is written (a notice not in writing, a committee not planned)."""
        if self._p.ready:
            self._p.decide(self._launch(command.command, command.actor, "to-be-opened").start)
            # The process records its first event itself; a late one is refused here, before
            # the partnership records the start (R12).
            match command.command:
                case NotifyExit(notified_on=day):
                    dated = [("the exit notice", day)]
                case RaiseEscalation(raised_on=day):
                    dated = [("the escalation", day)]
                case _:
                    dated = []
            try:
                require_reason_if_late(dated, today(), command.actor.provenance.reason)
            except DomainError as error:
                reject(error)

    # ------------------------------------------------------------------------ processes

    async def _start(self, command: ProcessStart, actor: Actor) -> Started:
        async with self._p.lock:
            launches: list[Launch] = []

            def decision() -> list[DomainEvent]:
                review_id = f"{today().isoformat()}-{workflow.uuid4().hex[:6]}"
                launches.append(self._launch(command, actor, review_id))
                return self._p.decide(launches[-1].start)

            await self._p.settle(decision, actor)
            started = launches[-1]
            await self._run_child(started.input)
        return started.started

    def _launch(self, command: ProcessStart, actor: Actor, review_id: str) -> Launch:
        try:
            return launch(self._p.state, command, actor, today(), review_id)
        except DomainError as error:
            reject(error)

    async def _resume(self, record: ProcessRecord) -> None:
        """Carries on a process the log says is open."""
        try:
            await self._run_child(resume(self._p.state, record))
        except WorkflowAlreadyStartedError:
            # Still running from before (its parent's end did not terminate it): this run can
            # neither follow it nor start it again. It stays open in the log, to be resumed
            # by a later start of the partnership once it has stopped.
            workflow.logger.warning("%s still runs outside the partnership", record.process_id)

    async def _run_child(self, input: ChildInput) -> None:
        """Starts the process's workflow and follows it to its result."""
        update: dict[str, Any] = {"continue_as_new_after_events": self._p.history_limit}
        if workflow.patched(CHILDREN_GET_ONLY_WHAT_THEY_READ):
            input = only_what_it_reads(input)
        elif workflow.patched(CHILDREN_GET_WHAT_THEY_NEED):
            update["config"] = what_it_needed(input)
        input = input.model_copy(update=update)
        run: Any = {
            ExitInput: ExitWorkflow.run,
            ReviewInput: ReviewWorkflow.run,
            CommitteeInput: CommitteeWorkflow.run,
            EscalationInput: EscalationWorkflow.run,
        }[type(input)]
        handle = await workflow.start_child_workflow(run, input, id=input.process_id)
        task = asyncio.create_task(self._follow(handle))
        self._children[input.process_id] = task
        task.add_done_callback(functools.partial(self._child_done, input.process_id))

    async def _follow(self, handle: workflow.ChildWorkflowHandle[Any, ChildResult]) -> None:
        """Records what the process's result means for the partnership, and that it ended."""
        try:
            result: ChildResult | None = await handle
        except ChildWorkflowError as error:
            workflow.logger.error("%s ended without a result: %s", handle.id, error.cause or error)
            if workflow.patched(ABANDONED_SAY_HOW):
                abandoned = await workflow.execute_activity(
                    HOW_IT_ENDED,
                    HowItEnded(workflow_id=handle.id),
                    result_type=Abandonment,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=STORE_RETRY,
                )
                await self._record_end(
                    handle.id, f"abandoned: {abandoned.how}", abandoned=abandoned
                )
                return
            result = None
        match result:
            case ExitResult(outcome="ended") if result.ended_on is not None:
                left = EndMembership(
                    exit_id=result.exit_id,
                    organisation=result.organisation,
                    ended_on=result.ended_on,
                )
                await self._record_end(handle.id, "ended", left)
                await self._tell_review(result.organisation, result.ended_on, handle.id)
            case ExitResult():
                await self._record_end(handle.id, result.outcome)
            case ReviewResult():
                concluded = RecordReviewOutcome(
                    review_id=result.review_id,
                    outcome=result.outcome,
                    concluded_on=result.concluded_on,
                    summary=result.variation_summary or "",
                )
                await self._record_end(handle.id, result.outcome.value, concluded)
            case CommitteeResult():
                established = EstablishBody(
                    committee_id=handle.id, body=result.body, established_on=result.established_on
                )
                await self._record_end(handle.id, "established", established)
            case EscalationResult():
                await self._record_end(handle.id, result.status)
            case None:
                # A process that ended without a result changes nothing but its end.
                await self._record_end(handle.id, None)

    async def _tell_review(self, organisation: str, left_on: date, exit_id: str) -> None:
        """P1: a signatory who leaves during a review is no longer asked."""
        review = self._p.state.open_process(ProcessKind.REVIEW)
        if review is not None:
            await workflow.get_external_workflow_handle_for(
                ReviewWorkflow.run, review.process_id
            ).signal(
                ReviewWorkflow.signatory_left,
                SignatoryLeft(
                    organisation=organisation,
                    left_on=left_on,
                    actor=system_actor(f"workflow:{exit_id}", Channel.PROCESS),
                ),
            )

    async def _record_end(
        self,
        process_id: str,
        outcome: str | None,
        *results: PartnershipCommand,
        abandoned: Abandonment | None = None,
    ) -> None:
        """Records what a finished process means for the partnership, and that it ended, in
        one append. A result cannot be refused like a staff command: were the domain to refuse
        it, the refusal is logged and the process recorded as ended without it."""
        async with self._p.lock:
            await self._p.settle(
                lambda: self._end_of(process_id, outcome, results, abandoned),
                system_actor(f"workflow:{process_id}", Channel.PROCESS),
            )

    def _end_of(
        self,
        process_id: str,
        outcome: str | None,
        results: tuple[PartnershipCommand, ...],
        abandoned: Abandonment | None,
    ) -> list[DomainEvent]:
        """The events of `_record_end`, none when the log already holds the end (recorded by a
        run of the partnership before a reset, or a restore of Temporal's database)."""
        events: list[DomainEvent] = []
        state = self._p.state
        if all(p.process_id != process_id for p in state.open_processes):
            return events
        for result in results:
            try:
                decided = decide(state, result)
            except DomainError as error:
                workflow.logger.error("result of %s not recorded: %s", process_id, error)
                outcome = f"ended; its result was refused: {error}"
                continue
            events += decided
            state = fold(state, decided)
        end = EndProcess(
            process_id=process_id,
            ended_on=today(),
            outcome=outcome or "ended without a result",
            abandoned=abandoned,
        )
        return events + decide(state, end)

    # ------------------------------------------------------------------------ children

    def _child_done(self, process_id: str, task: "asyncio.Task[None]") -> None:
        del self._children[process_id]
        if not task.cancelled() and (error := task.exception()) is not None:
            # A bug, not a governance outcome: the run loop raises it, so the workflow task
            # fails and is retried (visible to staff) instead of the error passing unseen.
            self._failures.append(error)


def _status(state: PartnershipState) -> str:
    """The STATUS search attribute staff filter on."""
    if not state.is_effective:
        return "collecting-signatures"
    if state.open_process(ProcessKind.REVIEW) is not None:
        return "under-review"
    return "effective"


def _review_opens_at(state: PartnershipState) -> datetime | None:
    """When the timer opens the next review: a lead time before it is due (P1 policy)."""
    if state.review_due_on is None or state.open_process(ProcessKind.REVIEW) is not None:
        return None
    return start_of(review_opens_on(state.review_due_on, state.config.review_policy.lead_time_days))
