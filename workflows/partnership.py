"""The partnership's own workflow: the one writer of its stream, for as long as it exists.

It collects every signatory's counterpart of the MoU; the MoU is effective only when each partner
has executed one (MSE MoU 2020 §15.3) and commences on the date of signature
(CDCP MoU §24). It then keeps the review due date: a timer opens the annual
review a lead time before it (P1 policy), and staff may open it sooner. Reviews and exits run as
child workflows that write their own streams; their results come back here, where the membership,
the MoU version and the review date are recorded (CDCP MoU §24, §25, §27).
"""

import asyncio
import functools
from collections.abc import Coroutine
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError, WorkflowAlreadyStartedError

from domain.aggregates import exit as exits
from domain.aggregates.partnership import (
    EndMembership,
    EstablishBody,
    PartnershipCommand,
    PartnershipState,
    RecordReviewOutcome,
    SignMou,
    decide,
    fold,
    initial_state,
)
from domain.committee_plans import PlanMilestone
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.partnership import Partnership
from domain.rules.dates import review_opens_on
from workflows import search_attributes
from workflows.clock import start_of, today, until
from workflows.committee import CommitteeInput, CommitteeResult, CommitteeWorkflow
from workflows.exit import ExitInput, ExitNotice, ExitResult, ExitWorkflow
from workflows.history import continue_as_new_due
from workflows.ids import (
    committee_workflow_id,
    exit_workflow_id,
    partnership_stream,
    review_workflow_id,
)
from workflows.recording import Stream, record, reject
from workflows.review import ReviewInput, ReviewResult, ReviewWorkflow, SignatoryLeft

PROCESS = "partnership"
R = TypeVar("R")
REVIEW_TIMER = "timer:annual-review"


class Carried(BaseModel):
    """Everything a new run needs after continue-as-new."""

    model_config = ConfigDict(frozen=True)

    state: PartnershipState
    stream: Stream


class PartnershipInput(BaseModel):
    """The configuration is part of the input, so a replay sees the partnership as it was then."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    carried: Carried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, ge=10, description="continue as new at this history length (tests)"
    )


class SignatureRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation: str
    signatory_name: str = Field(min_length=1)
    signatory_role: str = Field(min_length=1)
    signed_on: date
    actor: str = Field(min_length=1, description="who recorded it: a staff user or a timer")

    def command(self) -> SignMou:
        return SignMou(
            organisation=self.organisation,
            signatory_name=self.signatory_name,
            signatory_role=self.signatory_role,
            signed_on=self.signed_on,
        )


class ExitNoticeRequest(BaseModel):
    """A partner's written notice of leaving (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    notified_on: date
    effective_on: date
    signatory_name: str = Field(min_length=1)
    reason: str = ""
    actor: str = Field(min_length=1)


class ReviewRequest(BaseModel):
    """Staff open the review before its timer would (CDCP MoU §24: "at least annually")."""

    model_config = ConfigDict(frozen=True)

    actor: str = Field(min_length=1)


class CommitteeRequest(BaseModel):
    """Staff start the formation of a joint committee (DCC Cabinet 2022)."""

    model_config = ConfigDict(frozen=True)

    committee: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str | None = Field(default=None, min_length=1, description="the plan's when unset")
    plan: tuple[PlanMilestone, ...] | None = Field(
        default=None, description="the milestones; the plan's in the configuration when unset"
    )
    actor: str = Field(min_length=1)


class OpenProcesses(BaseModel):
    model_config = ConfigDict(frozen=True)

    review: str | None = None
    exits: dict[str, str] = Field(default_factory=dict, description="organisation -> workflow id")
    committees: dict[str, str] = Field(default_factory=dict, description="slug -> workflow id")


def _decide(state: PartnershipState, command: PartnershipCommand) -> list[DomainEvent]:
    try:
        return decide(state, command)
    except DomainError as error:
        reject(error)


