"""The written notices of an escalation: of each level it reaches, of its outcome and of overdue
actions, each recorded with its full text (`domain.letters.escalation`)."""

from datetime import date

from domain.aggregates.escalation.state import (
    EscalationState,
    level_recipients,
    name_of,
    overdue_actions,
)
from domain.events import ActionOverdue, DomainEvent, NoticeIssued, NoticeKind, ProcessKind
from domain.letters.escalation import (
    EscalationParticulars,
    level_notice,
    outcome_notice,
    overdue_action_notice,
)
from domain.notices import Document, issue


def _particulars(state: EscalationState) -> EscalationParticulars:
    assert state.escalation_id and state.raised_by and state.reason and state.raised_on
    return EscalationParticulars(
        escalation_id=state.escalation_id,
        partnership_name=state.config.name,
        raised_by_name=name_of(state, state.raised_by),
        reason=state.reason,
        summary=state.summary,
        raised_on=state.raised_on,
    )


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


def level_notices(state: EscalationState, on: date, note: str) -> list[DomainEvent]:
    """A notice to each recipient of the level the escalation is at (`level_recipients`)."""
    stage = state.stage
    assert stage is not None and state.respond_by is not None
    particulars = _particulars(state)
    return [
        _issued(
            state,
            level_notice(
                particulars,
                state.config,
                level=stage.level,
                stage_name=stage.name,
                recipient=recipient,
                recipient_name=name_of(state, recipient),
                issued_on=on,
                respond_by=state.respond_by,
                note=note,
            ),
            on,
        )
        for recipient in level_recipients(state)
    ]


def outcome_notices(state: EscalationState, on: date) -> list[DomainEvent]:
    """The notice of how the escalation ended, to whoever raised it."""
    assert state.raised_by is not None
    document = outcome_notice(
        _particulars(state),
        state.config,
        resolved=state.status == "resolved",
        outcome=state.outcome,
        recipient=state.raised_by,
        recipient_name=name_of(state, state.raised_by),
        issued_on=on,
    )
    return [_issued(state, document, on)]


def overdue_notices(state: EscalationState, escalation_id: str, on: date) -> list[DomainEvent]:
    """`ActionOverdue` and a reminder to its owner for each action overdue on `on`."""
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
            state.config,
            action_id=action.action_id,
            kind=action.kind,
            description=action.description,
            due_on=action.due_on,
            recipient=action.owner,
            recipient_name=name_of(state, action.owner),
            issued_on=on,
        )
        events.append(_issued(state, document, on))
    return events
