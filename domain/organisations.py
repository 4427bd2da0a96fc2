"""Organisations that sign a partnership's MoU or sit on its bodies."""

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import UnknownOrganisationError
from domain.text import Name

Slug = str


class Sector(StrEnum):
    """Which side of the system a member represents.

    CDCPE ToR §10 asks for "representation across health and social care";
    voluntary sector and Healthwatch members count towards quorum but are neither side.
    """

    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    OTHER = "other"


class Annex1Category(StrEnum):
    """The kinds of organisation in MSE MoU 2020 Annex 1 (columns of the matrix).

    Provide CIC is an "other partner" because of its corporate status (Annex 1 footnote).
    """

    CCG = "ccg"
    NHS_PROVIDER = "nhs_provider"
    COUNCIL = "council"
    NHSE_NHSI = "nhse_nhsi"
    HEALTHWATCH = "healthwatch"
    OTHER_PARTNER = "other_partner"


class Organisation(BaseModel):
    """A partner organisation; `annex1_category` is set only where the MoU has an Annex 1 (MSE)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Name = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Name = Field(min_length=1)
    kind: Name = Field(min_length=1)
    sector: Sector
    annex1_category: Annex1Category | None = None
    illustrative: bool = False


def find_organisation(
    organisations: Iterable[Organisation], slug: Slug, partnership: str
) -> Organisation:
    """The organisation called `slug` among `partnership`'s; refuses an unknown one, listing the
    known ones."""
    known = tuple(organisations)
    for organisation in known:
        if organisation.slug == slug:
            return organisation
    raise UnknownOrganisationError(
        f"{slug!r} is not an organisation of {partnership}; its organisations are: "
        + ", ".join(o.slug for o in known)
    )
