"""The escalation aggregate: an issue climbing its partnership's ladder (PROCESSES.md P4).

Ladders come from the configuration: County Durham thematic board -> CDCP Executive -> partner
organisations' governance and the HWBB (`000` ToR §1.2, §1.3, §2); Mid and South Essex's four
issue resolution stages (`003` §8.10); NENC ICP -> ICS Management Group (`004` §24). A decision
at a level uses that body's rules: quorum, conflicts of interest (`000` ToR §6), eligibility
(`003` Annex 1) and the stage's threshold. Actions agreed at a level are tracked to closure.

How it ends: RESOLVED at a level once every agreed action is complete (`003` §7.5-§7.8 actions
"tracked to closure"), or CLOSED unresolved, by staff or because the top of the ladder did not
settle it by its deadline. A level that does not settle the matter by its response deadline, or
refers it up, or whose decision is not accepted, passes it to the next level (`003` §8.10(3): "if
not accepted or no decision"). An inquorate meeting transacts no business, so its vote is refused
(`000` ToR §10); a quorate vote that does not reach its threshold is recorded as "no decision"
and the level may try again until its deadline.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    ActionKind,
    ActionOverdue,
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
    InterestDeclared,
    ItemChairReplaced,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
)
from domain.letters.escalation import (
    EscalationParticulars,
    level_notice,
    outcome_notice,
    overdue_action_notice,
)
from domain.notices import Document, issue
from domain.partnership import LadderStage, Partnership, StageKind
from domain.rules import thresholds
from domain.rules.conflicts import ItemParticipation, apply_rulings
from domain.rules.eligibility import Annex1Element, eligible_organisations
from domain.rules.quorum import Attendance


class Action(BaseModel):
    """An action agreed at a level, tracked to completion."""

    model_config = ConfigDict(frozen=True)

    action_id: str
    kind: ActionKind
    owner: str
    due_on: date
    agreed_on: date
    description: str = ""
    completed_on: date | None = None
    overdue_on: date | None = None


class NoticeRecord(BaseModel):
    """A written notice of this escalation and whether the channel has taken it."""

    model_config = ConfigDict(frozen=True)

    notice_id: str
    kind: NoticeKind
    recipient: str
    issued_on: date
    delivered_on: date | None = None


class EscalationState(BaseModel):
    """One escalation as its events make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    bodies: tuple[Body, ...]
    status: Literal["not_raised", "open", "resolved", "closed"] = "not_raised"
    escalation_id: str | None = None
    raised_by: str | None = None
    reason: EscalationReason | None = None
    summary: str = ""
    raised_on: date | None = None
    affected: tuple[str, ...] = ()
    level: int = 0
    respond_by: date | None = None
    decisions: tuple[EscalationDecided, ...] = ()
    actions: tuple[Action, ...] = ()
    notices: tuple[NoticeRecord, ...] = ()
    ended_on: date | None = None
    outcome: str = ""

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

    @property
    def open_actions(self) -> tuple[Action, ...]:
        """Agreed actions not yet completed."""
        return tuple(a for a in self.actions if a.completed_on is None)


def initial_state(config: Partnership, bodies: Iterable[Body] | None = None) -> EscalationState:
    """No escalation raised; `bodies` (default: as configured) are the bodies after any exits."""
    return EscalationState(
        config=config, bodies=tuple(bodies) if bodies is not None else config.bodies
    )


def response_deadline(stage: LadderStage, on: date) -> date:
    """When a level reached on `on` must have settled the matter (P4 policy: `response_days`)."""
    return on + timedelta(days=stage.response_days)


def next_action_id(state: EscalationState) -> str:
    """The id the next agreed action gets: a1, a2, ... in the order they are agreed."""
    return f"a{len(state.actions) + 1}"


def next_due(state: EscalationState) -> date | None:
    """The next date on which time alone changes the escalation, or None when it has ended.

    The level's response deadline, or the due date of the earliest open action whose owner has
    not yet been reminded, whichever comes first.
    """
    if state.status != "open" or state.respond_by is None:
        return None
    pending = [a.due_on for a in state.open_actions if a.overdue_on is None]
    return min([state.respond_by, *pending])


def level_lapsed(state: EscalationState, on: date) -> bool:
    """Whether the current level's response deadline has passed on `on`."""
    return state.status == "open" and state.respond_by is not None and on > state.respond_by


def overdue_actions(state: EscalationState, on: date) -> tuple[Action, ...]:
    """Open actions past their due date on `on` whose owners have not yet been reminded."""
    if state.status != "open":
        return ()
    return tuple(a for a in state.open_actions if a.overdue_on is None and on > a.due_on)


