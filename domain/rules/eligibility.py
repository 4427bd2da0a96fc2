"""Who may take part in a decision: the Annex 1 matrix of MSE MoU 2020.

MSE MoU 2020 §1.3 says certain aspects of the MoU are not relevant to particular types of
organisation, and Annex 1 says which. §8.4 and §8.10(2) make that matrix decide eligibility:
"Partnership Board members will be eligible to participate on issues which apply to their
organisation".
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum

from domain.organisations import Annex1Category, Organisation

_ALL = frozenset(Annex1Category)
_NHS = frozenset({Annex1Category.CCG, Annex1Category.NHS_PROVIDER, Annex1Category.NHSE_NHSI})


class Annex1Element(StrEnum):
    """The rows of MSE MoU 2020 Annex 1 ("Applicability of Memorandum Elements")."""

    VISION_PRINCIPLES_VALUES = "vision_principles_values"
    PARTNERSHIP_OBJECTIVES = "partnership_objectives"
    GOVERNANCE = "governance"
    COLLECTIVE_AGREEMENT_AND_ISSUE_RESOLUTION = "collective_agreement_and_issue_resolution"
    MUTUAL_ACCOUNTABILITY = "mutual_accountability"
    NHS_FINANCIAL_RISK_MANAGEMENT = "nhs_financial_risk_management"
    NHS_CAPITAL_AND_TRANSFORMATION_FUNDS = "nhs_capital_and_transformation_funds"
    NATIONAL_AND_REGIONAL_SUPPORT = "national_and_regional_support"


ANNEX1_MATRIX: Mapping[Annex1Element, frozenset[Annex1Category]] = {
    Annex1Element.VISION_PRINCIPLES_VALUES: _ALL,
    Annex1Element.PARTNERSHIP_OBJECTIVES: _ALL,
    Annex1Element.GOVERNANCE: _ALL,
    Annex1Element.COLLECTIVE_AGREEMENT_AND_ISSUE_RESOLUTION: _ALL,
    Annex1Element.MUTUAL_ACCOUNTABILITY: _ALL
    - {Annex1Category.HEALTHWATCH, Annex1Category.OTHER_PARTNER},
    Annex1Element.NHS_FINANCIAL_RISK_MANAGEMENT: _NHS,
    Annex1Element.NHS_CAPITAL_AND_TRANSFORMATION_FUNDS: _NHS,
    Annex1Element.NATIONAL_AND_REGIONAL_SUPPORT: _NHS | {Annex1Category.COUNCIL},
}
"""MSE MoU 2020 Annex 1, row by row: the ticks under CCGs, NHS Providers, Councils, NHSE & NHSI,
Healthwatch and Other partners."""


def category_applies(category: Annex1Category, element: Annex1Element) -> bool:
    """Whether Annex 1 of MSE MoU 2020 ticks `element` for organisations of `category`."""
    return category in ANNEX1_MATRIX[element]


def organisation_eligible(organisation: Organisation, element: Annex1Element | None) -> bool:
    """Whether `organisation` may take part in a decision on `element` (MSE MoU 2020 §8.4,
    §8.10(2)).

    Only the MSE MoU has an Annex 1. Where the decision names no Annex 1 element, or the
    organisation's partnership gives it no Annex 1 category (County Durham, NENC), no source
    restricts it, so it is eligible.
    """
    if element is None or organisation.annex1_category is None:
        return True
    return category_applies(organisation.annex1_category, element)


def eligible_organisations(
    organisations: Iterable[Organisation], element: Annex1Element | None
) -> frozenset[str]:
    """Slugs of the organisations eligible to decide on `element` (MSE MoU 2020 §8.4, Annex 1)."""
    return frozenset(o.slug for o in organisations if organisation_eligible(o, element))
