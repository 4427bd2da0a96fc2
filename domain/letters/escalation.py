"""The written notices of a thematic board escalation (docs/rules.md P4).

Each level of the ladder is told in writing what it is asked to settle and by when: the CDCP
Executive as "an escalation point" (CDCPE ToR §2), the SLE's decision
"advised in writing" (MSE MoU 2020 §8.10(2)). The owner of an overdue action is
reminded (MSE MoU 2020 §7.5-§7.8 actions tracked to closure), and the raising body is told how its
escalation ended. Rendering is pure, so an auditor can recompute the hash recorded in
`NoticeIssued`.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.events import ActionKind, EscalationReason, NoticeKind
from domain.notices import Document, letter, long_date

SENDER = "Partnership governance office"

_REASONS = {
    EscalationReason.OUTCOME_NOT_DELIVERED: "an outcome has not been delivered",
    EscalationReason.WORK_PLAN_EXCEPTION: "an exception in its work plan",
    EscalationReason.ISSUE_BETWEEN_PARTNERS: "an issue between partners",
}


class EscalationParticulars(BaseModel):
    """What every notice of one escalation says, with bodies by name, not slug."""

    model_config = ConfigDict(frozen=True)

    escalation_id: str
    partnership_name: str
    raised_by_name: str
    reason: EscalationReason
    summary: str
    raised_on: date


def _opening(p: EscalationParticulars) -> str:
    return (
        f"On {long_date(p.raised_on)} the {p.raised_by_name} escalated {_REASONS[p.reason]} "
        f"(reference {p.escalation_id}): {p.summary}"
    )


def level_notice(
    p: EscalationParticulars,
    *,
    level: int,
    stage_name: str,
    clause: str,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    respond_by: date,
    note: str = "",
) -> Document:
    """The notice asking the body at `level` to settle the escalation by `respond_by`."""
    paragraphs = [_opening(p)]
    if note:
        paragraphs.append(note)
    paragraphs += [
        f"The matter is now at level {level} of the partnership's escalation ladder: "
        f"{stage_name} ({clause}).",
        f"Please consider it and record your decision by {long_date(respond_by)}. If it is not "
        f"settled by then it moves to the next level of the ladder.",
    ]
    return Document(
        notice_id=f"{p.escalation_id}/level-{level}/{recipient}",
        kind=NoticeKind.ESCALATION,
        recipient=recipient,
        subject=f"{p.partnership_name}: escalation {p.escalation_id} at level {level}",
        body=letter(recipient_name, paragraphs, SENDER, issued_on),
    )


def overdue_action_notice(
    p: EscalationParticulars,
    *,
    action_id: str,
    kind: ActionKind,
    description: str,
    due_on: date,
    recipient: str,
    recipient_name: str,
    issued_on: date,
) -> Document:
    """The reminder to the owner of an agreed action that passed its due date (MSE MoU 2020
    §7.5)."""
    paragraphs = [
        _opening(p),
        f"Action {action_id} ({kind.value.replace('_', ' ')}), agreed to address it, was due "
        f"on {long_date(due_on)} and has not been reported complete: {description}",
        "Please complete it, or report its completion, as soon as possible.",
    ]
    return Document(
        notice_id=f"{p.escalation_id}/{action_id}/overdue",
        kind=NoticeKind.REMINDER,
        recipient=recipient,
        subject=f"{p.partnership_name}: action {action_id} of escalation {p.escalation_id} "
        f"is overdue",
        body=letter(recipient_name, paragraphs, SENDER, issued_on),
    )


def outcome_notice(
    p: EscalationParticulars,
    *,
    resolved: bool,
    outcome: str,
    recipient: str,
    recipient_name: str,
    issued_on: date,
) -> Document:
    """The notice to the raising body of how its escalation ended."""
    ending = "was resolved" if resolved else "was closed without resolution"
    paragraphs = [_opening(p), f"On {long_date(issued_on)} the escalation {ending}: {outcome}"]
    return Document(
        notice_id=f"{p.escalation_id}/outcome",
        kind=NoticeKind.OUTCOME,
        recipient=recipient,
        subject=f"{p.partnership_name}: escalation {p.escalation_id} {ending}",
        body=letter(recipient_name, paragraphs, SENDER, issued_on),
    )
