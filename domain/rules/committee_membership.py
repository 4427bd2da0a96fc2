"""The minimum membership of a joint committee (DCC Cabinet 2022 §19 (a)-(g)).

"As a minimum it is expected that the membership of a Joint Committee would include: (a) a chair
jointly appointed by Joint Committee members; (b) senior ICB officers; (c) senior Local Authority
officers covering services such as Adult Care, Children and Young People's Services and Public
Health; (d) clinical leaders from Primary, Community and Secondary care; (e) senior officers from
NHS Trusts; (f) the voluntary sector; (g) patients and service users." Each seat says which of
these it fills; the services named in (c) and the care settings named in (d) are each required.
"""

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.organisations import Sector
from domain.text import Name


class MinimumCategory(StrEnum):
    """What a seat fills in the minimum list of DCC Cabinet 2022 §19; the chair (a) is a flag of its
    own."""

    ICB_OFFICER = "icb-officer"
    ADULT_CARE = "adult-care"
    CHILDREN_AND_YOUNG_PEOPLE = "children-and-young-people"
    PUBLIC_HEALTH = "public-health"
    PRIMARY_CARE_CLINICIAN = "primary-care-clinician"
    COMMUNITY_CARE_CLINICIAN = "community-care-clinician"
    SECONDARY_CARE_CLINICIAN = "secondary-care-clinician"
    NHS_TRUST_OFFICER = "nhs-trust-officer"
    VOLUNTARY_SECTOR = "voluntary-sector"
    PATIENTS_AND_SERVICE_USERS = "patients-and-service-users"


MINIMUM_LIST: dict[MinimumCategory, str] = {
    MinimumCategory.ICB_OFFICER: "(b) senior ICB officers",
    MinimumCategory.ADULT_CARE: "(c) a senior local authority officer for adult care",
    MinimumCategory.CHILDREN_AND_YOUNG_PEOPLE: (
        "(c) a senior local authority officer for children and young people's services"
    ),
    MinimumCategory.PUBLIC_HEALTH: "(c) a senior local authority officer for public health",
    MinimumCategory.PRIMARY_CARE_CLINICIAN: "(d) a clinical leader from primary care",
    MinimumCategory.COMMUNITY_CARE_CLINICIAN: "(d) a clinical leader from community care",
    MinimumCategory.SECONDARY_CARE_CLINICIAN: "(d) a clinical leader from secondary care",
    MinimumCategory.NHS_TRUST_OFFICER: "(e) senior officers from NHS trusts",
    MinimumCategory.VOLUNTARY_SECTOR: "(f) the voluntary sector",
    MinimumCategory.PATIENTS_AND_SERVICE_USERS: "(g) patients and service users",
}
"""Every category of DCC Cabinet 2022 §19 (b)-(g), as a refusal names it."""

CHAIR = "(a) a chair jointly appointed by the Joint Committee members"


class ProposedSeat(BaseModel):
    """A seat proposed for the joint committee, with the §19 categories it fills."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seat: Name = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    role: Name = Field(min_length=1)
    organisation: Name | None = None
    sector: Sector
    covers: tuple[MinimumCategory, ...] = ()
    chair: bool = False


def missing_from_minimum(seats: Iterable[ProposedSeat]) -> list[str]:
    """What the membership lacks of DCC Cabinet 2022 §19 (a)-(g), in the order of the list; empty if
    none."""
    seats = list(seats)
    missing = [] if any(s.chair for s in seats) else [CHAIR]
    covered = {category for s in seats for category in s.covers}
    return missing + [text for category, text in MINIMUM_LIST.items() if category not in covered]
