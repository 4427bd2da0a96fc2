"""The written notices of an annual MoU review (docs/rules.md P1).

CDCP MoU §24 (reviewed at least annually; MSE MoU 2020 §1.5 likewise) and §25
(MSE MoU 2020 §10.1: varied "only by written agreement of all the signatory organisations"): each
signatory is asked in writing, a proposed variation is circulated in writing to every signatory,
reminders go to those who still owe an answer, and the outcome is reported to every signatory.
Rendering is pure, so an auditor can recompute the hash recorded in `NoticeIssued`.
"""

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.aggregates.review import ReviewState
from domain.events import (
    DomainEvent,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
    ReminderSent,
    ReviewConcluded,
    ReviewOpened,
    ReviewOutcome,
    VariationProposed,
)
from domain.letters.render import process_page, render
from domain.notices import Document, issue, long_date
from domain.partnership import Partnership


class ReviewParticulars(BaseModel):
    """What every notice of one review says, with names rather than slugs."""

    model_config = ConfigDict(frozen=True)

    review_id: str
    partnership_name: str
    mou_title: str
    mou_version: int
    response_deadline: date


def _document(
    p: ReviewParticulars,
    config: Partnership,
    template: str,
    *,
    notice_id: str,
    kind: NoticeKind,
    recipient: str,
    recipient_name: str,
    subject: str,
    issued_on: date,
    **context: object,
) -> Document:
    return Document(
        notice_id=notice_id,
        kind=kind,
        recipient=recipient,
        subject=f"{p.mou_title}: {subject}",
        body=render(
            config,
            template,
            recipient=recipient,
            recipient_name=recipient_name,
            on=issued_on,
            reference=p.review_id,
            mou_title=p.mou_title,
            mou_version=p.mou_version,
            respond_by=long_date(p.response_deadline),
            page=process_page(config, p.review_id),
            **context,
        ),
    )


def review_request(
    p: ReviewParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    issued_on: date,
) -> Document:
    """The request to one signatory to respond to the annual review (CDCP MoU §24)."""
    return _document(
        p,
        config,
        "review-request",
        notice_id=f"{p.review_id}/request/{recipient}",
        kind=NoticeKind.REVIEW_REQUEST,
        recipient=recipient,
        recipient_name=recipient_name,
        subject="annual review",
        issued_on=issued_on,
    )


def variation_notice(
    p: ReviewParticulars,
    config: Partnership,
    *,
    variation_id: str,
    proposed_by_name: str,
    summary: str,
    recipient: str,
    recipient_name: str,
    issued_on: date,
) -> Document:
    """The proposed variation, circulated to one signatory for its written decision (CDCP MoU
    §25, MSE MoU 2020 §10.1: adopted only if every signatory agrees in writing)."""
    return _document(
        p,
        config,
        "review-variation",
        notice_id=f"{p.review_id}/variation/{variation_id}/{recipient}",
        kind=NoticeKind.VARIATION,
        recipient=recipient,
        recipient_name=recipient_name,
        subject="proposed variation",
        issued_on=issued_on,
        proposer=proposed_by_name,
        summary=summary,
    )


def reminder(
    p: ReviewParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    owes: str,
    issued_on: date,
) -> Document:
    """A reminder to a signatory that still owes `owes` (P1 policy: weekly)."""
    return _document(
        p,
        config,
        "review-reminder",
        notice_id=f"{p.review_id}/reminder/{issued_on.isoformat()}/{recipient}",
        kind=NoticeKind.REMINDER,
        recipient=recipient,
        recipient_name=recipient_name,
        subject="reminder, annual review",
        issued_on=issued_on,
        owes=owes,
    )