@workflow.defn(name="Partnership")
class PartnershipWorkflow:
    @workflow.init
    def __init__(self, input: PartnershipInput) -> None:
        carried = input.carried or Carried(
            state=initial_state(input.config),
            stream=Stream(stream_id=partnership_stream(input.config.slug)),
        )
        self._state = carried.state
        self._stream = carried.stream
        self._open = OpenProcesses()
        self._review_asked = False
        self._children: set[asyncio.Task[None]] = set()
        self._failures: list[BaseException] = []
        # Handlers that record interleave at the activity; one at a time decides and records.
        self._lock = asyncio.Lock()
        self._history_limit = input.continue_as_new_after_events

    @workflow.run
    async def run(self, input: PartnershipInput) -> PartnershipState:
        self._publish()
        while True:
            if self._failures:
                raise self._failures[0]
            if self._may_continue_as_new():
                workflow.continue_as_new(
                    input.model_copy(
                        update={"carried": Carried(state=self._state, stream=self._stream)}
                    )
                )
            if not self._state.is_effective:
                await workflow.wait_condition(
                    lambda: (
                        self._state.is_effective
                        or self._may_continue_as_new()
                        or bool(self._failures)
                    )
                )
                continue
            due_on = self._state.review_due_on
            assert due_on is not None
            opens_at = start_of(
                review_opens_on(due_on, self._state.config.review_policy.lead_time_days)
            )
            self._publish()
            try:
                await workflow.wait_condition(
                    functools.partial(self._review_timer_reset, due_on),
                    timeout=until(opens_at) if self._open.review is None else None,
                )
                fired = False
            except TimeoutError:
                fired = True
            if (fired or self._review_asked) and self._open.review is None:
                self._review_asked = False
                await self._open_review(REVIEW_TIMER if fired else "staff")

    def _review_timer_reset(self, due_on: date) -> bool:
        """Staff asked for the review, its due date moved (an exit, a concluded review), or it
        is time to continue as new: the timer is set again either way."""
        return (
            self._review_asked or self._state.review_due_on != due_on or self._may_continue_as_new()
        )

    def _current_config(self) -> Partnership:
        """The configuration as the events have made it, for a child process: partners admitted
        since, and bodies without the seats of partners who left, with those established."""
        return self._state.config.model_copy(
            update={"organisations": self._state.organisations, "bodies": self._state.bodies}
        )

    def _may_continue_as_new(self) -> bool:
        # Never while a child runs: its result must come back to this run (P1, P2).
        return (
            continue_as_new_due(self._history_limit)
            and not self._children
            and workflow.all_handlers_finished()
        )

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> PartnershipState:
        return self._state

    @workflow.query
    def open_processes(self) -> OpenProcesses:
        return self._open

    # ------------------------------------------------------------------------ signatures

    @workflow.update
    async def sign(self, request: SignatureRequest) -> PartnershipState:
        async with self._lock:
            # Decided again under the lock: another update may have changed the state since
            # this one was validated.
            events = _decide(self._state, request.command())
            await self._record(events, request.actor)
        return self._state

    @sign.validator
    def _validate_sign(self, request: SignatureRequest) -> None:
        _decide(self._state, request.command())

    # ------------------------------------------------------------------------ exits

    @workflow.update
    async def give_exit_notice(self, request: ExitNoticeRequest) -> str:
        """Starts the exit process and returns its workflow id."""
        self._validate_exit_notice(request)
        workflow_id = exit_workflow_id(self._state.slug, request.organisation, request.notified_on)
        try:
            handle = await workflow.start_child_workflow(
                ExitWorkflow.run,
                ExitInput(
                    config=self._current_config(),
                    signatories=self._state.signatories,
                    notice=ExitNotice(
                        organisation=request.organisation,
                        notified_on=request.notified_on,
                        effective_on=request.effective_on,
                        signatory_name=request.signatory_name,
                        reason=request.reason,
                    ),
                    actor=request.actor,
                ),
                id=workflow_id,
            )
        except WorkflowAlreadyStartedError:
            reject(DomainError(f"an exit process for {request.organisation} already exists"))
        self._open = self._open.model_copy(
            update={"exits": {**self._open.exits, request.organisation: workflow_id}}
        )
        self._watch(self._on_exit(request.organisation, handle))
        return workflow_id

    @give_exit_notice.validator
    def _validate_exit_notice(self, request: ExitNoticeRequest) -> None:
        if not self._state.is_effective:
            reject(
                DomainError(f"the {self._state.slug} MoU is not yet effective; no one can leave")
            )
        if request.organisation in self._open.exits:
            reject(
                DomainError(
                    f"{request.organisation} has already given notice "
                    f"(process {self._open.exits[request.organisation]})"
                )
            )
        # The exit process's own checks of a notice: in writing, from a current signatory,
        # effective no earlier than it was given (CDCP MoU §27).
        try:
            exits.decide(
                exits.initial_state(self._state.config, self._state.signatories),
                exits.NotifyExit(
                    exit_id=exit_workflow_id(
                        self._state.slug, request.organisation, request.notified_on
                    ),
                    organisation=request.organisation,
                    notified_on=request.notified_on,
                    effective_on=request.effective_on,
                    signatory_name=request.signatory_name,
                ),
            )
        except DomainError as error:
            reject(error)
        if request.notified_on > today():
            # The written notices go out today and cannot predate the notice they carry.
            reject(
                DomainError(
                    f"notice cannot be recorded as given on {request.notified_on.isoformat()}, "
                    f"a date still to come"
                )
            )

    async def _on_exit(
        self, organisation: str, handle: workflow.ChildWorkflowHandle[ExitWorkflow, ExitResult]
    ) -> None:
        result = await self._outcome(handle)
        async with self._lock:
            exits = {k: v for k, v in self._open.exits.items() if k != organisation}
            self._open = self._open.model_copy(update={"exits": exits})
            if result is None or result.outcome != "ended" or result.ended_on is None:
                return
            ended = await self._apply_result(
                EndMembership(
                    exit_id=result.exit_id, organisation=organisation, ended_on=result.ended_on
                ),
                f"workflow:{handle.id}",
            )
            if ended and self._open.review is not None:
                # P1: a signatory who leaves during a review is no longer asked.
                await workflow.get_external_workflow_handle_for(
                    ReviewWorkflow.run, self._open.review
                ).signal(
                    ReviewWorkflow.signatory_left,
                    SignatoryLeft(
                        organisation=organisation,
                        left_on=result.ended_on,
                        actor=f"workflow:{handle.id}",
                    ),
                )

    # ------------------------------------------------------------------------ committees

    @workflow.update
    async def start_committee(self, request: CommitteeRequest) -> str:
        """Starts the formation and returns its workflow id; the committee becomes a body of
        the partnership when its last milestone is met."""
        self._validate_start_committee(request)
        workflow_id = committee_workflow_id(self._state.slug, request.committee)
        config = self._current_config()
        planned = config.committee_plan(request.committee)
        handle = await workflow.start_child_workflow(
            CommitteeWorkflow.run,
            CommitteeInput(
                config=config,
                committee=request.committee,
                name=request.name or planned.name,
                preferred_option=planned.preferred_option,
                actor=request.actor,
                plan=request.plan or planned.milestones,
                reports_to=planned.reports_to,
            ),
            id=workflow_id,
        )
        self._open = self._open.model_copy(
            update={"committees": {**self._open.committees, request.committee: workflow_id}}
        )
        self._watch(self._on_committee(request.committee, handle))
        return workflow_id

    @start_committee.validator
    def _validate_start_committee(self, request: CommitteeRequest) -> None:
        if not self._state.is_effective:
            reject(DomainError(f"the {self._state.slug} MoU is not yet effective"))
        if request.committee in self._open.committees:
            reject(DomainError(f"the formation of {request.committee} is already under way"))
        if any(b.slug == request.committee for b in self._state.bodies):
            reject(DomainError(f"{self._state.slug} already has a body called {request.committee}"))
        try:
            self._state.config.committee_plan(request.committee)
        except DomainError as error:
            reject(error)

    async def _on_committee(
        self,
        committee: str,
        handle: workflow.ChildWorkflowHandle[CommitteeWorkflow, CommitteeResult],
    ) -> None:
        result = await self._outcome(handle)
        async with self._lock:
            committees = {k: v for k, v in self._open.committees.items() if k != committee}
            self._open = self._open.model_copy(update={"committees": committees})
            if result is None:
                return
            await self._apply_result(
                EstablishBody(
                    committee_id=handle.id,
                    body=result.body,
                    established_on=result.established_on,
                ),
                f"workflow:{handle.id}",
            )

    # ------------------------------------------------------------------------ reviews

    @workflow.update
    async def start_review(self, request: ReviewRequest) -> str:
        self._validate_start_review(request)
        self._review_asked = True
        await workflow.wait_condition(lambda: self._open.review is not None)
        assert self._open.review is not None
        return self._open.review

    @start_review.validator
    def _validate_start_review(self, request: ReviewRequest) -> None:
        if not self._state.is_effective:
            reject(
                DomainError(f"the {self._state.slug} MoU is not yet effective; nothing to review")
            )
        if self._open.review is not None:
            reject(DomainError(f"a review is already open ({self._open.review})"))

    async def _open_review(self, actor: str) -> None:
        due_on = self._state.review_due_on
        assert due_on is not None
        # The opening date plus a deterministic suffix: a review concluded on the day the MoU
        # took effect would otherwise give its successor the same due date, and the same id.
        review_id = f"{today().isoformat()}-{workflow.uuid4().hex[:6]}"
        workflow_id = review_workflow_id(self._state.slug, review_id)
        handle = await workflow.start_child_workflow(
            ReviewWorkflow.run,
            ReviewInput(
                config=self._current_config(),
                review_id=review_id,
                due_on=due_on,
                opened_on=today(),
                mou_version=self._state.mou_version,
                signatories=self._state.signatories,
                actor=actor,
            ),
            id=workflow_id,
        )
        self._open = self._open.model_copy(update={"review": workflow_id})
        self._watch(self._on_review(handle))

    async def _on_review(
        self, handle: workflow.ChildWorkflowHandle[ReviewWorkflow, ReviewResult]
    ) -> None:
        result = await self._outcome(handle)
        async with self._lock:
            self._open = self._open.model_copy(update={"review": None})
            if result is None:
                return
            await self._apply_result(
                RecordReviewOutcome(
                    review_id=result.review_id,
                    outcome=result.outcome,
                    concluded_on=result.concluded_on,
                    summary=result.variation_summary or "",
                ),
                f"workflow:{handle.id}",
            )

    # ------------------------------------------------------------------------ recording

    def _watch(self, child: Coroutine[Any, Any, None]) -> None:
        """Follows a child workflow to its result; continue-as-new waits until none is left."""
        task = asyncio.create_task(child)
        self._children.add(task)
        task.add_done_callback(self._child_done)

    def _child_done(self, task: "asyncio.Task[None]") -> None:
        self._children.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # A bug, not a governance outcome: the run loop raises it, so the workflow task
            # fails and is retried (visible to staff) instead of the error passing unseen.
            self._failures.append(error)

    async def _outcome(self, handle: workflow.ChildWorkflowHandle[Any, R]) -> R | None:
        """The child's result, or None when it failed or was terminated: a process that ended
        without a result changes nothing in the partnership."""
        try:
            return await handle
        except ChildWorkflowError as error:
            workflow.logger.error("%s ended without a result: %s", handle.id, error.cause or error)
            return None

    async def _apply_result(self, command: PartnershipCommand, actor: str) -> bool:
        """Records what a finished child process means for the partnership. Its result cannot
        be refused like a staff command: were the domain to refuse it, the refusal is logged
        and the partnership carries on rather than failing."""
        try:
            events = decide(self._state, command)
        except DomainError as error:
            workflow.logger.error("result of %s not recorded: %s", actor, error)
            return False
        await self._record(events, actor)
        return True

    async def _record(self, events: list[DomainEvent], actor: str) -> None:
        self._stream = await record(self._stream, events, actor)
        self._state = fold(self._state, events)
        self._publish()

    def _publish(self) -> None:
        if not self._state.is_effective:
            status = "collecting-signatures"
        elif self._open.review is not None:
            status = "under-review"
        else:
            status = "effective"
        due_on = self._state.review_due_on
        opens_at = (
            start_of(review_opens_on(due_on, self._state.config.review_policy.lead_time_days))
            if due_on is not None and self._open.review is None
            else None
        )
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._state.slug),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(status),
                search_attributes.NEXT_DEADLINE.value_set(opens_at)
                if opens_at is not None
                else search_attributes.NEXT_DEADLINE.value_unset(),
            ]
        )
