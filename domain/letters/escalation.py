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
from domain.letters.render import process_page, render
from domain.notices import Document, long_date
from domain.partnership import Partnership

_REASONS = {
    EscalationReason.OUTCOME_NOT_DELIVERED: "an outcome has not been delivered",
    EscalationReason.WORK_PLAN_EXCEPTION: "there is an exception in its work plan",
    EscalationReason.ISSUE_BETWEEN_PARTNERS: "there is an issue between partners",
}
"""Why an escalation was raised, as the clause after "because"."""


class EscalationParticulars(BaseModel):
    """What every notice of one escalation says, with bodies by name, not slug."""

    model_config = ConfigDict(frozen=True)

    escalation_id: str
    partnership_name: str
    raised_by_name: str
    reason: EscalationReason
    summary: str
    raised_on: date


def _letter(
    p: EscalationParticulars,
    config: Partnership,
    template: str,
    *,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    **context: object,
) -> str:
    return render(
        config,
        template,
        recipient=recipient,
        recipient_name=recipient_name,
        on=issued_on,
        reference=p.escalation_id,
        raised_on=long_date(p.raised_on),
        raised_by=p.raised_by_name,
        reason=_REASONS[p.reason],
        summary=p.summary,
        page=process_page(config, p.escalation_id),
        **context,
    )


def level_notice(
    p: EscalationParticulars,
    config: Partnership,
    *,
    level: int,
    stage_name: str,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    respond_by: date,
    note: str = "",
) -> Document:
    """The notice asking the body at `level` to settle the escalation by `respond_by`."""
    return Document(
        notice_id=f"{p.escalation_id}/level-{level}/{recipient}",
        kind=NoticeKind.ESCALATION,
        recipient=recipient,
        subject=f"{p.partnership_name}: escalation from the {p.raised_by_name}, stage {level}",
        body=_letter(
            p,
            config,
            "escalation-level",
            recipient=recipient,
            recipient_name=recipient_name,
            issued_on=issued_on,
            note=note,
            level=level,
            stage=stage_name,
            respond_by=long_date(respond_by),
        ),
    )


def overdue_action_notice(
    p: EscalationParticulars,
    config: Partnership,
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
    return Document(
        notice_id=f"{p.escalation_id}/{action_id}/overdue",
        kind=NoticeKind.REMINDER,
        recipient=recipient,
        subject=f"{p.partnership_name}: overdue action, escalation from the {p.raised_by_name}",
        body=_letter(
            p,
            config,
            "escalation-overdue-action",
            recipient=recipient,
            recipient_name=recipient_name,
            issued_on=issued_on,
            action_kind=kind.value.replace("_", " "),
            # A body is "the Partnership Board"; an organisation goes by its name alone.
            owner=f"the {recipient_name}"
            if any(b.slug == recipient for b in config.bodies)
            else recipient_name,
            description=description,
            due_on=long_date(due_on),
        ),
    )


def outcome_notice(
    p: EscalationParticulars,
    config: Partnership,
    *,
    resolved: bool,
    outcome: str,
    recipient: str,
    recipient_name: str,
    issued_on: date,
) -> Document:
    """The notice to the raising body of how its escalation ended."""
    ending = "was resolved" if resolved else "was closed without resolution"
    return Document(
        notice_id=f"{p.escalation_id}/outcome",
        kind=NoticeKind.OUTCOME,
        recipient=recipient,
        subject=f"{p.partnership_name}: escalation from the {p.raised_by_name} {ending}",
        body=_letter(
            p,
            config,
            "escalation-outcome",
            recipient=recipient,
            recipient_name=recipient_name,
            issued_on=issued_on,
            ended_on=long_date(issued_on),
            ending=ending,
            outcome=outcome,
        ),
    )
