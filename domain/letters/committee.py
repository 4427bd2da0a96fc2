"""The written notices of a joint committee's formation (docs/rules.md P3).

P3 policy: a milestone that passes its target date without being met raises a slippage
escalation to the owning body; the notice also goes to the partnership's executive, which
monitors delivery and acts as the escalation point (CDCPE ToR §2). The owner
may re-plan a slipped milestone, as it may once Government guidance is published
(DCC Cabinet 2022 7(c), §29). Rendering is pure so the recorded hash can be recomputed.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.events import NoticeKind
from domain.notices import Document, letter, long_date


class SlippageParticulars(BaseModel):
    """What every notice of one slipped milestone says, with organisations by name."""

    model_config = ConfigDict(frozen=True)

    committee_id: str
    committee_name: str
    partnership_name: str
    milestone_id: str
    milestone_title: str
    clause: str
    owner_name: str
    target_on: date
    dependencies_outstanding: tuple[str, ...] = ()
    agreements_outstanding: tuple[str, ...] = ()


def slippage_notice(
    particulars: SlippageParticulars, *, recipient: str, recipient_name: str, noticed_on: date
) -> Document:
    """The slippage escalation of one milestone to one recipient (P3 policy)."""
    p = particulars
    paragraphs = [
        f'The milestone "{p.milestone_title}" ({p.clause}) in the formation of the '
        f"{p.committee_name} was due by {long_date(p.target_on)} and has not been met.",
        f"The milestone is owned by {p.owner_name}.",
    ]
    if p.dependencies_outstanding:
        paragraphs.append(
            "It is waiting on these milestones: " + "; ".join(p.dependencies_outstanding) + "."
        )
    if p.agreements_outstanding:
        paragraphs.append(
            "It still needs the agreement of: " + ", ".join(p.agreements_outstanding) + "."
        )
    paragraphs.append(
        f"Please record the milestone as met with its evidence, or re-plan it with a new target "
        f"date and the reason, quoting reference {p.committee_id}/{p.milestone_id}."
    )
    return Document(
        notice_id=f"{p.committee_id}/slippage/{p.milestone_id}/{p.target_on.isoformat()}/"
        f"{recipient}",
        kind=NoticeKind.SLIPPAGE,
        recipient=recipient,
        subject=f"{p.partnership_name}: {p.committee_name} milestone slipped: {p.milestone_title}",
        body=letter(recipient_name, paragraphs, f"The {p.partnership_name}", noticed_on),
    )
