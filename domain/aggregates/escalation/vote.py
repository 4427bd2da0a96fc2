"""A vote at the current level: members' own votes (CDCPE ToR §3), then the meeting's record with
quorum and conflicts of interest (CDCPE ToR §6, §10), and the count under the level's decision rule
(`domain.rules.voting`)."""

from domain.aggregates.escalation.commands import CastVote, DecideEscalation
from domain.aggregates.escalation.state import EscalationState, require_open
from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import (
    ConflictRuled,
    DomainEvent,
    EscalationDecided,
    InterestDeclared,
    ItemChairReplaced,
    VoteCast,
    VoteChoice,
)
from domain.partnership import LadderStage, StageKind
from domain.rules.conflicts import ItemParticipation, apply_rulings
from domain.rules.eligibility import Annex1Element
from domain.rules.voting import Ballot, UncountedVote, count_votes, with_cast_votes


def cast_vote(state: EscalationState, escalation_id: str, command: CastVote) -> list[DomainEvent]:
    """A member's own vote at the current level, while the level's vote is undecided."""
    stage = _deciding_stage(state, command.body)
    if decided := state.decided:
        raise DomainError(
            f"the vote of the {stage.name} was decided on {decided.decided_on.isoformat()}; "
            "no more votes are taken at this level"
        )
    member = state.body(command.body).member(command.seat)
    if member is None:
        raise DomainError(f"{command.seat} is not a seat on {command.body}")
    if not member.voting:
        raise DomainError(
            f"{command.seat} ({member.role}) is invited to attend {command.body} but does not "
            "vote (CDCPE ToR §3)"
        )
    return [
        VoteCast(
            partnership=state.config.slug,
            escalation_id=escalation_id,
            level=stage.level,
            body=command.body,
            seat=command.seat,
            vote=command.vote,
            cast_on=command.cast_on,
            declaration=command.declaration,
        )
    ]


def _deciding_stage(state: EscalationState, body: str) -> LadderStage:
    """The current stage, refusing one that does not vote or a body that does not decide it."""
    stage = require_open(state)
    if stage.kind is not StageKind.DECISION or stage.decision_rule is None:
        raise DomainError(f"level {stage.level} ({stage.name}) does not decide by vote")
    if body not in stage.bodies:
        raise DomainError(f"{body} does not decide at level {stage.level} ({stage.name})")
    return stage


def _declarations(state: EscalationState, command: DecideEscalation) -> dict[str, str]:
    """The interests declared at the meeting and those members declared with their own votes;
    the record may not give a member's declaration other words than their own."""
    present = {a.seat for a in command.present}
    declared = dict(command.declarations)
    for cast in state.votes:
        if cast.seat not in present or not cast.declaration:
            continue
        recorded = declared.setdefault(cast.seat, cast.declaration)
        if recorded != cast.declaration:
            raise DomainError(
                f"the record gives {cast.seat}'s declared interest other words than they "
                f"declared themselves ({cast.declaration!r})"
            )
    return declared


def decide_vote(
    state: EscalationState, escalation_id: str, command: DecideEscalation
) -> list[DomainEvent]:
    """The declarations, rulings and count of a vote at the current level."""
    stage = _deciding_stage(state, command.body)
    body = state.body(command.body)
    item = f"escalation {escalation_id}"
    declarations = _declarations(state, command)
    if unruled := sorted(set(declarations) - set(command.rulings)):
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
    cast = {v.seat: v.vote for v in state.votes}
    in_favour, against = with_cast_votes(
        command.in_favour, command.against, participation.deciding, cast
    )
    rule, element = _rule_for(stage, body, command.rule)
    ballot = Ballot(
        deciding=participation.deciding,
        in_favour=in_favour,
        against=against,
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
        for seat, description in sorted(declarations.items())
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
            in_favour=tuple(sorted(set(in_favour))),
            against=tuple(sorted(set(against))),
            carried=result.outcome.carried,
            summary=command.summary,
            # The quorum outcome leads, so "quorate, but without social care" (CDCPE ToR §10)
            # is reported distinctly from a fully quorate meeting.
            explanation=f"{quorum.status.value} ({quorum.explanation}); "
            f"{result.outcome.explanation}",
            not_counted=result.not_counted + _cast_not_counted(state, participation),
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


def _cast_not_counted(
    state: EscalationState, participation: ItemParticipation
) -> tuple[UncountedVote, ...]:
    """Members' own votes that the Chair's rulings did not let them cast on this item."""
    why = {seat: "left the meeting for this item" for seat in participation.left} | {
        seat: "may discuss but not decide this item" for seat in participation.discuss_only
    }
    return tuple(
        UncountedVote(
            seat=v.seat,
            reason=f"{v.seat} cast their own vote but {why[v.seat]}, so it is not counted "
            "(CDCPE ToR §6)",
        )
        for v in state.votes
        if v.seat in why and v.vote is not VoteChoice.ABSTAIN
    )


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
