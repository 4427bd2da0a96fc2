"""The written notices of a partner's exit (docs/rules.md P2).

CDCP MoU §27 (and DCC Cabinet 2019 MoU §23): "The relevant partner will notify the other
signatory organisations in writing". The notice names the leaving organisation, the partnership and
its MoU, the date notice was given, the date the exit takes effect and, by policy, the date by which
each recipient is asked to acknowledge it. Rendering is pure: the same particulars always give the
same text, so the hash recorded in `NoticeIssued` can be recomputed by an auditor.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.events import NoticeKind
from domain.letters.render import process_page, render
from domain.notices import Document, long_date
from domain.partnership import Partnership


class ExitParticulars(BaseModel):
    """What every notice of one exit says, with organisations by name, not slug."""

    model_config = ConfigDict(frozen=True)

    exit_id: str
    partnership_name: str
    mou_title: str
    organisation_name: str
    signatory_name: str
    notified_on: date
    effective_on: date


def exit_notice(
    particulars: ExitParticulars,
    *,
    config: Partnership,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    acknowledge_by: date,
    reason: str = "",
) -> Document:
    """The leaving partner's written notice to one other signatory (CDCP MoU §27)."""
    p = particulars
    return Document(
        notice_id=f"{p.exit_id}/notice/{recipient}",
        kind=NoticeKind.EXIT_NOTICE,
        recipient=recipient,
        subject=f"{p.partnership_name}: notice of exit of {p.organisation_name}",
        body=render(
            config,
            "exit-notice",
            recipient=recipient,
            recipient_name=recipient_name,
            on=issued_on,
            reference=p.exit_id,
            leaver=p.organisation_name,
            mou_title=p.mou_title,
            signatory=p.signatory_name,
            notified_on=long_date(p.notified_on),
            effective_on=long_date(p.effective_on),
            reason=reason.strip(),
            acknowledge_by=long_date(acknowledge_by),
            page=process_page(config, p.exit_id),
        ),
    )


def exit_reminder(
    particulars: ExitParticulars,
    *,
    config: Partnership,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    issued_on: date,
    acknowledge_by: date,
) -> Document:
    """A reminder to a signatory that has not yet acknowledged the exit notice (P2 policy)."""
    p = particulars
    return Document(
        notice_id=f"{p.exit_id}/reminder/{recipient}/{sent_on.isoformat()}",
        kind=NoticeKind.REMINDER,
        recipient=recipient,
        subject=f"{p.partnership_name}: reminder, notice of exit of {p.organisation_name}",
        body=render(
            config,
            "exit-reminder",
            recipient=recipient,
            recipient_name=recipient_name,
            on=sent_on,
            reference=p.exit_id,
            leaver=p.organisation_name,
            issued_on=long_date(issued_on),
            effective_on=long_date(p.effective_on),
            acknowledge_by=long_date(acknowledge_by),
            page=process_page(config, p.exit_id),
        ),
    )
