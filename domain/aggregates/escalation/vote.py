"""A vote at the current level: quorum and conflicts of interest (CDCPE ToR §6, §10), then the
count under the level's decision rule (`domain.rules.voting`)."""

from domain.aggregates.escalation.commands import DecideEscalation
from domain.aggregates.escalation.state import EscalationState, require_open
from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ConflictRuled,
    DomainEvent,
    EscalationDecided,
    InterestDeclared,
    ItemChairReplaced,
)
from domain.partnership import LadderStage, StageKind
from domain.rules.conflicts import ItemParticipation, apply_rulings
from domain.rules.eligibility import Annex1Element
from domain.rules.voting import Ballot, count_votes


def decide_vote(
    state: EscalationState, escalation_id: str, command: DecideEscalation
) -> list[DomainEvent]:
    """The declarations, rulings and count of a vote at the current level."""
    stage = require_open(state)
    if stage.kind is not StageKind.DECISION or stage.decision_rule is None:
        raise DomainError(f"level {stage.level} ({stage.name}) does not decide by vote")
    if command.body not in stage.bodies:
        raise DomainError(f"{command.body} does not decide at level {stage.level} ({stage.name})")
    body = state.body(command.body)
    item = f"escalation {escalation_id}"
    if unruled := sorted(set(command.declarations) - set(command.rulings)):
        raise DomainError(
            f"the Chair has not ruled on the interest declared by {', '.join(unruled)} (CDCPE ToR "
            "§6)"
        )
    participation = apply_rulings(body, item, command.present, command.rulings)
    if not participation.quorum.is_quorate:
        raise DomainError(
            f"{body.slug} is not quorate for this item: {participation.quorum.explanation}"
        )
    _check_voters(participation, command)
    rule, element = _rule_for(stage, body, command.rule)
    ballot = Ballot(
        deciding=participation.deciding,
        in_favour=command.in_favour,
        against=command.against,
        affected=command.affected or state.affected,
    )
    result = count_votes(
        rule,
        element,
        body,
        ballot,
        organisations=state.config.organisations,
        partnership=state.config.slug,
    )
    quorum = participation.quorum
    events: list[DomainEvent] = [
        InterestDeclared(
            partnership=state.config.slug,
            body=body.slug,
            seat=seat,
            item=item,
            declared_on=command.decided_on,
            description=description,
        )
        for seat, description in sorted(command.declarations.items())
    ]
    events += [
        ConflictRuled(
            partnership=state.config.slug,
            body=body.slug,
            seat=seat,
            item=item,
            ruling=ruling,
            ruled_on=command.decided_on,
            ruled_by=participation.chair or body.chair or "chair",
        )
        for seat, ruling in sorted(command.rulings.items())
    ]
    if participation.chair_replaced and body.chair and participation.chair:
        events.append(
            ItemChairReplaced(
                partnership=state.config.slug,
                body=body.slug,
                item=item,
                conflicted_chair=body.chair,
                acting_chair=participation.chair,
                on=command.decided_on,
            )
        )
    events.append(
        EscalationDecided(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            level=stage.level,
            body=body.slug,
            decided_on=command.decided_on,
            rule=result.rule.value,
            eligible_voters=result.voters,
            in_favour=tuple(sorted(set(command.in_favour))),
            against=tuple(sorted(set(command.against))),
            carried=result.outcome.carried,
            summary=command.summary,
            # The quorum outcome leads, so "quorate, but without social care" (CDCPE ToR §10)
            # is reported distinctly from a fully quorate meeting.
            explanation=f"{quorum.status.value} ({quorum.explanation}); "
            f"{result.outcome.explanation}",
            not_counted=result.not_counted,
        )
    )
    return events


def _check_voters(participation: ItemParticipation, command: DecideEscalation) -> None:
    """Refuse a vote from anyone who may not cast one on this item (docs/architecture.md principle
    7)."""
    if both := set(command.in_favour) & set(command.against):
        raise DomainError(f"{', '.join(sorted(both))} voted both for and against")
    for seat in (*command.in_favour, *command.against):
        if seat in participation.left:
            raise DomainError(f"{seat} left the meeting for this item and cannot vote (ToR §6)")
        if seat in participation.discuss_only:
            raise DomainError(f"{seat} may discuss but not decide this item (CDCPE ToR §6)")
        if seat not in participation.deciding:
            raise DomainError(f"{seat} is not a voting member present for this item")


def _rule_for(
    stage: LadderStage, body: Body, chosen: DecisionRuleKind | None
) -> tuple[DecisionRuleKind, Annex1Element | None]:
    """The rule and Annex 1 element of this vote: the stage's, or another of the body's rules."""
    assert stage.decision_rule is not None
    if chosen is None or chosen is stage.decision_rule:
        return stage.decision_rule, stage.annex1_element
    configured = body.decision_rule(chosen)
    if configured is None:
        raise DomainError(f"{body.slug} has no {chosen.value} rule for any matter")
    return chosen, configured.annex1_element
