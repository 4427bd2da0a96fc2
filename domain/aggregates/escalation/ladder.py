"""Moving along the ladder: up a level, or closed at the top of it."""

from datetime import date

from domain.aggregates.escalation.evolve import evolve
from domain.aggregates.escalation.notices import level_notices, outcome_notices
from domain.aggregates.escalation.state import EscalationState, response_deadline
from domain.events import ClimbReason, DomainEvent, EscalationClimbed, EscalationClosed
from domain.partnership import LadderStage


def climb(
    state: EscalationState,
    following: LadderStage,
    on: date,
    reason: ClimbReason,
    respond_by: date,
    note: str,
) -> list[DomainEvent]:
    """Up to `following`, with the notices of the new level."""
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
    return [climbed, *level_notices(evolve(state, climbed), on, note)]


def climb_or_close(
    state: EscalationState, on: date, reason: ClimbReason, note: str
) -> list[DomainEvent]:
    """Up a level; at the top of the ladder there is nowhere left to go, so it closes."""
    assert state.escalation_id is not None
    following = state.config.stage(state.level + 1)
    if following is None:
        return close(state, state.escalation_id, on, f"{note} This is the top of the ladder.")
    return climb(state, following, on, reason, response_deadline(following, on), note)


def close(state: EscalationState, escalation_id: str, on: date, reason: str) -> list[DomainEvent]:
    """Closed unresolved, with the outcome notice to whoever raised it."""
    closed = EscalationClosed(
        partnership=state.config.slug, escalation_id=escalation_id, closed_on=on, reason=reason
    )
    return [closed, *outcome_notices(evolve(state, closed), on)]
