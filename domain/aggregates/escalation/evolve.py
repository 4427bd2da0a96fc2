"""How each event changes an escalation."""

from collections.abc import Iterable

from domain.aggregates.escalation.state import Action, EscalationState, NoticeRecord
from domain.aggregates.folding import fold_with, updated
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    ActionOverdue,
    DomainEvent,
    EscalationClimbed,
    EscalationClosed,
    EscalationDecided,
    EscalationRaised,
    EscalationResolved,
    NoticeDelivered,
    NoticeIssued,
    ProcessKind,
    VoteCast,
)


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
        return updated(state, {"notices": (*state.notices, record)})
    notices = tuple(
        updated(n, {"delivered_on": event.delivered_on}) if n.notice_id == event.notice_id else n
        for n in state.notices
    )
    return updated(state, {"notices": notices})


def _with_action(state: EscalationState, action_id: str, **changes: object) -> EscalationState:
    actions = tuple(updated(a, changes) if a.action_id == action_id else a for a in state.actions)
    return updated(state, {"actions": actions})


def evolve(state: EscalationState, event: DomainEvent) -> EscalationState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case EscalationRaised():
            return updated(
                state,
                {
                    "status": "open",
                    "escalation_id": event.escalation_id,
                    "raised_by": event.raised_by,
                    "reason": event.reason,
                    "summary": event.summary,
                    "raised_on": event.raised_on,
                    "affected": event.affected,
                    "level": event.level,
                    "level_since": event.raised_on,
                    "respond_by": event.respond_by,
                },
            )
        case VoteCast():
            others = tuple(v for v in state.votes if v.seat != event.seat)
            return updated(state, {"votes": (*others, event)})
        case EscalationDecided():
            # The meeting counted the votes cast: a vote taken again starts afresh.
            return updated(state, {"decisions": (*state.decisions, event), "votes": ()})
        case EscalationClimbed():
            return updated(
                state,
                {
                    "votes": (),
                    "level": event.to_level,
                    "level_since": event.climbed_on,
                    "respond_by": event.respond_by,
                },
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
            return updated(state, {"actions": (*state.actions, action)})
        case ActionCompleted():
            return _with_action(state, event.action_id, completed_on=event.completed_on)
        case ActionOverdue():
            return _with_action(state, event.action_id, overdue_on=event.noticed_on)
        case EscalationResolved():
            return updated(
                state,
                {
                    "status": "resolved",
                    "ended_on": event.resolved_on,
                    "outcome": event.resolution,
                },
            )
        case EscalationClosed():
            return updated(
                state, {"status": "closed", "ended_on": event.closed_on, "outcome": event.reason}
            )
        case NoticeIssued() | NoticeDelivered():
            return _notice_evolve(state, event)
        case _:
            return state


def fold(state: EscalationState, events: Iterable[DomainEvent]) -> EscalationState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)
