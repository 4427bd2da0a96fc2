"""The skeleton every Concordat process shares (DESIGN principle 9).

A process is one stream of the log and the one workflow that writes it. This module holds what
every such workflow does the same way, once:
- its state is the fold of its stream: read from the log when the workflow starts (so a workflow
  started again after a termination, a reset or a lost Temporal database carries on where the log
  says it is), or carried across continue-as-new;
- a command comes in one envelope, `Command[C]`, holding the domain's own command and who acts,
  signed; the update validator checks the signature and the person's authority, then runs the
  aggregate's `decide` on it, and the handler decides again under
  the one lock (the state may have moved since), records the events, folds them, and delivers the
  written notices they issued, recording each receipt. A command's `today`, where it has one, is
  the workflow's date, whatever the caller sent;
- a process of a partnership runs only as its partnership's child: started any other way it
  fails before writing anything;
- continue-as-new when Temporal suggests it (or past a history length tests set), once every
  handler has finished, carrying the state and the stream's version;
- the search attributes staff filter on, published whenever they change.
Each workflow adds only its own timers, handlers and queries.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, NoReturn, TypeVar, cast

from pydantic import (
    BaseModel,
)
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from activities.contracts import CONCURRENCY_CONFLICT, READ_STREAM, ReadStream, StreamRead
from domain.authority import NotAuthorisedError, check
from domain.errors import DomainError
from domain.events import DomainEvent, NoticeDelivered, NoticeIssued
from domain.provenance import Actor
from domain.rules.date_policy import dates_of, require_reason_if_late
from domain.streams import partnership_stream
from workflows import search_attributes
from workflows.clock import today, until
from workflows.contracts.process import Carried, ChildInput, Command, ProcessInput, Stream
from workflows.notices import deliver
from workflows.recording import STORE_RETRY, LogMovedOn, record, reject

# The module holding the keys the worker trusts is the worker's own under any runner: a
# sandboxed copy would trust nothing, and cryptography's native code cannot be imported twice.
with workflow.unsafe.imports_passed_through():
    import workflows.signatures as signatures

S = TypeVar("S", bound=BaseModel)
C = TypeVar("C")

EVERY_DATE_HELD_TO_TODAY = "every-staff-date-held-to-today"
"""The patch from which every date staff give is held to today (R9); a history recorded
before it replays with the commands a workflow names as `held_since_patch` unheld, as they
were decided then."""


def require_partnership_parent(partnership: str) -> None:
    """Refuses a process started other than by its partnership's workflow, before it writes
    anything: the partnership records the processes it starts (docs/architecture.md
    principle 8)."""
    parent = workflow.info().parent
    if parent is None or parent.workflow_id != partnership_stream(partnership):
        raise ApplicationError(
            f"{workflow.info().workflow_id} is started by the {partnership} partnership's "
            f"workflow ({partnership_stream(partnership)}), not on its own",
            type="NotStartedByPartnership",
            non_retryable=True,
        )


def nothing_to_resume(process_id: str) -> NoReturn:
    """A process resumed by its partnership whose stream is empty: it was recorded as started
    but never wrote its first event, so there is nothing to carry on."""
    raise ApplicationError(
        f"{process_id} recorded nothing before it stopped; there is nothing to resume",
        type="NothingToResume",
        non_retryable=True,
    )


class Process(Generic[S, C]):
    """The state, stream and lock of one process, and the one way to change them."""

    def __init__(
        self,
        input: ProcessInput[S],
        *,
        kind: str,
        stream_id: str,
        initial: S,
        decide: Callable[[S, C], list[DomainEvent]],
        fold: Callable[[S, Iterable[DomainEvent]], S],
        status: Callable[[S], str],
        deadline: Callable[[S], datetime | None],
        held_since_patch: tuple[type, ...] = (),
    ) -> None:
        self._kind = kind
        self._partnership = input.config.slug
        self._access = input.config.access
        self._decide = decide
        self._fold = fold
        self._status = status
        self._deadline = deadline
        self._held_since_patch = held_since_patch
        self._holds_every_date = True
        self.history_limit = input.continue_as_new_after_events
        carried = input.carried
        self.state = carried.state if carried else initial
        self.stream = carried.stream if carried else Stream(stream_id=stream_id)
        # Commands wait until the state is read from the log and the process's start recorded,
        # unless a previous run carried them over.
        self.ready = carried is not None
        # Handlers and timers that record interleave at the activity; one at a time decides,
        # records and folds.
        self.lock = asyncio.Lock()
        self._published: tuple[str, datetime | None] | None = None
        self._caught_up_at: int | None = None

    # ------------------------------------------------------------------ the log is the record

    async def load(self) -> None:
        """Folds whatever the log already holds for this stream (docs/architecture.md
        principle 8); commands are taken from then on."""
        await self._read()
        self.ready = True

    async def _read(self) -> None:
        if not self.ready:
            await self._read_after(0)
        self.publish()

    async def _read_after(self, version: int) -> list[DomainEvent]:
        """Folds what the log holds past `version` and returns it."""
        read: StreamRead = await workflow.execute_activity(
            READ_STREAM,
            ReadStream(stream_id=self.stream.stream_id, after_version=version),
            result_type=StreamRead,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=STORE_RETRY,
        )
        self.state = self._fold(self.state, read.events)
        self.stream = self.stream.model_copy(update={"version": read.version})
        return read.events

    async def begin(
        self, input: ChildInput[S], start: C | None, started: Callable[[S], bool]
    ) -> None:
        """A process of a partnership: refused unless its partnership started it, its state read
        from the log, and its `start` recorded unless the log has it (None: only resume).
        Commands sent meanwhile (staff act as soon as the partnership answers) are decided once
        the start is recorded."""
        if self._held_since_patch:
            self._holds_every_date = workflow.patched(EVERY_DATE_HELD_TO_TODAY)
        require_partnership_parent(input.config.slug)
        await self._read()
        if not started(self.state):
            if start is None:
                nothing_to_resume(input.process_id)
            await self.step(start, input.actor)
        self.ready = True

    async def run_until(
        self,
        done: Callable[[S], bool],
        on_time: Callable[[], Awaitable[None]],
        input: ProcessInput[S],
        summary: str,
    ) -> None:
        """The process's life after its start: act on what has fallen due, continue as new
        when that is due, and sleep until the next deadline or a change, until `done`; then
        let every handler finish."""
        while True:
            await on_time()
            if done(self.state):
                break
            if self.should_continue_as_new():
                await self.continue_as_new(input)
            await self.wait_for_change(self._deadline(self.state), summary)
        await workflow.wait_condition(workflow.all_handlers_finished)

    # ------------------------------------------------------------------ commands

    def decide(self, command: C) -> list[DomainEvent]:
        """The aggregate's decision, or the update refused in the domain's own words."""
        if (
            isinstance(command, BaseModel)
            and "today" in type(command).model_fields
            and (self._holds_every_date or not isinstance(command, self._held_since_patch))
        ):
            command = command.model_copy(update={"today": today()})
        try:
            return self._decide(self.state, command)
        except DomainError as error:
            reject(error)

    def authorise(self, envelope: Command[Any]) -> None:
        """Refuses, before anything is written, an envelope unsigned or signed by a key this
        worker does not trust, one claiming a system actor, and a person the partnership's
        access data does not allow to issue its command (docs/rules.md A1-A11). Called only from
        update validators, which are not replayed, so a rotated key never breaks a replay."""
        provenance = envelope.actor.provenance
        refused = signatures.verify(envelope.command, provenance, envelope.actor.signature)
        try:
            if refused is not None:
                raise NotAuthorisedError(refused)
            check(self._access, provenance, envelope.command)
        except DomainError as error:
            reject(error)

    def validate(self, envelope: Command[C]) -> None:
        """An update validator: refuses a bad or unauthorised command before anything is
        written. Before the process is ready there is no state to judge the command against;
        the handler decides then."""
        self.authorise(envelope)
        if self.ready:
            events = self.decide(envelope.command)
            # In the validator only, like the signature: a history recorded before this rule
            # replays unchanged.
            try:
                require_reason_if_late(dates_of(events), today(), envelope.actor.provenance.reason)
            except DomainError as error:
                reject(error)

    async def execute(self, envelope: Command[C]) -> list[DomainEvent]:
        """An update handler: once the process is ready, decides again under the lock (the
        state may have moved since validation), records, folds and delivers."""
        await workflow.wait_condition(lambda: self.ready)
        return await self.step(envelope.command, envelope.actor.signed_by_command(envelope.command))

    async def step(self, command: C, actor: Actor) -> list[DomainEvent]:
        """A command from a handler, a timer or the workflow's own start, decided again on the
        state the log holds if it had moved on past this run."""
        async with self.lock:
            return await self.settle(lambda: self.decide(command), actor)

    async def settle(
        self, decision: Callable[[], list[DomainEvent]], actor: Actor
    ) -> list[DomainEvent]:
        """Records what `decision` decides on the state, deciding again on the state the log
        holds for as long as `record` finds it moved on. Called with the lock held."""
        events = decision()
        while not await self.record(events, actor):
            events = decision()
        return events

    async def record(self, events: list[DomainEvent], actor: Actor) -> bool:
        """Appends `events`, folds them, then delivers the notices among them and records
        their receipts. Called with the lock held.

        False when the stream had moved past this run's version (recording.LogMovedOn): what it
        holds is folded instead, its undelivered notices delivered, and nothing of `events`
        written, as they were decided on a state the log no longer has. A caller decides again,
        or, for a timer, leaves it to the next turn of `run_until`, which looks again."""
        if not events:
            return True
        try:
            self.stream = await record(self.stream, events, actor)
        except LogMovedOn as moved:
            if self._caught_up_at == self.stream.version:
                # Caught up and still refused: another writer, which the log must not have.
                raise ApplicationError(str(moved), type=CONCURRENCY_CONFLICT) from moved
            await self._catch_up(actor)
            self._caught_up_at = self.stream.version
            return False
        self.state = self._fold(self.state, events)
        await self._deliver(events, actor)
        return True

    async def _catch_up(self, actor: Actor) -> None:
        """Folds what the log holds past this run's version and delivers the notices among it
        that have no receipt yet."""
        caught = await self._read_after(self.stream.version)
        delivered = {e.notice_id for e in caught if isinstance(e, NoticeDelivered)}
        workflow.logger.warning(
            "%s had moved on to version %d; caught up", self.stream.stream_id, self.stream.version
        )
        undelivered = [
            e for e in caught if isinstance(e, NoticeIssued) and e.notice_id not in delivered
        ]
        await self._deliver(undelivered, actor)

    async def _deliver(self, events: Sequence[DomainEvent], actor: Actor) -> None:
        notices = [e for e in events if isinstance(e, NoticeIssued)]
        if notices:
            self.stream, receipts = await deliver(self.stream, notices, actor)
            self.state = self._fold(self.state, receipts)
        self.publish()

    # ------------------------------------------------------------------ time and history

    async def wait_for_change(self, deadline: datetime | None, summary: str) -> bool:
        """Sleeps until `deadline`, or until something is recorded or continue-as-new falls
        due (the caller then looks again); True when the deadline passed."""
        version = self.stream.version
        try:
            await workflow.wait_condition(
                lambda: self.stream.version != version or self.should_continue_as_new(),
                timeout=until(deadline) if deadline is not None else None,
                timeout_summary=summary,
            )
        except TimeoutError:
            return True
        return False

    def should_continue_as_new(self) -> bool:
        """Temporal suggests it, or the history reached the limit tests set to cross it."""
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            self.history_limit is not None
            and info.get_current_history_length() >= self.history_limit
        )

    async def continue_as_new(self, input: ProcessInput[S]) -> NoReturn:
        """Once every handler has finished, starts the next run with the state carried."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        # Parametrised with the state's own class, the one the input's `carried` field declares.
        carried_type = cast("type[Carried[S]]", Carried.__class_getitem__(type(self.state)))
        carried = carried_type(state=self.state, stream=self.stream)
        workflow.continue_as_new(input.model_copy(update={"carried": carried}))

    # ------------------------------------------------------------------ search attributes

    def publish(self) -> None:
        """Sets the search attributes when the status or the next deadline changed."""
        published = (self._status(self.state), self._deadline(self.state))
        if published != self._published:
            self._published = published
            search_attributes.publish(self._partnership, self._kind, *published)
