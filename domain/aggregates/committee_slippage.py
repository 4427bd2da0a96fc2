"""A milestone past its target unmet (docs/rules.md P3 policy): recorded as slipped, and escalated
in writing to its owner and to the partnership's executive (CDCPE ToR §2)."""

from datetime import date

from domain.aggregates.committee import CommitteeState, Milestone, decide, require_in_progress
from domain.aggregates.committee_commands import RecordSlippage
from domain.bodies import BodyKind
from domain.events import DomainEvent, ProcessKind
from domain.letters.committee import SlippageParticulars, slippage_notice
from domain.notices import issue
from domain.partnership import Partnership


def executive(config: Partnership) -> str | None:
    """The partnership's executive body (County Durham: the CDCPE, CDCPE ToR §2)."""
    return next((b.slug for b in config.bodies if b.kind is BodyKind.EXECUTIVE), None)


def slippage_recipients(config: Partnership, milestone: Milestone) -> tuple[str, ...]:
    """P3 policy: a slippage is escalated to the milestone's owner and the partnership's
    executive, which monitors delivery and acts as its escalation point (CDCPE ToR §2)."""
    recipients = [milestone.owner]
    if (top := executive(config)) is not None and top != milestone.owner:
        recipients.append(top)
    return tuple(recipients)


def _name(config: Partnership, slug: str) -> str:
    names = {o.slug: o.name for o in config.organisations} | {b.slug: b.name for b in config.bodies}
    return names.get(slug, slug)


def record_slippages(
    state: CommitteeState, config: Partnership, noticed_on: date
) -> list[DomainEvent]:
    """Every milestone past its target unmet, recorded as slipped, with a written slippage
    notice to its owner and to the executive (P3 policy); empty when nothing has slipped."""
    committee_id = require_in_progress(state)
    events: list[DomainEvent] = []
    for milestone in state.due_slippages(noticed_on):
        slipped = RecordSlippage(milestone_id=milestone.milestone_id, noticed_on=noticed_on)
        events += decide(state, slipped)
        particulars = SlippageParticulars(
            committee_id=committee_id,
            committee_name=state.name,
            partnership_name=config.name,
            milestone_id=milestone.milestone_id,
            milestone_title=milestone.title,
            owner_name=_name(config, milestone.owner),
            target_on=milestone.target_on,
            dependencies_outstanding=tuple(
                state.milestone(d).title
                for d in milestone.depends_on
                if state.milestone(d).met_on is None
            ),
            agreements_outstanding=tuple(
                _name(config, o) for o in milestone.agreements_outstanding
            ),
        )
        events += [
            issue(
                slippage_notice(
                    particulars,
                    config,
                    recipient=recipient,
                    recipient_name=_name(config, recipient),
                    noticed_on=noticed_on,
                ),
                partnership=state.partnership,
                process=ProcessKind.COMMITTEE,
                process_id=committee_id,
                issued_on=noticed_on,
            )
            for recipient in slippage_recipients(config, milestone)
        ]
    return events
