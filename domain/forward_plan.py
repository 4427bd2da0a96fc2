"""A partnership's forward plan (docs/rules.md P5.10): the key decisions that fall in the next 28
clear days, folded from its log.

English local authorities publish each key decision at least 28 clear days before it is taken;
the partnerships' councils sit on their bodies, so Concordat plans the same way (policy). A key
decision here is one the record already dates: a meeting of a body with the items on its
agenda, an MoU review falling due, a partner's exit taking effect, a committee milestone due.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from domain.events import (
    AgendaItemRequested,
    DomainEvent,
    ExitNotified,
    ExitWithdrawn,
    MeetingArranged,
    MeetingCancelled,
    MeetingCycleClosed,
    MeetingScheduled,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MouEffective,
    ReviewDateRevised,
)
from domain.partnership import Partnership

CLEAR_DAYS = 28
"""Policy: the notice English local authorities give of a key decision, in clear days."""


class PlannedDecision(BaseModel):
    """One key decision in the plan: when, by which body or partner, what."""

    model_config = ConfigDict(frozen=True)

    on: date
    by: str
    what: str


class ForwardPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    partnership: str
    published_on: date
    until: date
    """The last day whose decisions the plan must show: `CLEAR_DAYS` clear days after
    publication."""
    decisions: tuple[PlannedDecision, ...]


def forward_plan(config: Partnership, events: Iterable[DomainEvent], today: date) -> ForwardPlan:
    """The decisions dated after `today` and no more than `CLEAR_DAYS` clear days ahead, in date
    order, as the partnership's events (in log order) leave them."""
    meetings: dict[tuple[str, date], date | None] = {}
    items: dict[tuple[str, date], list[str]] = {}
    exits: dict[str, PlannedDecision] = {}
    milestones: dict[tuple[str, str], PlannedDecision] = {}
    review: date | None = None
    for event in events:
        if event.partnership != config.slug:
            continue
        match event:
            case MeetingScheduled():
                meetings.setdefault((event.body, event.meeting_on), event.meeting_on)
            case MeetingArranged():
                meetings[(event.body, event.meeting_on)] = event.held_on
            case MeetingCancelled() | MeetingCycleClosed():
                meetings[(event.body, event.meeting_on)] = None
            case AgendaItemRequested(any_other_business=False):
                items.setdefault((event.body, event.meeting_on), []).append(event.item)
            case MouEffective() | ReviewDateRevised():
                review = event.review_due_on
            case ExitNotified():
                exits[event.exit_id] = PlannedDecision(
                    on=event.effective_on,
                    by=event.organisation,
                    what=f"{event.organisation} leaves the partnership (exit {event.exit_id})",
                )
            case ExitWithdrawn():
                exits.pop(event.exit_id, None)
            case MilestonePlanned():
                milestones[(event.committee_id, event.milestone_id)] = PlannedDecision(
                    on=event.target_on,
                    by=event.owner,
                    what=f"{event.committee_id}: {event.title} ({event.clause})",
                )
            case MilestoneReplanned():
                key = (event.committee_id, event.milestone_id)
                if key in milestones:
                    planned = milestones[key]
                    milestones[key] = planned.model_copy(update={"on": event.new_target_on})
            case MilestoneMet():
                milestones.pop((event.committee_id, event.milestone_id), None)
            case _:
                pass
    decisions = [
        PlannedDecision(
            on=held_on,
            by=body,
            what=f"{config.body(body).name} meets: "
            + ("; ".join(items.get((body, meeting_on), [])) or "agenda not yet settled"),
        )
        for (body, meeting_on), held_on in meetings.items()
        if held_on is not None
    ]
    if review is not None:
        decisions.append(
            PlannedDecision(on=review, by=config.slug, what="the MoU's annual review falls due")
        )
    decisions += [*exits.values(), *milestones.values()]
    until = today + timedelta(days=CLEAR_DAYS + 1)
    return ForwardPlan(
        partnership=config.slug,
        published_on=today,
        until=until,
        decisions=tuple(
            sorted((d for d in decisions if today < d.on <= until), key=lambda d: (d.on, d.by))
        ),
    )
