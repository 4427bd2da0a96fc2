"""Counting votes under a body's decision rule: who the rule counts, and whether it carried.

The one dispatch from a `DecisionRuleKind` to its count, used by an escalation's vote and by
what-if alike; the arithmetic of each threshold is in `domain.rules.thresholds`. A vote from
anyone the rule does not let vote is refused, naming the clause (docs/architecture.md principle 7).
"""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.organisations import Organisation, find_organisation
from domain.rules import thresholds
from domain.rules.eligibility import Annex1Element, eligible_organisations


class Ballot(BaseModel):
    """The votes cast on an item by the seats deciding it.

    `affected`: the partner organisations affected by the matter (MSE MoU 2020 §8.10(2)); None when
    every partner present is taken to be affected. `signatories`: whose agreement unanimity
    needs; None for the members deciding.
    """

    model_config = ConfigDict(frozen=True)

    deciding: tuple[str, ...]
    in_favour: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    affected: tuple[str, ...] | None = None
    signatories: tuple[str, ...] | None = None


class VoteCount(BaseModel):
    """Whom the rule counts (seats, or organisations for a majority of partners), how many of
    them can vote at the meeting, and the outcome."""

    model_config = ConfigDict(frozen=True)

    rule: DecisionRuleKind
    voters: tuple[str, ...]
    available: int
    outcome: thresholds.ThresholdResult


def count_votes(
    rule: DecisionRuleKind,
    element: Annex1Element | None,
    body: Body,
    ballot: Ballot,
    *,
    organisations: Sequence[Organisation],
    partnership: str,
) -> VoteCount:
    """The count of `ballot` under `rule` on `body`; `element` of MSE MoU 2020 Annex 1 and
    `organisations` (of `partnership`) decide who is eligible."""
    deciding = ballot.deciding
    match rule:
        case DecisionRuleKind.CONSENSUS:
            outcome = thresholds.consensus(deciding, ballot.against)
            return VoteCount(rule=rule, voters=deciding, available=len(deciding), outcome=outcome)
        case DecisionRuleKind.SIMPLE_MAJORITY:
            outcome = thresholds.simple_majority(deciding, ballot.in_favour)
            return VoteCount(rule=rule, voters=deciding, available=len(deciding), outcome=outcome)
        case DecisionRuleKind.UNANIMITY:
            voters = deciding if ballot.signatories is None else ballot.signatories
            outcome = thresholds.unanimity(voters, ballot.in_favour, ballot.against)
            return VoteCount(rule=rule, voters=voters, available=len(voters), outcome=outcome)
        case DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE:
            eligible = eligible_organisations(organisations, element)
            return _three_quarters(body, eligible, ballot)
        case DecisionRuleKind.ELIGIBLE_MAJORITY:
            eligible = eligible_organisations(organisations, element)
            affected = ballot.affected
            if affected is not None:
                if not affected:
                    raise DomainError(
                        "name the partners affected by the matter (MSE MoU 2020 §8.10(2))"
                    )
                for slug in affected:
                    find_organisation(organisations, slug, partnership)
            return _eligible_majority(body, eligible, affected, ballot)


def _three_quarters(body: Body, eligible: frozenset[str], ballot: Ballot) -> VoteCount:
    """MSE MoU 2020 §8.4: 75% of all eligible members, present or not; Annex 1 decides
    eligibility."""
    seat_org = {m.seat: m.organisation for m in body.members}
    voters = tuple(m.seat for m in body.voting_members if m.organisation in eligible)
    for seat in (*ballot.in_favour, *ballot.against):
        if seat not in voters:
            raise DomainError(
                f"{seat} ({seat_org.get(seat) or 'independent'}) is not eligible to "
                f"decide this matter (MSE MoU 2020 §8.4, Annex 1)"
            )
    outcome = thresholds.three_quarters_of_eligible(voters, ballot.in_favour)
    available = len(set(voters) & set(ballot.deciding))
    return VoteCount(
        rule=DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE,
        voters=voters,
        available=available,
        outcome=outcome,
    )


def _eligible_majority(
    body: Body, eligible: frozenset[str], affected: tuple[str, ...] | None, ballot: Ballot
) -> VoteCount:
    """MSE MoU 2020 §8.10(2): a majority of eligible Partners present who are affected; a partner
    has one vote, however many of its seats are present."""
    seat_org = {m.seat: m.organisation for m in body.members}
    for seat in (*ballot.in_favour, *ballot.against):
        organisation = seat_org.get(seat)
        if organisation not in eligible or (affected is not None and organisation not in affected):
            raise DomainError(
                f"{seat} ({organisation or 'independent'}) is not an eligible partner "
                f"affected by the matter, so cannot vote (MSE MoU 2020 §8.10(2), Annex 1)"
            )
    present = tuple(sorted({o for s in ballot.deciding if (o := seat_org.get(s)) is not None}))
    favour_orgs = {seat_org[s] for s in ballot.in_favour}
    against_orgs = {seat_org[s] for s in ballot.against}
    if split := sorted(o for o in favour_orgs & against_orgs if o):
        raise DomainError(f"{', '.join(split)} voted both ways; a partner has one vote")
    counted_affected = present if affected is None else affected
    outcome = thresholds.eligible_majority(
        present, eligible, counted_affected, [o for o in favour_orgs if o]
    )
    voters = tuple(sorted(set(present) & eligible & set(counted_affected)))
    return VoteCount(
        rule=DecisionRuleKind.ELIGIBLE_MAJORITY,
        voters=voters,
        available=outcome.counted,
        outcome=outcome,
    )
