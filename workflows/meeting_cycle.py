"""One meeting of a body, from the call for agenda items to the approval of minutes (P5).

A Temporal Schedule (`workflows.schedule_plan`) starts this workflow `CALL_FOR_ITEMS_DAYS` before
each meeting of a body with a fixed cadence; the meeting date is derived from the schedule's fire
time. Durable timers then carry the cycle of CDCPE ToR §5: the call for agenda items to the
members' organisations, requests closing 10 days before the meeting (later ones become any
other business), the agenda issued 3 days before (with the ToR §6 declarations and the previous
meeting's minutes as standing items), then the meeting's approval of the previous minutes, after
which the confirmed minutes go to each organisation of the partnership. It is the one writer of
the stream `meeting:{partnership}:{body}:{meeting date}`; started again on a stream that has
events, it carries on from them.
"""

from datetime import date, datetime, timedelta

from temporalio import workflow

from domain.errors import DomainError
from domain.events import DomainEvent
from domain.meetings import (
    MINUTES_WINDOW_DAYS,
    CloseCycle,
    CloseRequests,
    IssueAgenda,
    MeetingCommand,
    MeetingState,
    ScheduleMeeting,
    decide,
    fold,
    initial_state,
    meeting_date_for,
)
from domain.provenance import Channel, system_actor
from domain.streams import meeting_stream
from workflows.clock import end_of, fired_on, start_of, today
from workflows.contracts.meeting_cycle import (
    MeetingCycleInput,
    MeetingCycleResult,
    MeetingProgress,
    MeetingUpdate,
)
from workflows.contracts.process import Command
from workflows.process import Process
from workflows.recording import reject

PROCESS = "meeting"
TIMER = system_actor("timer:meeting-cycle")
SCHEDULE = system_actor("schedule:meeting-cycle", Channel.SCHEDULE)


STATUTORY_CALENDAR = "statutory-calendar"
"""The patch from which a cycle counts its deadlines by the statutory calendar (docs/rules.md
P5.7); a cycle recorded before it replays with calendar days."""


def status_of(state: MeetingState) -> str:
    """The STATUS search attribute staff filter on."""
    return state.status


def next_deadline(state: MeetingState) -> datetime | None:
    """The next timer of the cycle (CDCPE ToR §5), or None before it starts and once closed."""
    match state.status:
        case "new" | "closed":
            return None
        case "scheduled":
            assert state.agenda_requests_due_on is not None
            # Requests dated on the deadline day are in time: close when it ends.
            return end_of(state.agenda_requests_due_on)
        case "requests_closed":
            assert state.agenda_issue_by is not None
            return start_of(state.agenda_issue_by)
        case "agenda_issued":
            if state.minutes_approved_on is not None:
                return end_of(max(state.held_on, state.minutes_approved_on))
            return end_of(state.held_on + timedelta(days=MINUTES_WINDOW_DAYS))


def timer_command(state: MeetingState, on: date) -> MeetingCommand:
    """What the cycle's timer does when its deadline passes."""
    match state.status:
        case "scheduled":
            return CloseRequests(on=on)
        case "requests_closed":
            return IssueAgenda(on=on)
        case _:
            return CloseCycle(on=on)


@workflow.defn(name="MeetingCycle")
class MeetingCycleWorkflow:
    @workflow.init
    def __init__(self, input: MeetingCycleInput) -> None:
        meeting_on = input.meeting_on or meeting_date_for(fired_on())
        try:
            initial = initial_state(input.config, input.body, meeting_on)
        except DomainError as error:
            reject(error)
        self._p = Process[MeetingState, MeetingCommand](
            input,
            kind=PROCESS,
            stream_id=meeting_stream(input.config.slug, input.body, meeting_on),
            initial=initial,
            decide=decide,
            fold=fold,
            status=status_of,
            deadline=next_deadline,
        )

    @workflow.run
    async def run(self, input: MeetingCycleInput) -> MeetingCycleResult:
        await self._p.load()
        if self._p.state.status == "new" and not await self._schedule():
            return self._result()
        # A run after continue-as-new is not started by the schedule: it is told its date.
        dated = input.model_copy(update={"meeting_on": self._p.state.meeting_on})
        await self._p.run_until(
            lambda s: s.status == "closed", self._act_on_due_date, dated, "next meeting deadline"
        )
        return self._result()

    # ------------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> MeetingState:
        return self._p.state

    # ------------------------------------------------------------------------ commands

    @workflow.update
    async def execute(self, command: Command[MeetingUpdate]) -> MeetingProgress:
        await self._p.execute(command)
        state = self._p.state
        return MeetingProgress(
            status=state.status,
            agenda_items=state.agenda_items,
            any_other_business=state.any_other_business,
        )

    @execute.validator
    def _validate_execute(self, command: Command[MeetingUpdate]) -> None:
        self._p.validate(command)

    # ------------------------------------------------------------------------ the cycle

    async def _schedule(self) -> bool:
        """Sends the call for items; False when the meeting is too close for the agenda to be
        issued in time (a schedule that caught up too late): nothing is recorded and staff
        arrange the meeting by hand."""
        refused: list[DomainError] = []

        def decision() -> list[DomainEvent]:
            if self._p.state.status != "new":
                return []  # the log this run caught up on holds it
            try:
                command = ScheduleMeeting(
                    scheduled_on=today(), statutory_calendar=workflow.patched(STATUTORY_CALENDAR)
                )
                return decide(self._p.state, command)
            except DomainError as error:
                workflow.logger.warning("meeting cycle not started: %s", error)
                refused.append(error)
                return []

        async with self._p.lock:
            await self._p.settle(decision, SCHEDULE)
        return not refused

    async def _act_on_due_date(self) -> None:
        """Once the next deadline has passed, the timer's step (CDCPE ToR §5), decided on the
        state as it is under the lock: a command may have moved the cycle on meanwhile."""
        async with self._p.lock:
            deadline = next_deadline(self._p.state)
            if deadline is None or workflow.now() < deadline:
                return
            events = self._p.decide(timer_command(self._p.state, today()))
            await self._p.record(events, TIMER)

    def _result(self) -> MeetingCycleResult:
        state = self._p.state
        return MeetingCycleResult(
            stream_id=self._p.stream.stream_id,
            meeting_on=state.meeting_on,
            status=state.status,
            minutes_approved=state.minutes_approved_on is not None,
        )
