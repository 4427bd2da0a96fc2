"""A thematic board escalation climbing its partnership's ladder (docs/rules.md P4).

Raised by a body about an outcome not delivered, a work plan exception or an issue between partners
(CDCPE ToR §2, CDCP MoU §10; MSE MoU 2020 §8.6-§8.10; NENC ICS MoU §24), it
climbs the configured ladder. At each level the body is told in writing; staff record the level's
vote (attendance, declared interests and the Chair's rulings, CDCPE ToR §6) and the domain decides
it under the body's rules (quorum ToR §10, consensus §8.3, majority of eligible affected partners
§8.10(2), 75% of eligible members §8.4). A level that does not settle the matter by its response
deadline (a durable timer) climbs; so does one that refers it up or whose decision is not accepted
(§8.10(3)). Actions agreed (MSE MoU 2020 §7.5-§7.8) are tracked to completion with a reminder when
overdue. The workflow ends, returning its result, when the escalation is resolved or closed.
"""

import asyncio
import contextlib
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.aggregates.escalation import (
    Action,
    AgreeAction,
    CloseEscalation,
    CompleteAction,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationCommand,
    EscalationState,
    LevelLapsed,
    NoticeOverdueActions,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
    decide,
    fold,
    initial_state,
    level_lapsed,
    next_action_id,
    next_due,
    overdue_actions,
)
from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ActionKind,
    ConflictRuling,
    DomainEvent,
    EscalationReason,
    NoticeIssued,
)
from domain.partnership import Partnership, StageKind
from domain.rules.quorum import Attendance
from workflows import search_attributes
from workflows.clock import end_of, today, until
from workflows.history import continue_as_new_due
from workflows.ids import escalation_workflow_id
from workflows.notices import deliver
from workflows.recording import Stream, record, reject

PROCESS = "escalation"
LEVEL_DEADLINE_TIMER = "timer:escalation-level-deadline"
ACTION_DUE_TIMER = "timer:escalation-action-due"


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True)

    actor: str = Field(min_length=1, description="who recorded it: a staff user id")


class RaiseRequest(_Request):
    """What the raising body escalates (CDCPE ToR §2; MSE MoU 2020 §8.10)."""

    escalation_id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    raised_by: str
    reason: EscalationReason
    summary: str = Field(min_length=1)
    raised_on: date
    affected: tuple[str, ...] = ()

    def command(self, state: EscalationState) -> RaiseEscalation:
        return RaiseEscalation(
            escalation_id=self.escalation_id,
            raised_by=self.raised_by,
            reason=self.reason,
            summary=self.summary,
            raised_on=self.raised_on,
            affected=self.affected,
        )


class ReferUpRequest(_Request):
    """The body at `level` could not settle the matter and refers it up."""

    level: int
    body: str
    referred_on: date
    notes: str = Field(min_length=1)

    def command(self, state: EscalationState) -> ReferUp:
        return ReferUp(
            level=self.level, body=self.body, referred_on=self.referred_on, notes=self.notes
        )


class DecideRequest(_Request):
    """A level's vote as staff recorded it: attendance, interests, rulings and votes."""

    level: int
    body: str
    decided_on: date
    present: tuple[Attendance, ...]
    in_favour: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    affected: tuple[str, ...] = ()
    declarations: dict[str, str] = Field(default_factory=dict)
    rulings: dict[str, ConflictRuling] = Field(default_factory=dict)
    rule: DecisionRuleKind | None = None
    summary: str = Field(min_length=1)

    def command(self, state: EscalationState) -> DecideEscalation:
        return DecideEscalation(
            level=self.level,
            body=self.body,
            decided_on=self.decided_on,
            present=self.present,
            in_favour=self.in_favour,
            against=self.against,
            affected=self.affected,
            declarations=self.declarations,
            rulings=self.rulings,
            rule=self.rule,
            summary=self.summary,
        )


class NotAcceptedRequest(_Request):
    """A party does not accept the decision taken at `level` (MSE MoU 2020 §8.10(3))."""

    level: int
    by: str
    on: date
    reason: str = Field(min_length=1)

    def command(self, state: EscalationState) -> DecisionNotAccepted:
        return DecisionNotAccepted(level=self.level, by=self.by, on=self.on, reason=self.reason)


