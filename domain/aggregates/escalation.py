"""The escalation aggregate: an issue climbing its partnership's ladder (PROCESSES.md P4).

Ladders come from the configuration: County Durham thematic board -> CDCP Executive -> partner
organisations' governance and the HWBB (`000` ToR §1.2, §1.3, §2); Mid and South Essex's four
issue resolution stages (`003` §8.10); NENC ICP -> ICS Management Group (`004` §24). A decision
at a level uses that body's rules: quorum, conflicts of interest (`000` ToR §6), eligibility
(`003` Annex 1) and the stage's threshold. Actions agreed at a level are tracked to closure.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    ActionKind,
    ClimbReason,
    ConflictRuled,
    ConflictRuling,
    DomainEvent,
    EscalationClimbed,
    EscalationClosed,
    EscalationConsidered,
    EscalationDecided,
    EscalationRaised,
    EscalationReason,
    EscalationResolved,
    ItemChairReplaced,
)
from domain.partnership import LadderStage, Partnership, StageKind
from domain.rules import thresholds
from domain.rules.conflicts import ItemParticipation, apply_rulings
from domain.rules.eligibility import eligible_organisations
from domain.rules.quorum import Attendance


class Action(BaseModel):
    """An action agreed at a level, tracked to completion."""

    model_config = ConfigDict(frozen=True)

    action_id: str
    kind: ActionKind
    owner: str
    due_on: date
    agreed_on: date
    completed_on: date | None = None


class EscalationState(BaseModel):
    """One escalation as its events make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    bodies: tuple[Body, ...]
    status: Literal["not_raised", "open", "resolved", "closed"] = "not_raised"
    escalation_id: str | None = None
    raised_by: str | None = None
    level: int = 0
    respond_by: date | None = None
    decisions: tuple[EscalationDecided, ...] = ()
    actions: tuple[Action, ...] = ()

    @property
    def stage(self) -> LadderStage | None:
        """The ladder stage the escalation is at."""
        return self.config.stage(self.level)

    def body(self, slug: str) -> Body:
        """The body called `slug` as it stood when the escalation began."""
        self.config.body(slug)
        return next(b for b in self.bodies if b.slug == slug)

    def action(self, action_id: str) -> Action:
        """The action called `action_id`; refuses an unknown one."""
        for action in self.actions:
            if action.action_id == action_id:
                return action
        raise DomainError(f"no action {action_id!r} was agreed on this escalation")


def initial_state(config: Partnership, bodies: Iterable[Body] | None = None) -> EscalationState:
    """No escalation raised; `bodies` (default: as configured) are the bodies after any exits."""
    return EscalationState(
        config=config, bodies=tuple(bodies) if bodies is not None else config.bodies
    )


class RaiseEscalation(BaseModel):
    """A body escalates an issue; it starts at the first level of the ladder."""

    model_config = ConfigDict(frozen=True)

    escalation_id: str = Field(min_length=1)
    raised_by: str
    reason: EscalationReason
    summary: str = Field(min_length=1)
    raised_on: date
    respond_by: date


class ConsiderEscalation(BaseModel):
    """A body at the current level (or the independent facilitator) discussed the issue."""

    model_config = ConfigDict(frozen=True)

    body: str = Field(min_length=1)
    considered_on: date
    notes: str = ""


class DecideEscalation(BaseModel):
    """A vote at the current level.

    `present` are the seats attending; `rulings` the Chair's conflict rulings for this item (`000`
    ToR §6); `affected` the partner organisations affected (`003` §8.10(2)).
    """

    model_config = ConfigDict(frozen=True)

    body: str
    decided_on: date
    present: tuple[Attendance, ...]
    in_favour: tuple[str, ...]
    against: tuple[str, ...] = ()
    affected: tuple[str, ...] = ()
    rulings: Mapping[str, ConflictRuling] = Field(default_factory=dict)
    summary: str = Field(min_length=1)


class ClimbEscalation(BaseModel):
    """Move the escalation to the next level."""

    model_config = ConfigDict(frozen=True)

    climbed_on: date
    reason: ClimbReason
    respond_by: date