class RaiseEscalation(BaseModel):
    """A body escalates an issue; it starts at the first level of the ladder.

    `respond_by` defaults to the first level's response window (P4 policy).
    """

    model_config = ConfigDict(frozen=True)

    escalation_id: str = Field(min_length=1)
    raised_by: str
    reason: EscalationReason
    summary: str = Field(min_length=1)
    raised_on: date
    respond_by: date | None = None
    affected: tuple[str, ...] = ()


class ConsiderEscalation(BaseModel):
    """A body at the current level (or the independent facilitator) discussed the issue."""

    model_config = ConfigDict(frozen=True)

    body: str = Field(min_length=1)
    considered_on: date
    notes: str = ""


class ReferUp(BaseModel):
    """The body at `level` considered the issue and could not settle it: it goes up a level.

    `000` ToR §1.2 (boards answerable to the Executive), §2 (the Executive "acting as an
    escalation point"); `003` §8.10(1)-(3); `004` §24.
    """

    model_config = ConfigDict(frozen=True)

    level: int
    body: str = Field(min_length=1)
    referred_on: date
    notes: str = Field(min_length=1)


class DecideEscalation(BaseModel):
    """A vote at the current level.

    `present` are the seats attending; `declarations` the interests declared for this item and
    `rulings` the Chair's ruling on each (`000` ToR §6); `affected` the partner organisations
    affected (`003` §8.10(2); default: those named when the escalation was raised). `rule` picks
    another of the body's configured rules for this matter, for example the Partnership Board's
    75% rule for NHS capital and transformation funding (`003` §8.4); by default the stage's.
    `level`, when given, must be the current level, so a vote is never recorded at a level the
    escalation has already left.
    """

    model_config = ConfigDict(frozen=True)

    body: str
    decided_on: date
    present: tuple[Attendance, ...]
    in_favour: tuple[str, ...]
    against: tuple[str, ...] = ()
    affected: tuple[str, ...] = ()
    declarations: Mapping[str, str] = Field(default_factory=dict)
    rulings: Mapping[str, ConflictRuling] = Field(default_factory=dict)
    rule: DecisionRuleKind | None = None
    summary: str = Field(min_length=1)
    level: int | None = None


class DecisionNotAccepted(BaseModel):
    """A party did not accept the decision taken at `level`: it goes up (`003` §8.10(3))."""

    model_config = ConfigDict(frozen=True)

    level: int
    by: str = Field(min_length=1)
    on: date
    reason: str = Field(min_length=1)


class ClimbEscalation(BaseModel):
    """Move the escalation to the next level; `respond_by` defaults to that level's window."""

    model_config = ConfigDict(frozen=True)

    climbed_on: date
    reason: ClimbReason
    respond_by: date | None = None


class LevelLapsed(BaseModel):
    """The current level's response deadline passed unsettled: climb, or close at the top."""

    model_config = ConfigDict(frozen=True)

    on: date


class AgreeAction(BaseModel):
    """An action agreed at the current level (`003` §7.5-§7.8; `000` ToR §2)."""

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


class NoticeOverdueActions(BaseModel):
    """Remind the owners of actions that passed their due date on or before `on`."""

    model_config = ConfigDict(frozen=True)

    on: date


class ResolveEscalation(BaseModel):
    """The issue is resolved at the current level; every agreed action must be complete."""

    model_config = ConfigDict(frozen=True)

    resolved_on: date
    resolution: str = Field(min_length=1)


class CloseEscalation(BaseModel):
    """Staff close the escalation unresolved, saying why."""

    model_config = ConfigDict(frozen=True)

    closed_on: date
    reason: str = Field(min_length=1)


