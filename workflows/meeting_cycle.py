"""One meeting of a body, from the call for agenda items to the approval of minutes (P5).

A Temporal Schedule (`deploy.schedules`) starts this workflow `CALL_FOR_ITEMS_DAYS` before each
meeting of a body with a fixed cadence; the meeting date is derived from the schedule's fire time.
Durable timers then carry the cycle of CDCPE ToR §5: the call for agenda items
to the members' organisations, requests closing 10 days before the meeting (later ones become any
other business), the agenda issued 3 days before (with the ToR §6 declarations and the previous
meeting's minutes as standing items), then the meeting's approval of the previous minutes, after
which the confirmed minutes go to each organisation of the partnership. It is the one writer of
the stream `meeting:{partnership}:{body}:{meeting date}`.
"""

import asyncio
import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.common import SearchAttributeKey

from domain.errors import DomainError
from domain.events import DomainEvent, NoticeIssued
from domain.meetings import (
    MINUTES_WINDOW_DAYS,
    ApproveMinutes,
    CloseCycle,
    CloseRequests,
    IssueAgenda,
    MeetingCommand,
    MeetingState,
    RequestItem,
    ScheduleMeeting,
    decide,
    fold,
    initial_state,
    meeting_date_for,
)
from domain.partnership import Partnership
from workflows import search_attributes
from workflows.clock import end_of, start_of, today, until
from workflows.history import continue_as_new_due
from workflows.ids import meeting_stream
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "meeting"
TIMER = "timer:meeting-cycle"

SCHEDULED_START_TIME = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
"""Set by Temporal on a workflow a schedule starts: the nominal fire time, even on catch-up."""


class Carried(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: MeetingState
    stream: Stream


class MeetingCycleInput(BaseModel):
    """The partnership as configured when the schedule was synced, and the body that meets.

    `meeting_on` is None when a schedule starts the cycle: the meeting date then follows from the
    fire time (`domain.meetings.meeting_date_for`)."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    body: str
    meeting_on: date | None = None
    carried: Carried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, ge=10, description="continue as new at this history length (tests)"
    )


class AgendaItemRequest(BaseModel):
    """A member organisation asks for an item on the agenda (CDCPE ToR §5)."""

    model_config = ConfigDict(frozen=True)

    item: str = Field(min_length=1)
    requested_by: str
    requested_on: date
    actor: str = Field(min_length=1)


class MinutesApprovalRequest(BaseModel):
    """The meeting approved the previous meeting's minutes (CDCPE ToR §5)."""

    model_config = ConfigDict(frozen=True)

    approved_on: date
    reference: str = Field(min_length=1, description="where the confirmed minutes are kept")
    actor: str = Field(min_length=1)


class MeetingProgress(BaseModel):
    """What a command returns; the whole state is the `state` query."""

    model_config = ConfigDict(frozen=True)

    status: str
    agenda_items: tuple[str, ...]
    any_other_business: tuple[str, ...]


class MeetingCycleResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str
    meeting_on: date
    status: str
    minutes_approved: bool


def fired_on() -> date:
    """The schedule's nominal fire date, or the workflow's start date when started by hand."""
    scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START_TIME)
    return scheduled.date() if scheduled is not None else today()


