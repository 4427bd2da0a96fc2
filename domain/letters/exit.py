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
from domain.notices import Document, letter, long_date

EXIT_CLAUSE = "CDCP MoU §27 (DCC Cabinet 2019 MoU §23)"
"""Where the duty to notify the other signatories in writing comes from."""


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
    recipient: str,
    recipient_name: str,
    issued_on: date,
    acknowledge_by: date,
    reason: str = "",
) -> Document:
    """The leaving partner's written notice to one other signatory (CDCP MoU §27)."""
    p = particulars
    paragraphs = [
        f"{p.organisation_name} gives notice that it is leaving the {p.partnership_name} and "
        f"withdrawing from the {p.mou_title}.",
        f"Notice was given on {long_date(p.notified_on)}. The exit takes effect on "
        f"{long_date(p.effective_on)}, when {p.organisation_name} ceases to be a signatory and "
        f"leaves every body of the partnership on which it sits; the Memorandum will be amended "
        f"and its review date revised accordingly.",
    ]
    if reason.strip():
        paragraphs.append(f"Reason given: {reason.strip()}")
    paragraphs += [
        f"This notice is given in writing to each of the other signatory organisations, as the "
        f"Memorandum requires ({EXIT_CLAUSE}).",
        f"Please acknowledge receipt of this notice by {long_date(acknowledge_by)}, quoting "
        f"reference {p.exit_id}.",
    ]
    return Document(
        notice_id=f"{p.exit_id}/notice/{recipient}",
        kind=NoticeKind.EXIT_NOTICE,
        recipient=recipient,
        subject=f"{p.partnership_name}: notice of exit of {p.organisation_name}",
        body=letter(
            recipient_name,
            paragraphs,
            f"{p.signatory_name}, for {p.organisation_name}",
            issued_on,
        ),
    )


def exit_reminder(
    particulars: ExitParticulars,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    issued_on: date,
    acknowledge_by: date,
) -> Document:
    """A reminder to a signatory that has not yet acknowledged the exit notice (P2 policy)."""
    p = particulars
    paragraphs = [
        f"On {long_date(issued_on)} you were sent written notice that {p.organisation_name} is "
        f"leaving the {p.partnership_name} with effect from {long_date(p.effective_on)} "
        f"({EXIT_CLAUSE}).",
        f"We have not yet received your acknowledgement. Please acknowledge the notice by "
        f"{long_date(acknowledge_by)}, quoting reference {p.exit_id}.",
    ]
    return Document(
        notice_id=f"{p.exit_id}/reminder/{recipient}/{sent_on.isoformat()}",
        kind=NoticeKind.REMINDER,
        recipient=recipient,
        subject=f"{p.partnership_name}: reminder, notice of exit of {p.organisation_name}",
        body=letter(recipient_name, paragraphs, f"The {p.partnership_name}", sent_on),
    )
