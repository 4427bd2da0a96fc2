"""The formation of a joint committee (docs/rules.md P3): the one writer of its stream.

DCC Cabinet 2022 (14 Sep 2022): a Joint Committee co-produced with the ICB,
in shadow form from October 2022, fully operational from April 2023; CDCPE
ToR §2: "ambition to co-produce a Joint Committee by April 2023". Staff record milestones met with
their evidence and the agreements they need (DCC Cabinet 2022 §17); a durable timer watches each
open milestone's target date and escalates a slippage in writing (P3 policy); guidance published
(DCC Cabinet 2022 7(c), §29) or a slippage lets the owner re-plan; the last milestone met
establishes the committee as a new body of the partnership, its membership checked against DCC
Cabinet 2022 §19.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import date
from functools import partial

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.aggregates.committee import (
    CommitteeState,
    check_organisations,
    committee_body,
    decide,
    fold,
    initial_state,
    meet,
    start_with_plan,
)
from domain.aggregates.committee_commands import (
    CommitteeCommand,
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    ReplanMilestone,
    StartFormation,
)
from domain.aggregates.committee_slippage import record_slippages
from domain.aggregates.committee_status import MilestoneStatus, milestone_statuses
from domain.bodies import Body
from domain.committee_plans import PlanMilestone
from domain.errors import DomainError
from domain.events import DomainEvent, NoticeIssued
from domain.partnership import Partnership
from domain.rules.committee_membership import ProposedSeat
from workflows import search_attributes
from workflows.clock import end_of, today, until
from workflows.history import continue_as_new_due
from workflows.ids import committee_workflow_id
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "committee"
SLIPPAGE_ACTOR = "timer:slippage"


class CommitteeProgress(BaseModel):
    """Everything the workflow knows, carried across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    committee: CommitteeState
    stream: Stream


class CommitteeInput(BaseModel):
    """The configuration and plan are part of the input, so a replay sees them as they were."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    committee: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    preferred_option: str = Field(min_length=1)
    plan: tuple[PlanMilestone, ...] = Field(min_length=1)
    reports_to: tuple[str, ...]
    actor: str = Field(min_length=1, description="the staff user who started the formation")
    carried: CommitteeProgress | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, ge=1, description="continue as new past this history length (tests)"
    )


class MeetRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone: str
    met_on: date
    evidence: str = Field(min_length=1, description='for example "Cabinet minute 14 Sep 2022"')
    actor: str = Field(min_length=1)

    def command(self) -> MeetMilestone:
        return MeetMilestone(
            milestone_id=self.milestone, met_on=self.met_on, evidence=self.evidence
        )


class AgreementRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone: str
    agreed_by: str = Field(min_length=1, description="the body or organisation that agreed")
    agreed_on: date
    actor: str = Field(min_length=1)

    def command(self) -> RecordMilestoneAgreement:
        return RecordMilestoneAgreement(
            milestone_id=self.milestone, agreed_by=self.agreed_by, agreed_on=self.agreed_on
        )


class GuidanceRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    summary: str = Field(min_length=1)
    published_on: date
    new_preferred_option: str | None = None
    actor: str = Field(min_length=1)

    def command(self) -> PublishGuidance:
        return PublishGuidance(
            title=self.summary,
            published_on=self.published_on,
            changes_preferred_option=self.new_preferred_option is not None,
            new_preferred_option=self.new_preferred_option,
        )


class ReplanRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone: str
    new_target: date
    reason: str = Field(min_length=1)
    actor: str = Field(min_length=1)

    def command(self, on: date) -> ReplanMilestone:
        return ReplanMilestone(
            milestone_id=self.milestone,
            new_target_on=self.new_target,
            replanned_on=on,
            reason=self.reason,
        )


class MembershipRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    seats: tuple[ProposedSeat, ...] = Field(min_length=1)
    confirmed_on: date
    actor: str = Field(min_length=1)

    def command(self) -> ConfirmMembership:
        return ConfirmMembership(seats=self.seats, confirmed_on=self.confirmed_on)


class MilestoneMetOn(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone_id: str
    title: str
    met_on: date


class CommitteeResult(BaseModel):
    """The established committee: the lead adds `body` to the partnership's bodies."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    committee: str
    established_on: date
    body: Body
    milestones: tuple[MilestoneMetOn, ...]


Decision = Callable[[CommitteeState], list[DomainEvent]]


def _decide(state: CommitteeState, decision: Decision) -> list[DomainEvent]:
    try:
        return decision(state)
    except DomainError as error:
        reject(error)


def _command(command: CommitteeCommand) -> Decision:
    return lambda state: decide(state, command)


