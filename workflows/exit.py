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

import asyncio
import contextlib
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.aggregates.exit import (
    AcknowledgeNotice,
    CompleteExit,
    ExitCommand,
    ExitState,
    IssueNotices,
    NotifyExit,
    SendExitReminder,
    WithdrawExit,
    decide,
    fold,
    initial_state,
    next_reminder,
    reminders_due,
)
from domain.errors import DomainError
from domain.events import DomainEvent, NoticeIssued
from domain.partnership import Partnership
from domain.rules.exits import BodyExitEffect
from workflows import search_attributes
from workflows.clock import start_of, today, until
from workflows.history import continue_as_new_due
from workflows.ids import exit_workflow_id
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "exit"
REMINDER_TIMER = "timer:exit-reminder"
EFFECTIVE_DATE_TIMER = "timer:exit-effective-date"


class ExitNotice(BaseModel):
    """The leaving partner's written notice, as staff recorded it (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    notified_on: date
    effective_on: date
    signatory_name: str = Field(min_length=1)
    reason: str = ""


class Carried(BaseModel):
    """Everything a new run needs after continue-as-new."""

    model_config = ConfigDict(frozen=True)

    state: ExitState
    stream: Stream


class ExitInput(BaseModel):
    """The partnership as it stood when notice was given, so a replay sees it as it was then."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    signatories: tuple[str, ...]
    notice: ExitNotice
    actor: str = Field(min_length=1, description="who recorded the notice")
    carried: Carried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, ge=10, description="continue-as-new at this history length (tests)"
    )


class AcknowledgeRequest(BaseModel):
    """A recipient acknowledged the written notice."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    acknowledged_on: date
    acknowledged_by: str = Field(min_length=1)
    actor: str = Field(min_length=1)

    def command(self) -> AcknowledgeNotice:
        return AcknowledgeNotice(
            recipient=self.recipient,
            acknowledged_on=self.acknowledged_on,
            acknowledged_by=self.acknowledged_by,
        )


class WithdrawRequest(BaseModel):
    """The leaving partner withdrew its notice (policy: only before the effective date)."""

    model_config = ConfigDict(frozen=True)

    withdrawn_on: date
    reason: str = ""
    actor: str = Field(min_length=1)

    def command(self) -> WithdrawExit:
        return WithdrawExit(withdrawn_on=self.withdrawn_on, reason=self.reason)


class ExitProgress(BaseModel):
    """What a command returns: small, as every update's result is kept in the history; the
    whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    status: str
    unacknowledged: tuple[str, ...]


class ExitResult(BaseModel):
    """How the exit ended, and what it does to each body's membership and quorum (P2)."""

    model_config = ConfigDict(frozen=True)

    exit_id: str
    organisation: str
    outcome: Literal["ended", "withdrawn"]
    ended_on: date | None = None
    withdrawn_on: date | None = None
    bodies_affected: tuple[str, ...] = ()
    bodies: tuple[BodyExitEffect, ...] = ()
    cannot_be_quorate: tuple[str, ...] = ()


def _decide(state: ExitState, command: ExitCommand) -> list[DomainEvent]:
    try:
        return decide(state, command)
    except DomainError as error:
        reject(error)


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


