"""What every letter of one partnership shares: who signs it, whom it is addressed to, the
partnership's own wording of each kind of letter, its letterhead and where its pages are.

All of it comes from the partnership's file (the `[officer]` and `[letters]` sections) and is
resolved when the file is loaded, so a workflow renders letters from data alone. The web
service's address is deployment data, not the file's: whoever starts the partnership's workflow
sets it from its settings.
"""

from pydantic import BaseModel, ConfigDict, Field

from domain.organisations import Slug
from domain.text import Line, Name

_EMAIL = r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class Officer(BaseModel):
    """The named officer who signs the partnership's letters and answers questions about them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name = Field(min_length=1)
    title: Name = Field(min_length=1)
    organisation: Name = Field(min_length=1)
    email: Name = Field(pattern=_EMAIL)
    telephone: Name = Field(pattern=r"^\+?[0-9][0-9 ]{6,}[0-9]$")
    illustrative: bool = False

    @property
    def domain(self) -> str:
        """The domain of the officer's address, which the letters' Message-IDs carry."""
        return self.email.rpartition("@")[2]


class Addressee(BaseModel):
    """The named person a letter to an organisation or body is addressed to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    to: Slug = Field(min_length=1, description="the organisation or body")
    name: Name = Field(min_length=1)
    role: Name = Field(min_length=1)
    illustrative: bool = False


class Letterhead(BaseModel):
    """What the PDF copy of a letter is printed on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: tuple[Line, ...] = Field(min_length=1)
    colour: str = Field(default="#005eb8", pattern=r"^#[0-9a-fA-F]{6}$")
    logo: Line | None = Field(
        default=None, description="an SVG or PNG file, relative to the partnership's file"
    )


class Letters(BaseModel):
    """A partnership's letters: addressees, its own templates, letterhead, PDF copies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    addressees: tuple[Addressee, ...] = ()
    templates: dict[str, str] = Field(
        default_factory=dict,
        description="the partnership's own templates by name, read from <slug>/letters/ beside "
        "its file when it is loaded",
    )
    letterhead: Letterhead | None = None
    pdf: bool = Field(default=False, description="attach a PDF copy on the letterhead")

    def addressee(self, to: Slug) -> Addressee | None:
        return next((a for a in self.addressees if a.to == to), None)