def _explanation(concluded: ReviewConcluded, names: Mapping[str, str]) -> str:
    def listed(orgs: tuple[str, ...]) -> str:
        return ", ".join(names.get(o, o) for o in orgs)

    if concluded.outcome is ReviewOutcome.VARIED:
        return "Every signatory organisation agreed the variation in writing."
    if concluded.outcome is ReviewOutcome.LAPSED:
        return (
            "A variation needs the written agreement of every signatory organisation, and it "
            f"was not agreed by: {listed(concluded.not_agreed_by)}."
        )
    if concluded.not_responded:
        return (
            f"No variation was proposed. No response was received from: "
            f"{listed(concluded.not_responded)}."
        )
    return "Every signatory responded and no variation was proposed."


def outcome_notice(
    p: ReviewParticulars,
    config: Partnership,
    *,
    concluded: ReviewConcluded,
    names: Mapping[str, str],
    recipient: str,
) -> Document:
    """The outcome of the review, reported to one signatory; `names` maps slugs to names."""
    headline = {
        ReviewOutcome.CONFIRMED_UNCHANGED: "the Memorandum is confirmed unchanged",
        ReviewOutcome.VARIED: "the variation was agreed by every signatory and is adopted",
        ReviewOutcome.LAPSED: "the variation is not adopted and the Memorandum stands unchanged",
    }[concluded.outcome]
    return _document(
        p,
        config,
        "review-outcome",
        notice_id=f"{p.review_id}/outcome/{recipient}",
        kind=NoticeKind.OUTCOME,
        recipient=recipient,
        recipient_name=names.get(recipient, recipient),
        subject="outcome of the annual review",
        issued_on=concluded.concluded_on,
        concluded_on=long_date(concluded.concluded_on),
        headline=headline,
        explanation=_explanation(concluded, names),
        next_review_by=long_date(concluded.next_review_due_on),
    )


def particulars(partnership: Partnership, state: ReviewState) -> ReviewParticulars:
    """The particulars of an opened review, for its notices."""
    assert state.review_id is not None and state.response_deadline is not None
    return ReviewParticulars(
        review_id=state.review_id,
        partnership_name=partnership.name,
        mou_title=partnership.mou.title,
        mou_version=state.mou_version,
        response_deadline=state.response_deadline,
    )


def notices_for(
    partnership: Partnership, state: ReviewState, event: DomainEvent
) -> list[NoticeIssued]:
    """The written notices `event` calls for, given the review `state` after it."""
    p = particulars(partnership, state)
    names = {o.slug: o.name for o in partnership.organisations}

    def issued(document: Document, on: date) -> NoticeIssued:
        return issue(
            document,
            partnership=partnership.slug,
            process=ProcessKind.REVIEW,
            process_id=p.review_id,
            issued_on=on,
            respond_by=None if document.kind is NoticeKind.OUTCOME else p.response_deadline,
        )

    match event:
        case ReviewOpened():
            return [
                issued(
                    review_request(
                        p,
                        partnership,
                        recipient=s,
                        recipient_name=names[s],
                        issued_on=event.opened_on,
                    ),
                    event.opened_on,
                )
                for s in state.signatories
            ]
        case VariationProposed():
            return [
                issued(
                    variation_notice(
                        p,
                        partnership,
                        variation_id=event.variation_id,
                        proposed_by_name=names[event.proposed_by],
                        summary=event.summary,
                        recipient=s,
                        recipient_name=names[s],
                        issued_on=event.proposed_on,
                    ),
                    event.proposed_on,
                )
                for s in state.signatories
            ]
        case ReminderSent():
            owes = (
                "a response"
                if state.variation_id is None
                else "a written agreement to, or refusal of, the proposed variation"
            )
            document = reminder(
                p,
                partnership,
                recipient=event.organisation,
                recipient_name=names[event.organisation],
                owes=owes,
                issued_on=event.sent_on,
            )
            return [issued(document, event.sent_on)]
        case ReviewConcluded():
            return [
                issued(
                    outcome_notice(p, partnership, concluded=event, names=names, recipient=s),
                    event.concluded_on,
                )
                for s in state.signatories
            ]
        case _:
            return []