class AgreeAction(BaseModel):
    """An action agreed at the current level (`003` §7.5-§7.8)."""

    model_config = ConfigDict(frozen=True)

    action_id: str = Field(min_length=1)
    kind: ActionKind
    description: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    due_on: date
    agreed_on: date


class CompleteAction(BaseModel):
    """An agreed action was completed."""

    model_config = ConfigDict(frozen=True)

    action_id: str
    completed_on: date


class ResolveEscalation(BaseModel):
    """The issue is resolved at the current level."""

    model_config = ConfigDict(frozen=True)

    resolved_on: date
    resolution: str = Field(min_length=1)


class CloseEscalation(BaseModel):
    """Close a resolved escalation once every action is complete."""

    model_config = ConfigDict(frozen=True)

    closed_on: date


EscalationCommand = (
    RaiseEscalation
    | ConsiderEscalation
    | DecideEscalation
    | ClimbEscalation
    | AgreeAction
    | CompleteAction
    | ResolveEscalation
    | CloseEscalation
)


def decide(state: EscalationState, command: EscalationCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, RaiseEscalation):
        return _raise(state, command)
    escalation_id = _require_raised(state)
    p = state.config.slug
    match command:
        case ConsiderEscalation():
            stage = _require_open(state)
            if stage.bodies and command.body not in stage.bodies:
                raise DomainError(
                    f"the escalation is at level {stage.level} ({stage.name}); "
                    f"{command.body} does not handle it there"
                )
            return [
                EscalationConsidered(
                    partnership=p,
                    escalation_id=escalation_id,
                    level=stage.level,
                    body=command.body,
                    considered_on=command.considered_on,
                    notes=command.notes,
                )
            ]
        case DecideEscalation():
            return _decide_vote(state, escalation_id, command)
        case ClimbEscalation():
            stage = _require_open(state)
            following = state.config.stage(stage.level + 1)
            if following is None:
                raise DomainError(
                    f"the escalation is at the top of the ladder (level {stage.level}, "
                    f"{stage.name}) and must be resolved there"
                )
            assert state.respond_by is not None
            if command.reason is ClimbReason.DEADLINE_PASSED and (
                command.climbed_on <= state.respond_by
            ):
                raise DomainError(
                    f"the response deadline {state.respond_by.isoformat()} has not passed"
                )
            if command.respond_by <= command.climbed_on:
                raise DomainError("the new response deadline must be after the climb")
            return [
                EscalationClimbed(
                    partnership=p,
                    escalation_id=escalation_id,
                    from_level=stage.level,
                    to_level=following.level,
                    climbed_on=command.climbed_on,
                    reason=command.reason,
                    respond_by=command.respond_by,
                )
            ]
        case AgreeAction():
            if state.status not in ("open", "resolved"):
                raise DomainError(f"escalation {escalation_id} is {state.status}")
            if any(a.action_id == command.action_id for a in state.actions):
                raise DomainError(f"action {command.action_id!r} is already agreed")
            if command.due_on < command.agreed_on:
                raise DomainError("an action cannot be due before it is agreed")
            return [
                ActionAgreed(
                    partnership=p,
                    escalation_id=escalation_id,
                    action_id=command.action_id,
                    kind=command.kind,
                    description=command.description,
                    owner=command.owner,
                    due_on=command.due_on,
                    agreed_on=command.agreed_on,
                    level=state.level,
                )
            ]
        case CompleteAction():
            action = state.action(command.action_id)
            if action.completed_on is not None:
                raise DomainError(
                    f"action {action.action_id!r} was completed on "
                    f"{action.completed_on.isoformat()}"
                )
            if command.completed_on < action.agreed_on:
                raise DomainError("an action cannot be completed before it was agreed")
            return [
                ActionCompleted(
                    partnership=p,
                    escalation_id=escalation_id,
                    action_id=action.action_id,
                    completed_on=command.completed_on,
                )
            ]
        case ResolveEscalation():
            stage = _require_open(state)
            return [
                EscalationResolved(
                    partnership=p,
                    escalation_id=escalation_id,
                    level=stage.level,
                    resolved_on=command.resolved_on,
                    resolution=command.resolution,
                )
            ]
        case CloseEscalation():
            if state.status != "resolved":
                raise DomainError(f"escalation {escalation_id} is {state.status}, not resolved")
            if open_actions := [a.action_id for a in state.actions if a.completed_on is None]:
                raise DomainError(f"actions still open: {', '.join(open_actions)}")
            return [
                EscalationClosed(
                    partnership=p, escalation_id=escalation_id, closed_on=command.closed_on
                )
            ]


