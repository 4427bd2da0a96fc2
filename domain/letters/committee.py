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
from domain.letters.render import process_page, render
from domain.notices import Document, long_date
from domain.partnership import Partnership


class SlippageParticulars(BaseModel):
    """What every notice of one slipped milestone says, with organisations by name."""

    model_config = ConfigDict(frozen=True)

    committee_id: str
    committee_name: str
    partnership_name: str
    milestone_id: str
    milestone_title: str
    owner_name: str
    target_on: date
    dependencies_outstanding: tuple[str, ...] = ()
    agreements_outstanding: tuple[str, ...] = ()


def slippage_notice(
    particulars: SlippageParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    noticed_on: date,
) -> Document:
    """The slippage escalation of one milestone to one recipient (P3 policy)."""
    p = particulars
    return Document(
        notice_id=f"{p.committee_id}/slippage/{p.milestone_id}/{p.target_on.isoformat()}/"
        f"{recipient}",
        kind=NoticeKind.SLIPPAGE,
        recipient=recipient,
        subject=f"{p.partnership_name}: {p.committee_name} milestone slipped: {p.milestone_title}",
        body=render(
            config,
            "committee-slippage",
            recipient=recipient,
            recipient_name=recipient_name,
            on=noticed_on,
            reference=p.committee_id,
            committee=p.committee_name,
            milestone=p.milestone_title,
            target_on=long_date(p.target_on),
            owner=p.owner_name,
            dependencies=p.dependencies_outstanding,
            agreements=p.agreements_outstanding,
            page=process_page(config, p.committee_id),
        ),
    )