class AgreeActionRequest(_Request):
    """An action agreed at the current level (MSE MoU 2020 §7.5-§7.8; CDCPE ToR §2)."""

    kind: ActionKind
    owner: str
    due_on: date
    agreed_on: date
    description: str = Field(min_length=1)

    def command(self, state: EscalationState) -> AgreeAction:
        return AgreeAction(
            action_id=next_action_id(state),
            kind=self.kind,
            description=self.description,
            owner=self.owner,
            due_on=self.due_on,
            agreed_on=self.agreed_on,
        )


class CompleteActionRequest(_Request):
    action_id: str
    completed_on: date

    def command(self, state: EscalationState) -> CompleteAction:
        return CompleteAction(action_id=self.action_id, completed_on=self.completed_on)


class ResolveRequest(_Request):
    resolved_on: date
    summary: str = Field(min_length=1)

    def command(self, state: EscalationState) -> ResolveEscalation:
        return ResolveEscalation(resolved_on=self.resolved_on, resolution=self.summary)


class CloseRequest(_Request):
    closed_on: date
    reason: str = Field(min_length=1)

    def command(self, state: EscalationState) -> CloseEscalation:
        return CloseEscalation(closed_on=self.closed_on, reason=self.reason)


_Command = (
    ReferUpRequest
    | DecideRequest
    | NotAcceptedRequest
    | AgreeActionRequest
    | CompleteActionRequest
    | ResolveRequest
    | CloseRequest
)


class EscalationCarried(BaseModel):
    """Everything a continued run needs: the folded state and the stream's version."""

    model_config = ConfigDict(frozen=True)

    state: EscalationState
    stream: Stream


class EscalationInput(BaseModel):
    """The configuration and the bodies as they stand (after any exits) are part of the input,
    so a replay sees the partnership as it was when the escalation was raised."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    bodies: tuple[Body, ...] | None = None
    raised: RaiseRequest
    carried: EscalationCarried | None = None
    continue_as_new_after_events: int | None = Field(
        default=None, description="also continue as new past this history length (tests)"
    )

    @property
    def workflow_id(self) -> str:
        return escalation_workflow_id(self.config.slug, self.raised.escalation_id)


class LevelView(BaseModel):
    """Where the escalation is: the level, who handles it and its response deadline."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    kind: StageKind
    bodies: tuple[str, ...]
    respond_by: date | None
    deadline: datetime | None


class EscalationResult(BaseModel):
    """How the escalation ended: resolved or closed, where, when and why."""

    model_config = ConfigDict(frozen=True)

    escalation_id: str
    partnership: str
    status: str
    level: int
    ended_on: date | None
    outcome: str
    actions: tuple[Action, ...]
    state: EscalationState


def _decide(state: EscalationState, command: EscalationCommand) -> list[DomainEvent]:
    try:
        return decide(state, command)
    except DomainError as error:
        reject(error)


def status_of(state: EscalationState) -> str:
    """The STATUS search attribute: "at-level-N", "resolved" or "closed"."""
    return f"at-level-{state.level}" if state.status == "open" else state.status