def _raise(state: EscalationState, command: RaiseEscalation) -> list[DomainEvent]:
    if state.status != "not_raised":
        raise DomainError(f"escalation {state.escalation_id} has already been raised")
    state.body(command.raised_by)
    first = state.config.stage(1)
    if first is None:
        raise DomainError(f"{state.config.slug} has no escalation ladder configured")
    if command.respond_by <= command.raised_on:
        raise DomainError("the response deadline must be after the escalation is raised")
    return [
        EscalationRaised(
            partnership=state.config.slug,
            escalation_id=command.escalation_id,
            raised_by=command.raised_by,
            reason=command.reason,
            summary=command.summary,
            raised_on=command.raised_on,
            level=first.level,
            respond_by=command.respond_by,
        )
    ]


def _require_raised(state: EscalationState) -> str:
    if state.escalation_id is None:
        raise DomainError("no escalation has been raised")
    return state.escalation_id


def _require_open(state: EscalationState) -> LadderStage:
    stage = state.stage
    if state.status != "open" or stage is None:
        raise DomainError(f"escalation {state.escalation_id} is {state.status}")
    return stage


def _decide_vote(
    state: EscalationState, escalation_id: str, command: DecideEscalation
) -> list[DomainEvent]:
    stage = _require_open(state)
    if stage.kind is not StageKind.DECISION or stage.decision_rule is None:
        raise DomainError(f"level {stage.level} ({stage.name}) does not decide by vote")
    if command.body not in stage.bodies:
        raise DomainError(f"{command.body} does not decide at level {stage.level} ({stage.name})")
    body = state.body(command.body)
    item = f"escalation {escalation_id}"
    participation = apply_rulings(body, item, command.present, command.rulings)
    if not participation.quorum.is_quorate:
        raise DomainError(
            f"{body.slug} is not quorate for this item: {participation.quorum.explanation}"
        )
    _check_voters(participation, command)
    result = _count(state, stage, body, participation, command)
    events: list[DomainEvent] = [
        ConflictRuled(
            partnership=state.config.slug,
            body=body.slug,
            seat=seat,
            item=item,
            ruling=ruling,
            ruled_on=command.decided_on,
            ruled_by=participation.chair or body.chair or "chair",
        )
        for seat, ruling in sorted(command.rulings.items())
    ]
    if participation.chair_replaced and body.chair and participation.chair:
        events.append(
            ItemChairReplaced(
                partnership=state.config.slug,
                body=body.slug,
                item=item,
                conflicted_chair=body.chair,
                acting_chair=participation.chair,
                on=command.decided_on,
            )
        )
    events.append(
        EscalationDecided(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            level=stage.level,
            body=body.slug,
            decided_on=command.decided_on,
            rule=result.rule.value,
            eligible_voters=result.voters,
            in_favour=tuple(sorted(set(command.in_favour))),
            against=tuple(sorted(set(command.against))),
            carried=result.outcome.carried,
            summary=command.summary,
            explanation=result.outcome.explanation,
        )
    )
    return events


def _check_voters(participation: ItemParticipation, command: DecideEscalation) -> None:
    """Refuse a vote from anyone who may not cast one on this item (DESIGN.md principle 7)."""
    if both := set(command.in_favour) & set(command.against):
        raise DomainError(f"{', '.join(sorted(both))} voted both for and against")
    for seat in (*command.in_favour, *command.against):
        if seat in participation.left:
            raise DomainError(f"{seat} left the meeting for this item and cannot vote (ToR §6)")
        if seat in participation.discuss_only:
            raise DomainError(f"{seat} may discuss but not decide this item (000 ToR §6)")
        if seat not in participation.deciding:
            raise DomainError(f"{seat} is not a voting member present for this item")


