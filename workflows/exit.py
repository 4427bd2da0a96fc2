"""A partner's exit, from its written notice to the day its membership ends (docs/rules.md P2).

CDCP MoU §27 (and DCC Cabinet 2019 MoU §23): the leaving partner notifies the other
signatory organisations in writing; the MoU is then amended, the leaver removed from every body and
the review date revised. This workflow is the one writer of the exit's stream: it records the
notice, issues and delivers the written notice to every other signatory, tracks acknowledgements
with reminders until the acknowledgement deadline (policy), lets the notice be withdrawn before the
effective date, and on the effective date (a durable timer) ends the membership and returns the
quorum consequences. The partnership workflow starts it as a child and records the membership
change, the MoU amendment and the revised review date in its own stream from the result.
"""

import functools
from datetime import datetime

from temporalio import workflow

from domain.aggregates.exit import (
    CompleteExit,
    ExitCommand,
    ExitState,
    NotifyExit,
    SendExitReminder,
    decide,
    fold,
    give_notice,
    initial_state,
    next_reminder,
    reminders_due,
)
from domain.events import DomainEvent
from domain.provenance import system_actor
from workflows.clock import start_of, today
from workflows.contracts.exit import ExitInput, ExitProgress, ExitResult, ExitUpdate
from workflows.contracts.process import Command
from workflows.process import Process

PROCESS = "exit"
REMINDER_TIMER = system_actor("timer:exit-reminder")
EFFECTIVE_DATE_TIMER = system_actor("timer:exit-effective-date")


def status_of(state: ExitState) -> str:
    """The STATUS search attribute staff filter on."""
    match state.status:
        case "not_notified":
            return "notifying"
        case "notified":
            return (
                "awaiting-acknowledgements" if state.unacknowledged else "awaiting-effective-date"
            )
        case other:
            return other


def decide_exit(
    acknowledgement_days: int, state: ExitState, command: ExitCommand
) -> list[DomainEvent]:
    """The exit aggregate's decisions, the notice with its written notices to every other
    signatory (CDCP MoU §27), issued today, so that a notice refused by either writes nothing."""
    if isinstance(command, NotifyExit):
        return give_notice(state, command, today(), acknowledgement_days)
    return decide(state, command)


@workflow.defn(name="Exit")
class ExitWorkflow:
    @workflow.init
    def __init__(self, input: ExitInput) -> None:
        self._interval = input.config.exit_policy.reminder_interval_days
        self._p = Process[ExitState, ExitCommand](
            input,
            kind=PROCESS,
            stream_id=input.process_id,
            initial=initial_state(input.config, input.signatories),
            decide=functools.partial(decide_exit, input.config.exit_policy.acknowledgement_days),
            fold=fold,
            status=status_of,
            deadline=self._next_deadline,
        )

    @workflow.run
    async def run(self, input: ExitInput) -> ExitResult:
        await self._p.begin(input, input.notice, lambda s: s.status != "not_notified")
        await self._p.run_until(
            lambda s: s.status != "notified", self._act_on_due_dates, input, "next exit deadline"
        )
        return self._result()

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> ExitState:
        return self._p.state

    @workflow.query
    def unacknowledged(self) -> list[str]:
        """Other signatories that have not yet acknowledged the written notice."""
        return list(self._p.state.unacknowledged)

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def execute(self, command: Command[ExitUpdate]) -> ExitProgress:
        await self._p.execute(command)
        return self._progress()

    @execute.validator
    def _validate_execute(self, command: Command[ExitUpdate]) -> None:
        self._p.validate(command)

    # ------------------------------------------------------------------------ the process

    async def _act_on_due_dates(self) -> None:
        """On the effective date the membership ends; before it, reminders fall due (P2)."""
        async with self._p.lock:
            state = self._p.state
            if state.status != "notified":
                return
            on = today()
            assert state.effective_on is not None
            if on >= state.effective_on:
                ended = self._p.decide(CompleteExit(ended_on=state.effective_on))
                await self._p.record(ended, EFFECTIVE_DATE_TIMER)
                return
            reminders = [
                event
                for recipient in reminders_due(state, on, self._interval)
                for event in self._p.decide(SendExitReminder(recipient=recipient, sent_on=on))
            ]
            await self._p.record(reminders, REMINDER_TIMER)

    def _next_deadline(self, state: ExitState) -> datetime | None:
        """The next timer: a reminder falling due, or the effective date."""
        if state.status != "notified" or state.effective_on is None:
            return None
        dates = [state.effective_on]
        if (reminder_on := next_reminder(state, self._interval)) is not None:
            dates.append(reminder_on)
        return start_of(min(dates))

    def _progress(self) -> ExitProgress:
        state = self._p.state
        return ExitProgress(status=status_of(state), unacknowledged=state.unacknowledged)

    def _result(self) -> ExitResult:
        state = self._p.state
        assert state.exit_id is not None and state.organisation is not None
        if state.status == "withdrawn":
            return ExitResult(
                exit_id=state.exit_id,
                organisation=state.organisation,
                outcome="withdrawn",
                withdrawn_on=state.withdrawn_on,
            )
        effect = state.effect()
        return ExitResult(
            exit_id=state.exit_id,
            organisation=state.organisation,
            outcome="ended",
            ended_on=state.ended_on,
            bodies_affected=state.bodies_affected,
            bodies=effect.bodies,
            cannot_be_quorate=effect.cannot_be_quorate,
        )
