"""An escalation as its events make it, and what follows from that state alone."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body
from domain.errors import DomainError
from domain.events import ActionKind, EscalationDecided, EscalationReason, NoticeKind, VoteCast
from domain.partnership import LadderStage, Partnership, StageKind


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
    level_since: date | None = None
    """The date the escalation reached its current level (raised, or climbed)."""
    respond_by: date | None = None
    decisions: tuple[EscalationDecided, ...] = ()
    votes: tuple[VoteCast, ...] = ()
    """Members' own votes at the current level since its last recorded vote, one a seat."""
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
    def decided(self) -> EscalationDecided | None:
        """The vote that carried at the current level, if one has."""
        return next((d for d in self.decisions if d.level == self.level and d.carried), None)

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


def name_of(state: EscalationState, slug: str) -> str:
    """The name of the body or organisation `slug`; refuses one the partnership does not have."""
    for body in state.config.bodies:
        if body.slug == slug:
            return body.name
    for organisation in state.config.organisations:
        if organisation.slug == slug:
            return organisation.name
    raise DomainError(f"{slug!r} is neither a body nor an organisation of {state.config.slug}")


def level_recipients(state: EscalationState) -> tuple[str, ...]:
    """Who is told in writing that the escalation reached its current level.

    The level's bodies; for the independent facilitator, the bodies of the level below, which
    select the facilitator (MSE MoU 2020 §8.10(3)); at the partner governance level, the affected
    partner organisations as well as the upward bodies (CDCPE ToR §1.3).
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


def require_open(state: EscalationState) -> LadderStage:
    """The current stage; refuses a command to an escalation that is not open."""
    stage = state.stage
    if state.status != "open" or stage is None:
        raise DomainError(f"escalation {state.escalation_id} is {state.status}")
    return stage