@workflow.defn(name="Escalation")
class EscalationWorkflow:
    @workflow.init
    def __init__(self, input: EscalationInput) -> None:
        carried = input.carried
        self._input = input
        self._state = carried.state if carried else initial_state(input.config, input.bodies)
        self._stream = carried.stream if carried else Stream(stream_id=input.workflow_id)
        # Updates and timers that record interleave at the activity; one at a time decides,
        # records and folds.
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: EscalationInput) -> EscalationResult:
        if self._state.status == "not_raised":
            async with self._lock:
                # A refused raise fails the start with the domain's words; nothing is written.
                events = _decide(self._state, input.raised.command(self._state))
                await self._record(events, input.raised.actor)
        self._publish()
        while self._state.status == "open":
            if self._continue_as_new_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                carried = EscalationCarried(state=self._state, stream=self._stream)
                workflow.continue_as_new(input.model_copy(update={"carried": carried}))
            await self._wait_for_change_or_deadline()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return EscalationResult(
            escalation_id=input.raised.escalation_id,
            partnership=input.config.slug,
            status=self._state.status,
            level=self._state.level,
            ended_on=self._state.ended_on,
            outcome=self._state.outcome,
            actions=self._state.actions,
            state=self._state,
        )

    @workflow.query
    def state(self) -> EscalationState:
        return self._state

    @workflow.query
    def level(self) -> LevelView | None:
        """The current level, or None before the raise is recorded."""
        stage = self._state.stage
        if stage is None:
            return None
        respond_by = self._state.respond_by if self._state.status == "open" else None
        return LevelView(
            level=stage.level,
            name=stage.name,
            kind=stage.kind,
            bodies=stage.bodies,
            respond_by=respond_by,
            deadline=end_of(respond_by) if respond_by else None,
        )

    @workflow.update
    async def refer_up(self, request: ReferUpRequest) -> EscalationState:
        return await self._apply(request)

    @refer_up.validator
    def _validate_refer_up(self, request: ReferUpRequest) -> None:
        self._validate(request)

    @workflow.update
    async def decide(self, request: DecideRequest) -> EscalationState:
        return await self._apply(request)

    @decide.validator
    def _validate_decide(self, request: DecideRequest) -> None:
        self._validate(request)

    @workflow.update
    async def not_accepted(self, request: NotAcceptedRequest) -> EscalationState:
        return await self._apply(request)

    @not_accepted.validator
    def _validate_not_accepted(self, request: NotAcceptedRequest) -> None:
        self._validate(request)

    @workflow.update
    async def agree_action(self, request: AgreeActionRequest) -> EscalationState:
        return await self._apply(request)

    @agree_action.validator
    def _validate_agree_action(self, request: AgreeActionRequest) -> None:
        self._validate(request)

    @workflow.update
    async def complete_action(self, request: CompleteActionRequest) -> EscalationState:
        return await self._apply(request)

    @complete_action.validator
    def _validate_complete_action(self, request: CompleteActionRequest) -> None:
        self._validate(request)

    @workflow.update
    async def resolve(self, request: ResolveRequest) -> EscalationState:
        return await self._apply(request)

    @resolve.validator
    def _validate_resolve(self, request: ResolveRequest) -> None:
        self._validate(request)

    @workflow.update
    async def close(self, request: CloseRequest) -> EscalationState:
        return await self._apply(request)

    @close.validator
    def _validate_close(self, request: CloseRequest) -> None:
        self._validate(request)

    def _validate(self, request: _Command) -> None:
        """Refuse a bad command before anything is written. An update can arrive before the run
        has recorded the raise; it is judged against the state the raise will make."""
        state = self._state
        if state.status == "not_raised":
            with contextlib.suppress(DomainError):
                state = fold(state, decide(state, self._input.raised.command(state)))
        _decide(state, request.command(state))

    async def _apply(self, request: _Command) -> EscalationState:
        await workflow.wait_condition(lambda: self._state.status != "not_raised")
        async with self._lock:
            # Decided again under the lock: a timer or another update may have moved the
            # escalation since this one was validated.
            events = _decide(self._state, request.command(self._state))
            await self._record(events, request.actor)
        return self._state

    async def _record(self, events: list[DomainEvent], actor: str) -> None:
        """Record, fold, then deliver the notices among `events` and record their receipts."""
        self._stream = await record(self._stream, events, actor)
        self._state = fold(self._state, events)
        notices = [e for e in events if isinstance(e, NoticeIssued)]
        if notices:
            self._stream, receipts = await deliver(self._stream, notices, actor)
            self._state = fold(self._state, receipts)
        self._publish()

    async def _wait_for_change_or_deadline(self) -> None:
        due = next_due(self._state)
        assert due is not None
        seen = self._state
        try:
            await workflow.wait_condition(
                lambda: self._state is not seen or self._continue_as_new_due(),
                timeout=until(end_of(due)),
            )
        except TimeoutError:
            await self._on_time()

    async def _on_time(self) -> None:
        """The level's deadline or an action's due date passed: climb, close or remind."""
        async with self._lock:
            on = today()
            if level_lapsed(self._state, on):
                events = _decide(self._state, LevelLapsed(on=on))
                await self._record(events, LEVEL_DEADLINE_TIMER)
            if overdue_actions(self._state, on):
                events = _decide(self._state, NoticeOverdueActions(on=on))
                await self._record(events, ACTION_DUE_TIMER)

    def _continue_as_new_due(self) -> bool:
        return continue_as_new_due(self._input.continue_as_new_after_events)

    def _publish(self) -> None:
        due = next_due(self._state)
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._state.config.slug),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(status_of(self._state)),
                search_attributes.NEXT_DEADLINE.value_set(end_of(due))
                if due
                else search_attributes.NEXT_DEADLINE.value_unset(),
            ]
        )