EscalationCommand = (
    RaiseEscalation
    | ConsiderEscalation
    | ReferUp
    | DecideEscalation
    | DecisionNotAccepted
    | ClimbEscalation
    | LevelLapsed
    | AgreeAction
    | CompleteAction
    | NoticeOverdueActions
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
            _require_handler(stage, command.body)
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
        case ReferUp():
            stage = _require_level(state, command.level)
            _require_handler(stage, command.body)
            following = _require_following(state, stage)
            considered = EscalationConsidered(
                partnership=p,
                escalation_id=escalation_id,
                level=stage.level,
                body=command.body,
                considered_on=command.referred_on,
                notes=command.notes,
            )
            note = f"It was referred up by the {_name(state, command.body)}: {command.notes}"
            return [
                considered,
                *_climb(
                    state,
                    following,
                    command.referred_on,
                    ClimbReason.NOT_RESOLVED,
                    response_deadline(following, command.referred_on),
                    note,
                ),
            ]
        case DecideEscalation():
            if command.level is not None:
                _require_level(state, command.level)
            return _decide_vote(state, escalation_id, command)
        case DecisionNotAccepted():
            stage = _require_level(state, command.level)
            if not any(d.level == stage.level and d.carried for d in state.decisions):
                raise DomainError(f"no decision was taken at level {stage.level} ({stage.name})")
            who = _name(state, command.by)
            note = f"The decision taken at level {stage.level} was not accepted by the {who}: "
            note += command.reason
            return _climb_or_close(state, command.on, ClimbReason.DECISION_NOT_ACCEPTED, note)
        case ClimbEscalation():
            stage = _require_open(state)
            following = _require_following(state, stage)
            assert state.respond_by is not None
            if command.reason is ClimbReason.DEADLINE_PASSED and (
                command.climbed_on <= state.respond_by
            ):
                raise DomainError(
                    f"the response deadline {state.respond_by.isoformat()} has not passed"
                )
            respond_by = command.respond_by or response_deadline(following, command.climbed_on)
            if respond_by <= command.climbed_on:
                raise DomainError("the new response deadline must be after the climb")
            return _climb(state, following, command.climbed_on, command.reason, respond_by, "")
        case LevelLapsed():
            stage = _require_open(state)
            if not level_lapsed(state, command.on):
                assert state.respond_by is not None
                raise DomainError(
                    f"the response deadline {state.respond_by.isoformat()} has not passed"
                )
            note = f"The {stage.name} did not settle it by its response deadline."
            return _climb_or_close(state, command.on, ClimbReason.DEADLINE_PASSED, note)
        case AgreeAction():
            stage = _require_open(state)
            if any(a.action_id == command.action_id for a in state.actions):
                raise DomainError(f"action {command.action_id!r} is already agreed")
            if command.due_on < command.agreed_on:
                raise DomainError("an action cannot be due before it is agreed")
            _name(state, command.owner)
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
                    level=stage.level,
                )
            ]
        case CompleteAction():
            _require_open(state)
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
        case NoticeOverdueActions():
            _require_open(state)
            return _overdue(state, escalation_id, command.on)
        case ResolveEscalation():
            stage = _require_open(state)
            if open_actions := [a.action_id for a in state.open_actions]:
                raise DomainError(
                    f"actions still open: {', '.join(open_actions)}; an escalation is resolved "
                    f"only when its agreed actions are complete (003 §7.5-§7.8)"
                )
            resolved = EscalationResolved(
                partnership=p,
                escalation_id=escalation_id,
                level=stage.level,
                resolved_on=command.resolved_on,
                resolution=command.resolution,
            )
            return [resolved, *_outcome(evolve(state, resolved), command.resolved_on)]
        case CloseEscalation():
            _require_open(state)
            return _close(state, escalation_id, command.closed_on, command.reason)


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
    return [raised, *_level_notices(evolve(state, raised), command.raised_on, "")]


def _require_raised(state: EscalationState) -> str:
    if state.escalation_id is None:
        raise DomainError("no escalation has been raised")
    return state.escalation_id


def _require_open(state: EscalationState) -> LadderStage:
    stage = state.stage
    if state.status != "open" or stage is None:
        raise DomainError(f"escalation {state.escalation_id} is {state.status}")
    return stage


def _require_level(state: EscalationState, level: int) -> LadderStage:
    """The current stage, refusing a command meant for a level the escalation is not at."""
    stage = _require_open(state)
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


def _name(state: EscalationState, slug: str) -> str:
    """The name of the body or organisation `slug`; refuses one the partnership does not have."""
    for body in state.config.bodies:
        if body.slug == slug:
            return body.name
    for organisation in state.config.organisations:
        if organisation.slug == slug:
            return organisation.name
    raise DomainError(f"{slug!r} is neither a body nor an organisation of {state.config.slug}")


def _particulars(state: EscalationState) -> EscalationParticulars:
    assert state.escalation_id and state.raised_by and state.reason and state.raised_on
    return EscalationParticulars(
        escalation_id=state.escalation_id,
        partnership_name=state.config.name,
        raised_by_name=_name(state, state.raised_by),
        reason=state.reason,
        summary=state.summary,
        raised_on=state.raised_on,
    )


def level_recipients(state: EscalationState) -> tuple[str, ...]:
    """Who is told in writing that the escalation reached its current level.

    The level's bodies; for the independent facilitator, the bodies of the level below, which
    select the facilitator (`003` §8.10(3)); at the partner governance level, the affected
    partner organisations as well as the upward bodies (`000` ToR §1.3).
    """
    stage = state.stage
    if stage is None:
        return ()
    recipients = list(stage.bodies)
    if stage.kind is StageKind.INDEPENDENT_FACILITATOR:
        below = state.config.stage(stage.level - 1)
        recipients += list(below.bodies) if below else []
    if stage.kind is StageKind.PARTNER_GOVERNANCE:
        recipients += list(state.affected)
    return tuple(dict.fromkeys(recipients))


