"""What an escalation decides: the events each command produces, or why it is refused."""

from datetime import date

from domain.aggregates.escalation.commands import (
    AgreeAction,
    CastVote,
    ClimbEscalation,
    CloseEscalation,
    CompleteAction,
    ConsiderEscalation,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationCommand,
    LevelLapsed,
    NoticeOverdueActions,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.aggregates.escalation.evolve import evolve
from domain.aggregates.escalation.ladder import climb, climb_or_close, close
from domain.aggregates.escalation.notices import level_notices, outcome_notices, overdue_notices
from domain.aggregates.escalation.state import (
    EscalationState,
    level_lapsed,
    name_of,
    next_action_id,
    require_open,
    response_deadline,
)
from domain.aggregates.escalation.vote import cast_vote, decide_vote
from domain.errors import DomainError
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    ClimbReason,
    DomainEvent,
    EscalationConsidered,
    EscalationRaised,
    EscalationResolved,
)
from domain.partnership import LadderStage
from domain.rules.date_policy import not_after_today, not_before, not_before_the_record, within


def decide(state: EscalationState, command: EscalationCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, RaiseEscalation):
        not_before_the_record("an escalation", command.raised_on)
        not_after_today("an escalation", command.raised_on, command.today)
        return _raise(state, command)
    escalation_id = _require_raised(state)
    if dated := _staff_date(command):
        what, day, today = dated
        within(what, day, today, state.raised_on, "the escalation was raised")
        if not isinstance(command, CompleteAction):
            # Entered late, it would contradict the record: on `day` the escalation was at an
            # earlier level, with other bodies to act (an action agreed then may be completed
            # any time after).
            not_before(what, day, state.level_since, f"it reached level {state.level}")
    match command:
        case ConsiderEscalation():
            return _consider(state, escalation_id, command)
        case ReferUp():
            return _refer_up(state, escalation_id, command)
        case DecideEscalation():
            if command.level is not None:
                _require_level(state, command.level)
            return decide_vote(state, escalation_id, command)
        case CastVote():
            _require_level(state, command.level)
            return cast_vote(state, escalation_id, command)
        case DecisionNotAccepted():
            return _not_accepted(state, command)
        case ClimbEscalation():
            return _climb(state, command)
        case LevelLapsed():
            return _lapse(state, command.on)
        case AgreeAction():
            return _agree_action(state, escalation_id, command)
        case CompleteAction():
            return _complete_action(state, escalation_id, command)
        case NoticeOverdueActions():
            require_open(state)
            return overdue_notices(state, escalation_id, command.on)
        case ResolveEscalation():
            return _resolve(state, escalation_id, command)
        case CloseEscalation():
            require_open(state)
            return close(state, escalation_id, command.closed_on, command.reason)


def _staff_date(command: EscalationCommand) -> tuple[str, date, date | None] | None:
    """What a date staff gave stands for, the date and the workflow's today (R9)."""
    match command:
        case ConsiderEscalation():
            return "a consideration", command.considered_on, command.today
        case ReferUp():
            return "a referral", command.referred_on, command.today
        case DecideEscalation():
            return "a decision", command.decided_on, command.today
        case CastVote():
            return "a vote", command.cast_on, command.today
        case AgreeAction():
            return "an agreed action", command.agreed_on, command.today
        case CompleteAction():
            return "an action's completion", command.completed_on, command.today
        case ResolveEscalation():
            return "a resolution", command.resolved_on, command.today
        case CloseEscalation():
            return "a closure", command.closed_on, command.today
        case _:
            return None


def _raise(state: EscalationState, command: RaiseEscalation) -> list[DomainEvent]:
    if state.status != "not_raised":
        raise DomainError(f"escalation {state.escalation_id} has already been raised")
    state.body(command.raised_by)
    for organisation in command.affected:
        state.config.organisation(organisation)
    first = state.config.stage(1)
    if first is None:
        raise DomainError(f"{state.config.slug} has no escalation ladder configured")
    respond_by = command.respond_by or response_deadline(first, command.raised_on)
    if respond_by <= command.raised_on:
        raise DomainError("the response deadline must be after the escalation is raised")
    raised = EscalationRaised(
        partnership=state.config.slug,
        escalation_id=command.escalation_id,
        raised_by=command.raised_by,
        reason=command.reason,
        summary=command.summary,
        raised_on=command.raised_on,
        level=first.level,
        respond_by=respond_by,
        affected=tuple(dict.fromkeys(command.affected)),
    )
    return [raised, *level_notices(evolve(state, raised), command.raised_on, "")]


def _consider(
    state: EscalationState, escalation_id: str, command: ConsiderEscalation
) -> list[DomainEvent]:
    stage = require_open(state)
    _require_handler(stage, command.body)
    return [
        EscalationConsidered(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            level=stage.level,
            body=command.body,
            considered_on=command.considered_on,
            notes=command.notes,
        )
    ]


