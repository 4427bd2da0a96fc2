"""Counting votes under a body's decision rule: who the rule counts, and whether it carried.

The one dispatch from a `DecisionRuleKind` to its count, used by an escalation's vote and by
what-if alike; the arithmetic of each threshold is in `domain.rules.thresholds`. A vote from a
member present whom the rule does not count (MSE MoU 2020 §8.4, §8.10(2)) is kept, not counted,
with the reason naming the clause: how each member voted is part of the record.
"""

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.organisations import Organisation, find_organisation
from domain.rules import thresholds
from domain.rules.eligibility import Annex1Element, eligible_organisations


class VoteChoice(StrEnum):
    """How a member votes on an item: for, against, or present and abstaining."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


def with_cast_votes(
    in_favour: Sequence[str],
    against: Sequence[str],
    deciding: Sequence[str],
    cast: Mapping[str, VoteChoice],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The votes a meeting recorded with the members' own votes (CDCPE ToR §3): a member deciding
    the item who cast their own vote is counted as they voted, and a record listing them otherwise
    is refused naming the seat. Members' votes from seats not deciding the item are left out."""
    recorded = {seat: VoteChoice.FOR for seat in in_favour} | {
        seat: VoteChoice.AGAINST for seat in against
    }
    for seat, vote in cast.items():
        if seat in recorded and recorded[seat] is not vote:
            raise DomainError(
                f"the record says {seat} voted {recorded[seat].value}, but {seat} cast their own "
                f"vote: {vote.value}"
            )
    votes = recorded | {seat: vote for seat, vote in cast.items() if seat in deciding}
    return (
        tuple(seat for seat, vote in votes.items() if vote is VoteChoice.FOR),
        tuple(seat for seat, vote in votes.items() if vote is VoteChoice.AGAINST),
    )


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


class UncountedVote(BaseModel):
    """A vote cast by a member present whom the rule does not count, and why."""

    model_config = ConfigDict(frozen=True)

    seat: str
    reason: str


class VoteCount(BaseModel):
    """Whom the rule counts (seats, or organisations for a majority of partners), how many of
    them can vote at the meeting, the outcome, and the votes cast but not counted."""

    model_config = ConfigDict(frozen=True)

    rule: DecisionRuleKind
    voters: tuple[str, ...]
    available: int
    outcome: thresholds.ThresholdResult
    not_counted: tuple[UncountedVote, ...] = ()


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
    not_counted = _not_counted(
        ballot,
        lambda seat: seat in voters,
        lambda seat: (
            f"{seat} ({seat_org.get(seat) or 'independent'}) is not eligible to decide "
            "this matter (MSE MoU 2020 §8.4, Annex 1)"
        ),
    )
    outcome = thresholds.three_quarters_of_eligible(voters, ballot.in_favour)
    available = len(set(voters) & set(ballot.deciding))
    return VoteCount(
        rule=DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE,
        voters=voters,
        available=available,
        outcome=outcome,
        not_counted=not_counted,
    )


def _eligible_majority(
    body: Body, eligible: frozenset[str], affected: tuple[str, ...] | None, ballot: Ballot
) -> VoteCount:
    """MSE MoU 2020 §8.10(2): a majority of eligible Partners present who are affected; a partner
    has one vote, however many of its seats are present."""
    seat_org = {m.seat: m.organisation for m in body.members}

    def counts(seat: str) -> bool:
        organisation = seat_org.get(seat)
        return organisation in eligible and (affected is None or organisation in affected)

    not_counted = _not_counted(
        ballot,
        counts,
        lambda seat: (
            f"{seat} ({seat_org.get(seat) or 'independent'}) is not an eligible partner "
            "affected by the matter, so its vote is not counted (MSE MoU 2020 §8.10(2), Annex 1)"
        ),
    )
    present = tuple(sorted({o for s in ballot.deciding if (o := seat_org.get(s)) is not None}))
    favour_orgs = {seat_org[s] for s in ballot.in_favour if counts(s)}
    against_orgs = {seat_org[s] for s in ballot.against if counts(s)}
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
        not_counted=not_counted,
    )


def _not_counted(
    ballot: Ballot, counts: Callable[[str], bool], reason: Callable[[str], str]
) -> tuple[UncountedVote, ...]:
    """The votes cast that the rule does not count, in seat order, each with its reason."""
    cast = sorted({*ballot.in_favour, *ballot.against})
    return tuple(UncountedVote(seat=s, reason=reason(s)) for s in cast if not counts(s))