def _issued(state: EscalationState, document: Document, on: date) -> NoticeIssued:
    assert state.escalation_id is not None
    return issue(
        document,
        partnership=state.config.slug,
        process=ProcessKind.ESCALATION,
        process_id=state.escalation_id,
        issued_on=on,
        respond_by=state.respond_by if document.kind is NoticeKind.ESCALATION else None,
    )


def _level_notices(state: EscalationState, on: date, note: str) -> list[DomainEvent]:
    stage = state.stage
    assert stage is not None and state.respond_by is not None
    particulars = _particulars(state)
    return [
        _issued(
            state,
            level_notice(
                particulars,
                level=stage.level,
                stage_name=stage.name,
                clause=stage.clause,
                recipient=recipient,
                recipient_name=_name(state, recipient),
                issued_on=on,
                respond_by=state.respond_by,
                note=note,
            ),
            on,
        )
        for recipient in level_recipients(state)
    ]


def _outcome(state: EscalationState, on: date) -> list[DomainEvent]:
    assert state.raised_by is not None
    document = outcome_notice(
        _particulars(state),
        resolved=state.status == "resolved",
        outcome=state.outcome,
        recipient=state.raised_by,
        recipient_name=_name(state, state.raised_by),
        issued_on=on,
    )
    return [_issued(state, document, on)]


def _climb(
    state: EscalationState,
    following: LadderStage,
    on: date,
    reason: ClimbReason,
    respond_by: date,
    note: str,
) -> list[DomainEvent]:
    assert state.escalation_id is not None
    climbed = EscalationClimbed(
        partnership=state.config.slug,
        escalation_id=state.escalation_id,
        from_level=state.level,
        to_level=following.level,
        climbed_on=on,
        reason=reason,
        respond_by=respond_by,
    )
    return [climbed, *_level_notices(evolve(state, climbed), on, note)]


def _climb_or_close(
    state: EscalationState, on: date, reason: ClimbReason, note: str
) -> list[DomainEvent]:
    """Up a level; at the top of the ladder there is nowhere left to go, so it closes."""
    assert state.escalation_id is not None
    following = state.config.stage(state.level + 1)
    if following is None:
        return _close(state, state.escalation_id, on, f"{note} This is the top of the ladder.")
    return _climb(state, following, on, reason, response_deadline(following, on), note)


def _close(state: EscalationState, escalation_id: str, on: date, reason: str) -> list[DomainEvent]:
    closed = EscalationClosed(
        partnership=state.config.slug, escalation_id=escalation_id, closed_on=on, reason=reason
    )
    return [closed, *_outcome(evolve(state, closed), on)]