@workflow.defn(name="Exit")
class ExitWorkflow:
    @workflow.init
    def __init__(self, input: ExitInput) -> None:
        carried = input.carried or Carried(
            state=initial_state(input.config, input.signatories),
            stream=Stream(
                stream_id=exit_workflow_id(
                    input.config.slug, input.notice.organisation, input.notice.notified_on
                )
            ),
        )
        self._state = carried.state
        self._stream = carried.stream
        self._interval = input.config.exit_policy.reminder_interval_days
        # Handlers and timers that record interleave at the activity; one at a time decides,
        # records and folds.
        self._lock = asyncio.Lock()
        self._published: tuple[str, datetime | None] | None = None

    @workflow.run
    async def run(self, input: ExitInput) -> ExitResult:
        self._publish()
        if self._state.status == "not_notified":
            await self._give_notice(input)
        while self._state.status == "notified":
            await self._act_on_due_dates()
            if self._state.status != "notified":
                break
            if self._continue_as_new_due(input):
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._state.status == "notified":
                    workflow.continue_as_new(
                        input.model_copy(
                            update={"carried": Carried(state=self._state, stream=self._stream)}
                        )
                    )
                break
            await self._wait_for_change_or_deadline(input)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._result()

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> ExitState:
        return self._state

    @workflow.query
    def unacknowledged(self) -> list[str]:
        """Other signatories that have not yet acknowledged the written notice."""
        return list(self._state.unacknowledged)

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def acknowledge(self, request: AcknowledgeRequest) -> ExitProgress:
        async with self._lock:
            # Decided again under the lock: the state may have changed since validation.
            await self._record(_decide(self._state, request.command()), request.actor)
        return self._progress()

    @acknowledge.validator
    def _validate_acknowledge(self, request: AcknowledgeRequest) -> None:
        _decide(self._state, request.command())

    @workflow.update
    async def withdraw(self, request: WithdrawRequest) -> ExitProgress:
        async with self._lock:
            await self._record(_decide(self._state, request.command()), request.actor)
        return self._progress()

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawRequest) -> None:
        _decide(self._state, request.command())

    # ------------------------------------------------------------------------ the process

    async def _give_notice(self, input: ExitInput) -> None:
        """CDCP MoU §27: record the notice and write to each of the other signatories.

        Both decisions are taken before anything is recorded, so a notice the domain refuses
        (not a signatory, dates out of order, dated after today) fails the workflow having
        written nothing.
        """
        notice = input.notice
        issued_on = today()
        async with self._lock:
            notified = _decide(
                self._state,
                NotifyExit(
                    exit_id=self._stream.stream_id,
                    organisation=notice.organisation,
                    notified_on=notice.notified_on,
                    effective_on=notice.effective_on,
                    signatory_name=notice.signatory_name,
                ),
            )
            issued = _decide(
                fold(self._state, notified),
                IssueNotices(
                    issued_on=issued_on,
                    acknowledge_by=issued_on
                    + timedelta(days=input.config.exit_policy.acknowledgement_days),
                    reason=notice.reason,
                ),
            )
            await self._record([*notified, *issued], input.actor)
            await self._deliver(issued, input.actor)

    async def _act_on_due_dates(self) -> None:
        """On the effective date the membership ends; before it, reminders fall due (P2)."""
        async with self._lock:
            if self._state.status != "notified":
                return
            on = today()
            effective_on = self._state.effective_on
            assert effective_on is not None
            if on >= effective_on:
                ended = _decide(self._state, CompleteExit(ended_on=effective_on))
                await self._record(ended, EFFECTIVE_DATE_TIMER)
                return
            reminders = [
                event
                for recipient in reminders_due(self._state, on, self._interval)
                for event in _decide(self._state, SendExitReminder(recipient=recipient, sent_on=on))
            ]
            await self._record(reminders, REMINDER_TIMER)
            await self._deliver(reminders, REMINDER_TIMER)

    async def _deliver(self, events: list[DomainEvent], actor: str) -> None:
        notices = [e for e in events if isinstance(e, NoticeIssued)]
        if notices:
            self._stream, receipts = await deliver(self._stream, notices, actor)
            self._apply(list(receipts))

    async def _record(self, events: list[DomainEvent], actor: str) -> None:
        self._stream = await record(self._stream, events, actor)
        self._apply(events)

    def _apply(self, events: list[DomainEvent]) -> None:
        self._state = fold(self._state, events)
        self._publish()

    async def _wait_for_change_or_deadline(self, input: ExitInput) -> None:
        """Sleeps until the next deadline; any change (an acknowledgement, a withdrawal) wakes
        the loop so the next timer is recomputed."""
        seen = self._state
        wake = self._next_deadline()
        assert wake is not None
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: self._state is not seen or self._continue_as_new_due(input),
                timeout=until(wake),
                timeout_summary="next exit deadline",
            )

    def _continue_as_new_due(self, input: ExitInput) -> bool:
        return continue_as_new_due(input.continue_as_new_after_events)

    def _next_deadline(self) -> datetime | None:
        """The next timer: a reminder falling due, or the effective date."""
        if self._state.status != "notified" or self._state.effective_on is None:
            return None
        dates = [self._state.effective_on]
        if (reminder_on := next_reminder(self._state, self._interval)) is not None:
            dates.append(reminder_on)
        return start_of(min(dates))

    def _progress(self) -> ExitProgress:
        return ExitProgress(
            status=status_of(self._state), unacknowledged=self._state.unacknowledged
        )

    def _result(self) -> ExitResult:
        state = self._state
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

    def _publish(self) -> None:
        status, deadline = status_of(self._state), self._next_deadline()
        if self._published == (status, deadline):
            return
        self._published = (status, deadline)
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._state.partnership),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(status),
                search_attributes.NEXT_DEADLINE.value_set(deadline)
                if deadline is not None
                else search_attributes.NEXT_DEADLINE.value_unset(),
            ]
        )