class _Count(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: DecisionRuleKind
    voters: tuple[str, ...]
    outcome: thresholds.ThresholdResult


def _count(
    state: EscalationState,
    stage: LadderStage,
    body: Body,
    participation: ItemParticipation,
    command: DecideEscalation,
) -> _Count:
    rule = stage.decision_rule
    assert rule is not None
    deciding = participation.deciding
    seat_org = {m.seat: m.organisation for m in body.members}
    eligible_orgs = eligible_organisations(state.config.organisations, stage.annex1_element)
    match rule:
        case DecisionRuleKind.CONSENSUS:
            outcome = thresholds.consensus(deciding, command.against)
            voters = deciding
        case DecisionRuleKind.SIMPLE_MAJORITY:
            outcome = thresholds.simple_majority(deciding, command.in_favour)
            voters = deciding
        case DecisionRuleKind.UNANIMITY:
            outcome = thresholds.unanimity(deciding, command.in_favour, command.against)
            voters = deciding
        case DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE:
            # 003 §8.4: 75% of all eligible members, present or not.
            voters = tuple(m.seat for m in body.voting_members if m.organisation in eligible_orgs)
            outcome = thresholds.three_quarters_of_eligible(voters, command.in_favour)
        case DecisionRuleKind.ELIGIBLE_MAJORITY:
            # 003 §8.10(2): a majority of eligible Partners present who are affected.
            if not command.affected:
                raise DomainError("name the partners affected by the matter (003 §8.10(2))")
            for affected in command.affected:
                state.config.organisation(affected)
            for seat in (*command.in_favour, *command.against):
                organisation = seat_org.get(seat)
                if organisation not in eligible_orgs or organisation not in command.affected:
                    raise DomainError(
                        f"{seat} ({organisation or 'independent'}) is not an eligible partner "
                        f"affected by the matter, so cannot vote (003 §8.10(2), Annex 1)"
                    )
            present_orgs = {seat_org[s] for s in deciding if seat_org.get(s)}
            favour_orgs = {seat_org[s] for s in command.in_favour}
            against_orgs = {seat_org[s] for s in command.against}
            if split := sorted(o for o in favour_orgs & against_orgs if o):
                raise DomainError(f"{', '.join(split)} voted both ways; a partner has one vote")
            voters = tuple(sorted(o for o in present_orgs if o is not None))
            outcome = thresholds.eligible_majority(
                voters, eligible_orgs, command.affected, [o for o in favour_orgs if o]
            )
            voters = tuple(sorted(set(voters) & eligible_orgs & set(command.affected)))
    return _Count(rule=rule, voters=tuple(voters), outcome=outcome)


def evolve(state: EscalationState, event: DomainEvent) -> EscalationState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case EscalationRaised():
            return state.model_copy(
                update={
                    "status": "open",
                    "escalation_id": event.escalation_id,
                    "raised_by": event.raised_by,
                    "level": event.level,
                    "respond_by": event.respond_by,
                }
            )
        case EscalationDecided():
            return state.model_copy(update={"decisions": (*state.decisions, event)})
        case EscalationClimbed():
            return state.model_copy(
                update={"level": event.to_level, "respond_by": event.respond_by}
            )
        case ActionAgreed():
            action = Action(
                action_id=event.action_id,
                kind=event.kind,
                owner=event.owner,
                due_on=event.due_on,
                agreed_on=event.agreed_on,
            )
            return state.model_copy(update={"actions": (*state.actions, action)})
        case ActionCompleted():
            actions = tuple(
                a.model_copy(update={"completed_on": event.completed_on})
                if a.action_id == event.action_id
                else a
                for a in state.actions
            )
            return state.model_copy(update={"actions": actions})
        case EscalationResolved():
            return state.model_copy(update={"status": "resolved"})
        case EscalationClosed():
            return state.model_copy(update={"status": "closed"})
        case _:
            return state


def fold(state: EscalationState, events: Iterable[DomainEvent]) -> EscalationState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)