def _overdue(state: EscalationState, escalation_id: str, on: date) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    particulars = _particulars(state)
    for action in overdue_actions(state, on):
        events.append(
            ActionOverdue(
                partnership=state.config.slug,
                escalation_id=escalation_id,
                action_id=action.action_id,
                owner=action.owner,
                due_on=action.due_on,
                noticed_on=on,
            )
        )
        document = overdue_action_notice(
            particulars,
            action_id=action.action_id,
            kind=action.kind,
            description=action.description,
            due_on=action.due_on,
            recipient=action.owner,
            recipient_name=_name(state, action.owner),
            issued_on=on,
        )
        events.append(_issued(state, document, on))
    return events


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
    if unruled := sorted(set(command.declarations) - set(command.rulings)):
        raise DomainError(
            f"the Chair has not ruled on the interest declared by {', '.join(unruled)} (000 ToR §6)"
        )
    participation = apply_rulings(body, item, command.present, command.rulings)
    if not participation.quorum.is_quorate:
        raise DomainError(
            f"{body.slug} is not quorate for this item: {participation.quorum.explanation}"
        )
    _check_voters(participation, command)
    affected = command.affected or state.affected
    result = _count(state, stage, body, participation, command, affected)
    quorum = participation.quorum
    events: list[DomainEvent] = [
        InterestDeclared(
            partnership=state.config.slug,
            body=body.slug,
            seat=seat,
            item=item,
            declared_on=command.decided_on,
            description=description,
        )
        for seat, description in sorted(command.declarations.items())
    ]
    events += [
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
            # The quorum outcome leads, so "quorate, but without social care" (000 ToR §10)
            # is reported distinctly from a fully quorate meeting.
            explanation=f"{quorum.status.value} ({quorum.explanation}); "
            f"{result.outcome.explanation}",
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


def _rule_for(
    stage: LadderStage, body: Body, chosen: DecisionRuleKind | None
) -> tuple[DecisionRuleKind, Annex1Element | None]:
    """The rule and Annex 1 element of this vote: the stage's, or another of the body's rules."""
    assert stage.decision_rule is not None
    if chosen is None or chosen is stage.decision_rule:
        return stage.decision_rule, stage.annex1_element
    configured = body.decision_rule(chosen)
    if configured is None:
        raise DomainError(f"{body.slug} has no {chosen.value} rule for any matter")
    return chosen, configured.annex1_element


def _count(
    state: EscalationState,
    stage: LadderStage,
    body: Body,
    participation: ItemParticipation,
    command: DecideEscalation,
    affected: tuple[str, ...],
) -> _Count:
    rule, element = _rule_for(stage, body, command.rule)
    deciding = participation.deciding
    seat_org = {m.seat: m.organisation for m in body.members}
    eligible_orgs = eligible_organisations(state.config.organisations, element)
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
            # 003 §8.4: 75% of all eligible members, present or not; Annex 1 decides eligibility.
            voters = tuple(m.seat for m in body.voting_members if m.organisation in eligible_orgs)
            for seat in (*command.in_favour, *command.against):
                if seat not in voters:
                    raise DomainError(
                        f"{seat} ({seat_org.get(seat) or 'independent'}) is not eligible to "
                        f"decide this matter (003 §8.4, Annex 1)"
                    )
            outcome = thresholds.three_quarters_of_eligible(voters, command.in_favour)
        case DecisionRuleKind.ELIGIBLE_MAJORITY:
            # 003 §8.10(2): a majority of eligible Partners present who are affected.
            if not affected:
                raise DomainError("name the partners affected by the matter (003 §8.10(2))")
            for slug in affected:
                state.config.organisation(slug)
            for seat in (*command.in_favour, *command.against):
                organisation = seat_org.get(seat)
                if organisation not in eligible_orgs or organisation not in affected:
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
                voters, eligible_orgs, affected, [o for o in favour_orgs if o]
            )
            voters = tuple(sorted(set(voters) & eligible_orgs & set(affected)))
    return _Count(rule=rule, voters=tuple(voters), outcome=outcome)


def _notice_evolve(
    state: EscalationState, event: NoticeIssued | NoticeDelivered
) -> EscalationState:
    """Notices of this escalation, and their receipts; others' notices are not its concern."""
    if event.process is not ProcessKind.ESCALATION or event.process_id != state.escalation_id:
        return state
    if isinstance(event, NoticeIssued):
        record = NoticeRecord(
            notice_id=event.notice_id,
            kind=event.kind,
            recipient=event.recipient,
            issued_on=event.issued_on,
        )
        return state.model_copy(update={"notices": (*state.notices, record)})
    notices = tuple(
        n.model_copy(update={"delivered_on": event.delivered_on})
        if n.notice_id == event.notice_id
        else n
        for n in state.notices
    )
    return state.model_copy(update={"notices": notices})


def _with_action(state: EscalationState, action_id: str, **changes: object) -> EscalationState:
    actions = tuple(
        a.model_copy(update=changes) if a.action_id == action_id else a for a in state.actions
    )
    return state.model_copy(update={"actions": actions})


def evolve(state: EscalationState, event: DomainEvent) -> EscalationState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case EscalationRaised():
            return state.model_copy(
                update={
                    "status": "open",
                    "escalation_id": event.escalation_id,
                    "raised_by": event.raised_by,
                    "reason": event.reason,
                    "summary": event.summary,
                    "raised_on": event.raised_on,
                    "affected": event.affected,
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
                description=event.description,
            )
            return state.model_copy(update={"actions": (*state.actions, action)})
        case ActionCompleted():
            return _with_action(state, event.action_id, completed_on=event.completed_on)
        case ActionOverdue():
            return _with_action(state, event.action_id, overdue_on=event.noticed_on)
        case EscalationResolved():
            return state.model_copy(
                update={
                    "status": "resolved",
                    "ended_on": event.resolved_on,
                    "outcome": event.resolution,
                }
            )
        case EscalationClosed():
            return state.model_copy(
                update={"status": "closed", "ended_on": event.closed_on, "outcome": event.reason}
            )
        case NoticeIssued() | NoticeDelivered():
            return _notice_evolve(state, event)
        case _:
            return state


def fold(state: EscalationState, events: Iterable[DomainEvent]) -> EscalationState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)
