"""The formation of a joint committee (docs/rules.md P3): the one writer of its stream.

DCC Cabinet 2022 (14 Sep 2022): a Joint Committee co-produced with the ICB,
in shadow form from October 2022, fully operational from April 2023; CDCPE
ToR §2: "ambition to co-produce a Joint Committee by April 2023". Staff record milestones met with
their evidence and the agreements they need (DCC Cabinet 2022 §17); a durable timer watches each
open milestone's target date and escalates a slippage in writing (P3 policy); guidance published
(DCC Cabinet 2022 7(c), §29) or a slippage lets the owner re-plan; the last milestone met
establishes the committee as a new body of the partnership, its membership checked against DCC
Cabinet 2022 §19. The partnership workflow starts it as a child and adds the body to its own
stream from the result.
"""

from datetime import datetime
from functools import partial

from temporalio import workflow

from domain.aggregates.committee import (
    CommitteeState,
    decide,
    fold,
    initial_state,
    meet,
    start_with_plan,
)
from domain.aggregates.committee_body import check_organisations, committee_body
from domain.aggregates.committee_commands import (
    CommitteeCommand,
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    StartFormation,
)
from domain.aggregates.committee_slippage import record_slippages
from domain.aggregates.committee_status import MilestoneStatus, milestone_statuses
from domain.committee_plans import CommitteePlan
from domain.events import DomainEvent
from domain.partnership import Partnership
from domain.provenance import system_actor
from workflows.clock import end_of, today
from workflows.contracts.committee import (
    CommitteeInput,
    CommitteeResult,
    CommitteeUpdate,
    MilestoneMetOn,
)
from workflows.contracts.process import Command
from workflows.process import Process

PROCESS = "committee"
SLIPPAGE_ACTOR = system_actor("timer:slippage")


def decide_formation(
    config: Partnership,
    plan: CommitteePlan,
    state: CommitteeState,
    command: CommitteeCommand,
) -> list[DomainEvent]:
    """The aggregate's decision with what it needs beyond the state: the plan (its milestones,
    planned with the start, so a plan the domain refuses writes nothing; the bodies the committee
    reports to once the last milestone is met), and the partnership's organisations, which every
    seat of a membership must name."""
    match command:
        case StartFormation():
            return start_with_plan(state, command, plan.milestones)
        case MeetMilestone():
            return meet(state, command, plan.reports_to)
        case ConfirmMembership():
            check_organisations(config, command.seats)
    return decide(state, command)


def deadline_of(state: CommitteeState) -> datetime | None:
    """When the slippage timer fires: the end of the next open milestone's target date."""
    target = state.next_target_on
    return end_of(target) if target is not None else None


def _status(state: CommitteeState) -> str:
    return state.status


@workflow.defn(name="Committee")
class CommitteeWorkflow:
    @workflow.init
    def __init__(self, input: CommitteeInput) -> None:
        self._config = input.config
        self._p = Process[CommitteeState, CommitteeCommand](
            input,
            kind=PROCESS,
            stream_id=input.process_id,
            initial=initial_state(input.config.slug),
            decide=partial(decide_formation, input.config, input.plan),
            fold=fold,
            status=_status,
            deadline=deadline_of,
            held_since_patch=(
                MeetMilestone,
                RecordMilestoneAgreement,
                ConfirmMembership,
                PublishGuidance,
            ),
        )

    @workflow.run
    async def run(self, input: CommitteeInput) -> CommitteeResult:
        await self._p.begin(input, input.start, lambda s: s.committee_id is not None)
        # Wakes at the next target date, or when anything is recorded (a re-plan resets the
        # timer), and escalates what has slipped.
        await self._p.run_until(
            lambda s: s.is_established, self._escalate_slippages, input, "next milestone target"
        )
        return self._result()

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> CommitteeState:
        return self._p.state

    @workflow.query
    def milestones(self) -> tuple[MilestoneStatus, ...]:
        return milestone_statuses(self._p.state)

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def execute(self, command: Command[CommitteeUpdate]) -> CommitteeState:
        await self._p.execute(command)
        return self._p.state

    @execute.validator
    def _validate_execute(self, command: Command[CommitteeUpdate]) -> None:
        self._p.validate(command)

    # ------------------------------------------------------------------------ the process

    async def _escalate_slippages(self) -> None:
        """P3 policy: each milestone past its target unmet is recorded as slipped and escalated
        in writing to its owner and the executive."""
        async with self._p.lock:
            if self._p.state.is_established or not self._p.state.due_slippages(today()):
                return
            events = record_slippages(self._p.state, self._config, today())
            await self._p.record(events, SLIPPAGE_ACTOR)

    def _result(self) -> CommitteeResult:
        state = self._p.state
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