def _refer_up(state: EscalationState, escalation_id: str, command: ReferUp) -> list[DomainEvent]:
    stage = _require_level(state, command.level)
    _require_handler(stage, command.body)
    following = _require_following(state, stage)
    considered = EscalationConsidered(
        partnership=state.config.slug,
        escalation_id=escalation_id,
        level=stage.level,
        body=command.body,
        considered_on=command.referred_on,
        notes=command.notes,
    )
    note = f"It was referred up by the {name_of(state, command.body)}: {command.notes}"
    respond_by = response_deadline(following, command.referred_on)
    return [
        considered,
        *climb(state, following, command.referred_on, ClimbReason.NOT_RESOLVED, respond_by, note),
    ]


def _not_accepted(state: EscalationState, command: DecisionNotAccepted) -> list[DomainEvent]:
    stage = _require_level(state, command.level)
    if not any(d.level == stage.level and d.carried for d in state.decisions):
        raise DomainError(f"no decision was taken at level {stage.level} ({stage.name})")
    who = name_of(state, command.by)
    note = f"The decision taken at level {stage.level} was not accepted by the {who}: "
    note += command.reason
    return climb_or_close(state, command.on, ClimbReason.DECISION_NOT_ACCEPTED, note)


def _climb(state: EscalationState, command: ClimbEscalation) -> list[DomainEvent]:
    stage = require_open(state)
    following = _require_following(state, stage)
    assert state.respond_by is not None
    if command.reason is ClimbReason.DEADLINE_PASSED and command.climbed_on <= state.respond_by:
        raise DomainError(f"the response deadline {state.respond_by.isoformat()} has not passed")
    respond_by = command.respond_by or response_deadline(following, command.climbed_on)
    if respond_by <= command.climbed_on:
        raise DomainError("the new response deadline must be after the climb")
    return climb(state, following, command.climbed_on, command.reason, respond_by, "")


def _lapse(state: EscalationState, on: date) -> list[DomainEvent]:
    stage = require_open(state)
    if not level_lapsed(state, on):
        assert state.respond_by is not None
        raise DomainError(f"the response deadline {state.respond_by.isoformat()} has not passed")
    note = f"The {stage.name} did not settle it by its response deadline."
    return climb_or_close(state, on, ClimbReason.DEADLINE_PASSED, note)


def _agree_action(
    state: EscalationState, escalation_id: str, command: AgreeAction
) -> list[DomainEvent]:
    stage = require_open(state)
    if command.due_on < command.agreed_on:
        raise DomainError("an action cannot be due before it is agreed")
    name_of(state, command.owner)
    return [
        ActionAgreed(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            action_id=next_action_id(state),
            kind=command.kind,
            description=command.description,
            owner=command.owner,
            due_on=command.due_on,
            agreed_on=command.agreed_on,
            level=stage.level,
        )
    ]


def _complete_action(
    state: EscalationState, escalation_id: str, command: CompleteAction
) -> list[DomainEvent]:
    require_open(state)
    action = state.action(command.action_id)
    if action.completed_on is not None:
        raise DomainError(
            f"action {action.action_id!r} was completed on {action.completed_on.isoformat()}"
        )
    if command.completed_on < action.agreed_on:
        raise DomainError("an action cannot be completed before it was agreed")
    return [
        ActionCompleted(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            action_id=action.action_id,
            completed_on=command.completed_on,
        )
    ]


def _resolve(
    state: EscalationState, escalation_id: str, command: ResolveEscalation
) -> list[DomainEvent]:
    stage = require_open(state)
    if open_actions := [a.action_id for a in state.open_actions]:
        raise DomainError(
            f"actions still open: {', '.join(open_actions)}; an escalation is resolved "
            f"only when its agreed actions are complete (MSE MoU 2020 §7.5-§7.8)"
        )
    resolved = EscalationResolved(
        partnership=state.config.slug,
        escalation_id=escalation_id,
        level=stage.level,
        resolved_on=command.resolved_on,
        resolution=command.resolution,
    )
    return [resolved, *outcome_notices(evolve(state, resolved), command.resolved_on)]


def _require_raised(state: EscalationState) -> str:
    if state.escalation_id is None:
        raise DomainError("no escalation has been raised")
    return state.escalation_id


def _require_level(state: EscalationState, level: int) -> LadderStage:
    """The current stage, refusing a command meant for a level the escalation is not at."""
    stage = require_open(state)
    if level != stage.level:
        raise DomainError(
            f"the escalation is at level {stage.level} ({stage.name}), not level {level}"
        )
    return stage


def _require_handler(stage: LadderStage, body: str) -> None:
    if stage.bodies and body not in stage.bodies:
        raise DomainError(
            f"the escalation is at level {stage.level} ({stage.name}); "
            f"{body} does not handle it there"
        )


def _require_following(state: EscalationState, stage: LadderStage) -> LadderStage:
    following = state.config.stage(stage.level + 1)
    if following is None:
        raise DomainError(
            f"the escalation is at the top of the ladder (level {stage.level}, "
            f"{stage.name}) and must be resolved or closed there"
        )
    return following
