"""One round of declarations of interest for one body's register (P6).

CDCPE ToR §6 and MoU §23: members complete a declaration annually, may update it at any time,
and the register is formally reviewed six-monthly. Temporal Schedules (`workflows.schedule_plan`)
start an "annual" round every April and a "review" round every six months; this workflow asks each
member's organisation in writing, records each declaration returned, and closes the round at its
return date (a durable timer), naming those still outstanding. A review round ends when staff
record the formal review, which sets the next review date. It is the one writer of the round's
stream (`domain.declarations.round_id`); started again on a stream that has events, it carries on
from them.
"""

from datetime import datetime

from temporalio import workflow

from domain.declarations import (
    CloseRound,
    DeclarationsCommand,
    DeclarationsState,
    RequestDeclarations,
    decide,
    fold,
    initial_state,
    round_id,
)
from domain.errors import DomainError
from domain.provenance import Channel, system_actor
from workflows.clock import end_of, fired_on, today
from workflows.contracts.declarations import (
    DeclarationsInput,
    DeclarationsProgress,
    DeclarationsResult,
    DeclarationsUpdate,
)
from workflows.contracts.process import Command
from workflows.process import Process
from workflows.recording import reject

PROCESS = "declarations"
TIMER = system_actor("timer:declarations")
SCHEDULE = system_actor("schedule:declarations", Channel.SCHEDULE)


def status_of(state: DeclarationsState) -> str:
    """The STATUS search attribute staff filter on."""
    return state.status


def next_deadline(state: DeclarationsState) -> datetime | None:
    """The round's return date, while it is open."""
    if state.status != "open" or state.return_by is None:
        return None
    return end_of(state.return_by)


def closes_now(state: DeclarationsState) -> bool:
    """An open round closes at its return date, an annual one as soon as everyone declared."""
    if state.status != "open":
        return False
    if state.kind == "annual" and not state.outstanding:
        return True
    deadline = next_deadline(state)
    return deadline is not None and workflow.now() >= deadline


@workflow.defn(name="Declarations")
class DeclarationsWorkflow:
    @workflow.init
    def __init__(self, input: DeclarationsInput) -> None:
        self._requested_on = input.requested_on or fired_on()
        try:
            initial = initial_state(input.config, input.body, input.kind)
        except DomainError as error:
            reject(error)
        self._p = Process[DeclarationsState, DeclarationsCommand](
            input,
            kind=PROCESS,
            stream_id=round_id(input.config.slug, input.body, input.kind, self._requested_on),
            initial=initial,
            decide=decide,
            fold=fold,
            status=status_of,
            deadline=next_deadline,
        )

    @workflow.run
    async def run(self, input: DeclarationsInput) -> DeclarationsResult:
        await self._p.load()
        if self._p.state.status == "new":
            await self._p.step(RequestDeclarations(on=self._requested_on), SCHEDULE)
        # A run after continue-as-new is not started by the schedule: it is told its date.
        dated = input.model_copy(update={"requested_on": self._requested_on})
        await self._p.run_until(
            lambda s: s.status != "open", self._close_when_due, dated, "declarations return date"
        )
        state = self._p.state
        assert state.round_id is not None
        return DeclarationsResult(
            round_id=state.round_id,
            kind=state.kind,
            outstanding=state.outstanding_at_close,
            reviewed_on=state.reviewed_on,
            next_review_due_on=state.next_review_due_on,
        )

    @workflow.query
    def state(self) -> DeclarationsState:
        return self._p.state

    @workflow.update
    async def execute(self, command: Command[DeclarationsUpdate]) -> DeclarationsProgress:
        await self._p.execute(command)
        state = self._p.state
        return DeclarationsProgress(status=state.status, outstanding=state.outstanding)

    @execute.validator
    def _validate_execute(self, command: Command[DeclarationsUpdate]) -> None:
        self._p.validate(command)

    async def _close_when_due(self) -> None:
        """Closes the round, decided on the state as it is under the lock: a declaration or the
        review may have come in meanwhile."""
        async with self._p.lock:
            if closes_now(self._p.state):
                await self._p.record(self._p.decide(CloseRound(on=today())), TIMER)