@workflow.defn(name="MeetingCycle")
class MeetingCycleWorkflow:
    @workflow.init
    def __init__(self, input: MeetingCycleInput) -> None:
        if input.carried is not None:
            carried = input.carried
        else:
            meeting_on = input.meeting_on or meeting_date_for(fired_on())
            try:
                state = initial_state(input.config, input.body, meeting_on)
            except DomainError as error:
                reject(error)
            carried = Carried(
                state=state,
                stream=Stream(stream_id=meeting_stream(input.config.slug, input.body, meeting_on)),
            )
        self._state = carried.state
        self._stream = carried.stream
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: MeetingCycleInput) -> MeetingCycleResult:
        if self._state.status == "new":
            try:
                await self._step(ScheduleMeeting(scheduled_on=today()))
            except DomainError as error:
                # A schedule caught up too late for the agenda to be issued in time: nothing to
                # record; staff arrange the meeting by hand.
                workflow.logger.warning("meeting cycle not started: %s", error)
                return self._result()
        while self._state.status != "closed":
            if continue_as_new_due(input.continue_as_new_after_events):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    input.model_copy(
                        update={"carried": Carried(state=self._state, stream=self._stream)}
                    )
                )
            moment, command = self._next_step()
            self._publish(moment)
            try:
                await workflow.wait_condition(
                    functools.partial(self._moved_on, self._progress_key()),
                    timeout=until(moment),
                )
            except TimeoutError:
                await self._step(command(today()))
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._publish(None)
        return self._result()

    def _progress_key(self) -> tuple[str, date | None]:
        return self._state.status, self._state.minutes_approved_on

    def _moved_on(self, key: tuple[str, date | None]) -> bool:
        """A command moved the cycle on, so the next timer is set again."""
        return self._progress_key() != key

    def _next_step(self) -> tuple[datetime, Callable[[date], MeetingCommand]]:
        """The next timer of the cycle (CDCPE ToR §5) and what it does when it fires."""
        s = self._state
        match s.status:
            case "scheduled":
                assert s.agenda_requests_due_on is not None
                # Requests dated on the deadline day are in time: close when it ends.
                return end_of(s.agenda_requests_due_on), lambda on: CloseRequests(on=on)
            case "requests_closed":
                assert s.agenda_issue_by is not None
                return start_of(s.agenda_issue_by), lambda on: IssueAgenda(on=on)
            case _:
                if s.minutes_approved_on is not None:
                    closes_at = end_of(max(s.meeting_on, s.minutes_approved_on))
                else:
                    closes_at = end_of(s.meeting_on + timedelta(days=MINUTES_WINDOW_DAYS))
                return closes_at, lambda on: CloseCycle(on=on)

    def _result(self) -> MeetingCycleResult:
        return MeetingCycleResult(
            stream_id=self._stream.stream_id,
            meeting_on=self._state.meeting_on,
            status=self._state.status,
            minutes_approved=self._state.minutes_approved_on is not None,
        )

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> MeetingState:
        return self._state

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def request_item(self, request: AgendaItemRequest) -> MeetingProgress:
        async with self._lock:
            await self._record(self._decide(self._item(request)), request.actor)
        return self._progress()

    @request_item.validator
    def _validate_request_item(self, request: AgendaItemRequest) -> None:
        self._decide(self._item(request))

    @workflow.update
    async def approve_minutes(self, request: MinutesApprovalRequest) -> MeetingProgress:
        async with self._lock:
            await self._record(self._decide(self._approval(request)), request.actor)
        return self._progress()

    @approve_minutes.validator
    def _validate_approve_minutes(self, request: MinutesApprovalRequest) -> None:
        self._decide(self._approval(request))

    @staticmethod
    def _item(request: AgendaItemRequest) -> RequestItem:
        return RequestItem(
            item=request.item,
            requested_by=request.requested_by,
            requested_on=request.requested_on,
            today=today(),
        )

    @staticmethod
    def _approval(request: MinutesApprovalRequest) -> ApproveMinutes:
        return ApproveMinutes(
            approved_on=request.approved_on, reference=request.reference, today=today()
        )

    def _progress(self) -> MeetingProgress:
        return MeetingProgress(
            status=self._state.status,
            agenda_items=self._state.agenda_items,
            any_other_business=self._state.any_other_business,
        )

    # ------------------------------------------------------------------------ recording

    def _decide(self, command: MeetingCommand) -> list[DomainEvent]:
        try:
            return decide(self._state, command)
        except DomainError as error:
            reject(error)

    async def _step(self, command: MeetingCommand) -> None:
        """A timer's step: decided and recorded under the lock, like a command."""
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
