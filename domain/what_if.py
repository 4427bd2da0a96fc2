"""What if: the quorum and voting consequences of a proposed change, changing nothing.

Offered to staff before a meeting (issue 3): if a partner leaves (CDCP MoU §27), if members are
conflicted on an item (CDCPE ToR §6) or if some members are absent, which bodies are still quorate
(CDCPE ToR §10) and how many votes each of their decision rules would need (MSE MoU 2020 §8.4,
§8.10). Everyone not named absent is assumed to attend in person.
"""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from domain.aggregates.partnership import PartnershipState
from domain.bodies import Body, DecisionRule, DecisionRuleKind
from domain.errors import DomainError
from domain.events import ConflictRuling
from domain.organisations import Organisation
from domain.rules.conflicts import apply_rulings
from domain.rules.exits import ExitEffect, exit_effect, without_organisations
from domain.rules.quorum import Attendance, QuorumResult, can_be_quorate
from domain.rules.voting import Ballot, count_votes


class SeatRef(BaseModel):
    """A seat on a named body."""

    model_config = ConfigDict(frozen=True)

    body: str
    seat: str


class Conflict(BaseModel):
    """A member's conflict on the item, with the ruling the Chair is expected to give."""

    model_config = ConfigDict(frozen=True)

    body: str
    seat: str
    ruling: ConflictRuling


class ProposedChange(BaseModel):
    """Partners leaving, members absent, and members conflicted on the item."""

    model_config = ConfigDict(frozen=True)

    leaving: tuple[str, ...] = ()
    absent: tuple[SeatRef, ...] = ()
    conflicted: tuple[Conflict, ...] = ()


class RuleConsequence(BaseModel):
    """What a decision rule would need under the change."""

    model_config = ConfigDict(frozen=True)

    rule: DecisionRuleKind
    matter: str
    counted: int
    required: int
    achievable: bool
    explanation: str


class BodyConsequence(BaseModel):
    """One body's position under the change."""

    model_config = ConfigDict(frozen=True)

    body: str
    voting_seats: int
    can_be_quorate: bool
    quorum: QuorumResult
    chair: str | None
    chair_replaced: bool
    rules: tuple[RuleConsequence, ...]


class WhatIfReport(BaseModel):
    """Consequences per body, and the exit's effect where partners leave."""

    model_config = ConfigDict(frozen=True)

    signatories_after: tuple[str, ...]
    exit: ExitEffect | None
    bodies: tuple[BodyConsequence, ...]


def what_if(state: PartnershipState, change: ProposedChange) -> WhatIfReport:
    """Report quorum and voting consequences of `change` for every body with members."""
    for organisation in change.leaving:
        state.organisation(organisation)
        if organisation not in state.signatories:
            raise DomainError(f"{organisation} is not a current signatory of {state.slug}")
    bodies = state.bodies
    refs = [(a.body, a.seat) for a in change.absent] + [(c.body, c.seat) for c in change.conflicted]
    for body_slug, seat in refs:
        if state.body(body_slug).member(seat) is None:
            raise DomainError(f"{seat!r} is not a seat on {body_slug}")
    signatories = tuple(s for s in state.signatories if s not in change.leaving)
    consequences = tuple(
        _consequence(state, without_organisations(body, change.leaving), change, signatories)
        for body in bodies
        if body.members
    )
    return WhatIfReport(
        signatories_after=signatories,
        exit=exit_effect(bodies, change.leaving) if change.leaving else None,
        bodies=consequences,
    )


def _consequence(
    state: PartnershipState, body: Body, change: ProposedChange, signatories: tuple[str, ...]
) -> BodyConsequence:
    absent = {r.seat for r in change.absent if r.body == body.slug}
    present = tuple(Attendance(seat=m.seat) for m in body.members if m.seat not in absent)
    rulings = {
        c.seat: c.ruling
        for c in change.conflicted
        if c.body == body.slug and c.seat not in absent and body.member(c.seat) is not None
    }
    participation = apply_rulings(body, "proposed item", present, rulings)
    remaining_orgs = [o for o in state.organisations if o.slug not in change.leaving]
    # Nobody has voted yet; every partner present is taken to be affected (MSE MoU 2020 §8.10(2)),
    # and unanimity is of the signatories (CDCP MoU §25).
    ballot = Ballot(deciding=participation.deciding, signatories=signatories)
    rules = tuple(
        _rule_consequence(rule, body, ballot, remaining_orgs, state.slug)
        for rule in body.decision_rules
    )
    return BodyConsequence(
        body=body.slug,
        voting_seats=len(body.voting_members),
        can_be_quorate=can_be_quorate(body),
        quorum=participation.quorum,
        chair=participation.chair,
        chair_replaced=participation.chair_replaced,
        rules=rules,
    )


def _rule_consequence(
    rule: DecisionRule,
    body: Body,
    ballot: Ballot,
    organisations: Sequence[Organisation],
    partnership: str,
) -> RuleConsequence:
    count = count_votes(
        rule.kind,
        rule.annex1_element,
        body,
        ballot,
        organisations=organisations,
        partnership=partnership,
    )
    return RuleConsequence(
        rule=rule.kind,
        matter=rule.matter,
        counted=count.outcome.counted,
        required=count.outcome.required,
        achievable=0 < count.outcome.required <= count.available,
        explanation=count.outcome.explanation,
    )