@workflow.defn(name="Committee")
class CommitteeWorkflow:
    @workflow.init
    def __init__(self, input: CommitteeInput) -> None:
        self._input = input
        # Updates that record interleave at the activity; one at a time decides and records.
        self._lock = asyncio.Lock()
        self._refusal: DomainError | None = None
        self._published: tuple[object, ...] = ()
        if input.carried is not None:
            self._state = input.carried.committee
            self._stream = input.carried.stream
            self._unrecorded: list[DomainEvent] = []
            return
        # The start is decided here so that a command arriving before it is recorded is
        # validated against the plan; handlers wait until run has recorded it.
        self._stream = Stream(stream_id=committee_workflow_id(input.config.slug, input.committee))
        self._state = initial_state(input.config.slug)
        try:
            start = StartFormation(
                committee_id=input.committee,
                name=input.name,
                preferred_option=input.preferred_option,
                started_on=today(),
            )
            self._unrecorded = start_with_plan(self._state, start, input.plan)
        except DomainError as error:
            self._refusal, self._unrecorded = error, []
        self._state = fold(self._state, self._unrecorded)

    @workflow.run
    async def run(self, input: CommitteeInput) -> CommitteeResult:
        if self._refusal is not None:
            reject(self._refusal)
        async with self._lock:
            self._stream = await record(self._stream, self._unrecorded, input.actor)
            self._unrecorded = []
        self._publish()
        while not self._state.is_established:
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                progress = CommitteeProgress(committee=self._state, stream=self._stream)
                workflow.continue_as_new(input.model_copy(update={"carried": progress}))
            if self._state.due_slippages(today()):
                await self._escalate_slippages()
                continue
            target = self._state.next_target_on
            # Wakes at the next target date, or when anything is recorded (a re-plan resets the
            # timer); the loop then finds what has slipped.
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    partial(self._moved_on, self._stream.version),
                    timeout=until(end_of(target)) if target is not None else None,
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._result()

    @workflow.query
    def state(self) -> CommitteeState:
        return self._state

    @workflow.query
    def milestones(self) -> tuple[MilestoneStatus, ...]:
        return milestone_statuses(self._state)

    @workflow.update
    async def meet_milestone(self, request: MeetRequest) -> CommitteeState:
        return await self._apply(self._meeting(request), request.actor)

    @meet_milestone.validator
    def _validate_meet(self, request: MeetRequest) -> None:
        _decide(self._state, self._meeting(request))

    @workflow.update
    async def record_agreement(self, request: AgreementRequest) -> CommitteeState:
        return await self._apply(_command(request.command()), request.actor)

    @record_agreement.validator
    def _validate_agreement(self, request: AgreementRequest) -> None:
        _decide(self._state, _command(request.command()))

    @workflow.update
    async def publish_guidance(self, request: GuidanceRequest) -> CommitteeState:
        return await self._apply(_command(request.command()), request.actor)

    @publish_guidance.validator
    def _validate_guidance(self, request: GuidanceRequest) -> None:
        _decide(self._state, _command(request.command()))

    @workflow.update
    async def replan_milestone(self, request: ReplanRequest) -> CommitteeState:
        return await self._apply(_command(request.command(today())), request.actor)

    @replan_milestone.validator
    def _validate_replan(self, request: ReplanRequest) -> None:
        _decide(self._state, _command(request.command(today())))

    @workflow.update
    async def confirm_membership(self, request: MembershipRequest) -> CommitteeState:
        return await self._apply(self._membership(request), request.actor)

    @confirm_membership.validator
    def _validate_membership(self, request: MembershipRequest) -> None:
        _decide(self._state, self._membership(request))

    def _meeting(self, request: MeetRequest) -> Decision:
        return lambda state: meet(state, request.command(), self._input.reports_to)

    def _membership(self, request: MembershipRequest) -> Decision:
        def decision(state: CommitteeState) -> list[DomainEvent]:
            check_organisations(self._input.config, request.seats)
            return decide(state, request.command())

        return decision

    async def _apply(self, decision: Decision, actor: str) -> CommitteeState:
        await workflow.wait_condition(lambda: not self._unrecorded)
        async with self._lock:
            # Decided again under the lock: another update may have changed the state since
            # this one was validated.
            events = _decide(self._state, decision)
            self._stream = await record(self._stream, events, actor)
            self._state = fold(self._state, events)
            self._publish()
        return self._state

    async def _escalate_slippages(self) -> None:
        async with self._lock:
            if self._state.is_established:
                return
            events = record_slippages(self._state, self._input.config, today())
            self._stream = await record(self._stream, events, SLIPPAGE_ACTOR)
            self._state = fold(self._state, events)
            self._publish()
            notices = [e for e in events if isinstance(e, NoticeIssued)]
            self._stream, receipts = await deliver(self._stream, notices, SLIPPAGE_ACTOR)
            self._state = fold(self._state, receipts)

    def _moved_on(self, version: int) -> bool:
        return self._stream.version != version or self._should_continue_as_new()

    def _should_continue_as_new(self) -> bool:
        return continue_as_new_due(self._input.continue_as_new_after_events)

    def _result(self) -> CommitteeResult:
        state = self._state
        assert state.committee_id is not None and state.established_on is not None
        return CommitteeResult(
            partnership=state.partnership,
            committee=state.committee_id,
            established_on=state.established_on,
            body=committee_body(state),
            milestones=tuple(
                MilestoneMetOn(milestone_id=m.milestone_id, title=m.title, met_on=m.met_on)
                for m in state.milestones
                if m.met_on is not None
            ),
        )

    def _publish(self) -> None:
        target = self._state.next_target_on
        deadline = end_of(target) if target is not None else None
        published = (self._state.status, deadline)
        if published == self._published:
            return
        self._published = published
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._state.partnership),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(self._state.status),
                search_attributes.NEXT_DEADLINE.value_set(deadline)
                if deadline is not None
                else search_attributes.NEXT_DEADLINE.value_unset(),
            ]
        )
