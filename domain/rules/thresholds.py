"""Decision thresholds, in exact integer arithmetic (no floats, no rounding surprises).

Voters are identified by strings: seats on a body, or organisations where the rule counts
partners (MSE MoU 2020 §8.10(2) "a majority of eligible Partners"). Votes from anyone the rule does
not count are ignored, never added.
"""

from collections.abc import Collection

from pydantic import BaseModel, ConfigDict

from domain.bodies import DecisionRuleKind
from domain.errors import DomainError


class ThresholdResult(BaseModel):
    """Whether a proposal carried under a rule, with the count that decided it."""

    model_config = ConfigDict(frozen=True)

    rule: DecisionRuleKind
    carried: bool
    in_favour: int
    counted: int
    required: int
    explanation: str


def _names(values: Collection[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def consensus(present: Collection[str], objecting: Collection[str]) -> ThresholdResult:
    """Agreement by consensus: carried when members are present and none of them objects.

    MSE MoU 2020 §8.3: "The SLE will aim to reach agreement by consensus. If
    agreement cannot be reached, then the matter may be referred to the Partnership Board".
    """
    present_set, objecting_set = set(present), set(objecting)
    if stray := objecting_set - present_set:
        raise DomainError(f"only members present can object; not present: {_names(stray)}")
    carried = bool(present_set) and not objecting_set
    explanation = (
        f"consensus of the {len(present_set)} present"
        if carried
        else "no members present"
        if not present_set
        else f"no consensus: objected by {_names(objecting_set)}"
    )
    agreeing = len(present_set - objecting_set)
    return ThresholdResult(
        rule=DecisionRuleKind.CONSENSUS,
        carried=carried,
        in_favour=agreeing,
        counted=len(present_set),
        required=len(present_set),
        explanation=explanation,
    )


def _majority_needed(counted: int) -> int:
    return counted // 2 + 1


def simple_majority(present: Collection[str], in_favour: Collection[str]) -> ThresholdResult:
    """More than half of the voting members present vote in favour.

    MSE MoU 2020 §8.10(4): "The Partnership Board will come to a majority decision"; the CDCPE
    policy rule for matters consensus cannot settle. Votes from members not present are not counted.
    """
    present_set = set(present)
    votes = len(set(in_favour) & present_set)
    needed = _majority_needed(len(present_set))
    carried = bool(present_set) and votes >= needed
    return ThresholdResult(
        rule=DecisionRuleKind.SIMPLE_MAJORITY,
        carried=carried,
        in_favour=votes,
        counted=len(present_set),
        required=needed,
        explanation=f"{votes} of {len(present_set)} present in favour, {needed} needed",
    )


def eligible_majority(
    present: Collection[str],
    eligible: Collection[str],
    affected: Collection[str],
    in_favour: Collection[str],
) -> ThresholdResult:
    """A majority of eligible Partners participating in the meeting who are affected.

    MSE MoU 2020 §8.10(2): "a majority of eligible Partners participating in the meeting who are
    affected by the matter under discussion, determined by the scope of applicable issues set out in
    Annex 1". Only voters who are present, eligible and affected are counted, in the denominator
    and in the votes.
    """
    counted = set(present) & set(eligible) & set(affected)
    votes = len(set(in_favour) & counted)
    needed = _majority_needed(len(counted))
    ignored = set(in_favour) - counted
    carried = bool(counted) and votes >= needed
    explanation = f"{votes} of {len(counted)} eligible affected partners present in favour, "
    explanation += f"{needed} needed"
    if ignored:
        explanation += f"; not counted (absent, ineligible or unaffected): {_names(ignored)}"
    return ThresholdResult(
        rule=DecisionRuleKind.ELIGIBLE_MAJORITY,
        carried=carried,
        in_favour=votes,
        counted=len(counted),
        required=needed,
        explanation=explanation,
    )


def three_quarters_needed(eligible_count: int) -> int:
    """Smallest number of votes that is not less than 75% of `eligible_count` (integer ceiling)."""
    return (3 * eligible_count + 3) // 4


def three_quarters_of_eligible(
    eligible: Collection[str], in_favour: Collection[str]
) -> ThresholdResult:
    """Supported by not less than 75% of the eligible members (all of them, not just those present).

    MSE MoU 2020 §8.4: for NHS capital investment priorities or apportionment of transformation
    funding, when the SLE cannot reach consensus, the Partnership Board may decide "provided that it
    is supported by not less than 75% of the eligible Partnership Board members". Exact: 3 of 4
    carries, 2 of 3 does not, and so does not 74.99%.
    """
    eligible_set = set(eligible)
    votes = len(set(in_favour) & eligible_set)
    needed = three_quarters_needed(len(eligible_set))
    carried = bool(eligible_set) and 4 * votes >= 3 * len(eligible_set)
    return ThresholdResult(
        rule=DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE,
        carried=carried,
        in_favour=votes,
        counted=len(eligible_set),
        required=needed,
        explanation=f"{votes} of {len(eligible_set)} eligible members in favour, "
        f"at least {needed} (75%) needed",
    )


def unanimity(
    signatories: Collection[str], agreed: Collection[str], refused: Collection[str] = ()
) -> ThresholdResult:
    """Written agreement of every signatory organisation.

    CDCP MoU §25 and MSE MoU 2020 §10.1: the MoU "may only be varied by written
    agreement of all the signatory organisations". One refusal, or one agreement missing, and the
    variation is not adopted.
    """
    signatory_set = set(signatories)
    agreeing = set(agreed) & signatory_set
    refusing = set(refused) & signatory_set
    missing = signatory_set - agreeing - refusing
    carried = bool(signatory_set) and agreeing == signatory_set and not refusing
    if carried:
        explanation = f"agreed in writing by all {len(signatory_set)} signatories"
    else:
        parts = []
        if refusing:
            parts.append(f"refused by {_names(refusing)}")
        if missing:
            parts.append(f"no written agreement from {_names(missing)}")
        explanation = "not agreed by every signatory: " + "; ".join(parts or ["no signatories"])
    return ThresholdResult(
        rule=DecisionRuleKind.UNANIMITY,
        carried=carried,
        in_favour=len(agreeing),
        counted=len(signatory_set),
        required=len(signatory_set),
        explanation=explanation,
    )
