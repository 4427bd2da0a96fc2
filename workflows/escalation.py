"""A thematic board escalation climbing its partnership's ladder (docs/rules.md P4).

Raised by a body about an outcome not delivered, a work plan exception or an issue between partners
(CDCPE ToR §2, CDCP MoU §10; MSE MoU 2020 §8.6-§8.10; NENC ICS MoU §24), it
climbs the configured ladder. At each level the body is told in writing; members may cast their
own votes (CDCPE ToR §3); staff record the level's vote (attendance, declared interests and the
Chair's rulings, CDCPE ToR §6) and the domain decides it under the body's rules (quorum ToR §10,
consensus §8.3, majority of eligible affected partners §8.10(2), 75% of eligible members §8.4). A
level that does not settle the matter by its response deadline (a durable timer) climbs; so does
one that refers it up or whose decision is not accepted (§8.10(3)). Actions agreed (MSE MoU 2020
§7.5-§7.8) are tracked to completion with a reminder when overdue. The partnership workflow starts
it as a child; it ends, returning its result, when the escalation is resolved or closed.
"""

from datetime import datetime

from temporalio import workflow

from domain.aggregates.escalation import (
    CompleteAction,
    EscalationCommand,
    EscalationState,
    LevelLapsed,
    NoticeOverdueActions,
    ResolveEscalation,
    decide,
    fold,
    initial_state,
    level_lapsed,
    next_due,
    overdue_actions,
)
from domain.provenance import system_actor
from workflows.clock import end_of, today
from workflows.contracts.escalation import (
    EscalationInput,
    EscalationProgress,
    EscalationResult,
    EscalationUpdate,
    LevelView,
)
from workflows.contracts.process import Command
from workflows.process import Process

PROCESS = "escalation"
LEVEL_DEADLINE_TIMER = system_actor("timer:escalation-level-deadline")
ACTION_DUE_TIMER = system_actor("timer:escalation-action-due")
RAISING = "raising"
"""The STATUS published while the raise is being recorded."""


def status_of(state: EscalationState) -> str:
    """The STATUS search attribute: "raising", "at-level-N", "resolved" or "closed"."""
    match state.status:
        case "not_raised":
            return RAISING
        case "open":
            return f"at-level-{state.level}"
        case other:
            return other


def level_of(state: EscalationState) -> LevelView | None:
    """The current level, or None before the raise is recorded."""
    stage = state.stage
    if stage is None:
        return None
    respond_by = state.respond_by if state.status == "open" else None
    return LevelView(
        level=stage.level,
        name=stage.name,
        kind=stage.kind,
        bodies=stage.bodies,
        respond_by=respond_by,
        deadline=end_of(respond_by) if respond_by else None,
    )


def progress_of(state: EscalationState) -> EscalationProgress:
    return EscalationProgress(
        status=state.status,
        at=level_of(state),
        ended_on=state.ended_on,
        outcome=state.outcome,
        decision=state.decisions[-1] if state.decisions else None,
        actions=state.actions,
    )


def next_deadline(state: EscalationState) -> datetime | None:
    """The next timer: the end of the level's response deadline or of an action's due date."""
    due = next_due(state)
    return end_of(due) if due is not None else None


@workflow.defn(name="Escalation")
class EscalationWorkflow:
    @workflow.init
    def __init__(self, input: EscalationInput) -> None:
        self._p = Process[EscalationState, EscalationCommand](
            input,
            kind=PROCESS,
            stream_id=input.process_id,
            initial=initial_state(input.config, input.bodies),
            decide=decide,
            fold=fold,
            status=status_of,
            deadline=next_deadline,
            held_since_patch=(CompleteAction, ResolveEscalation),
        )

    @workflow.run
    async def run(self, input: EscalationInput) -> EscalationResult:
        # A refused raise fails the workflow with the domain's words; nothing is written.
        await self._p.begin(input, input.raised, lambda s: s.status != "not_raised")
        await self._p.run_until(
            lambda s: s.status != "open", self._act_on_due_dates, input, "next escalation deadline"
        )
        return self._result(input.config.slug)

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> EscalationState:
        return self._p.state

    @workflow.query
    def level(self) -> LevelView | None:
        """The current level, or None before the raise is recorded."""
        return level_of(self._p.state)

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def execute(self, command: Command[EscalationUpdate]) -> EscalationProgress:
        await self._p.execute(command)
        return progress_of(self._p.state)

    @execute.validator
    def _validate_execute(self, command: Command[EscalationUpdate]) -> None:
        self._p.validate(command)

    # ------------------------------------------------------------------------ the timers

    async def _act_on_due_dates(self) -> None:
        """The level's deadline passed: climb, or close at the top; an action's due date
        passed: remind its owner (P4 policy; MSE MoU 2020 §7.5-§7.8)."""
        async with self._p.lock:
            on = today()
            if level_lapsed(self._p.state, on):
                await self._p.record(self._p.decide(LevelLapsed(on=on)), LEVEL_DEADLINE_TIMER)
            if overdue_actions(self._p.state, on):
                reminders = self._p.decide(NoticeOverdueActions(on=on))
                await self._p.record(reminders, ACTION_DUE_TIMER)

    def _result(self, partnership: str) -> EscalationResult:
        state = self._p.state
        assert state.escalation_id is not None
        return EscalationResult(
            escalation_id=state.escalation_id,
            partnership=partnership,
            status=state.status,
            level=state.level,
            ended_on=state.ended_on,
            outcome=state.outcome,
            actions=state.actions,
            state=state,
        )
