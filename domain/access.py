"""Who holds which role in a partnership: the `[access]` section of its file.

People are named as the identity provider's claims name them, in one of three forms:
`someone@example.org` (the email claim), `group:NAME` (one of the groups claimed), or
`ISSUER:SUBJECT` (`local:alice` for a local account; `ISSUER:*` for every account of that
issuer, such as `local:*` for whoever runs the embedded stack). Facts live here, in data; the
rules reading them live in `domain.authority`.
"""

from pydantic import BaseModel, ConfigDict, Field

from domain.organisations import Slug
from domain.provenance import Person
from domain.text import Name

Who = Name
"""One way of naming people: an email, `group:NAME`, or `ISSUER:SUBJECT` (`ISSUER:*`)."""


def names(who: Who, person: Person) -> bool:
    """Whether `who` names `person`."""
    if who.startswith("group:"):
        return who.removeprefix("group:") in person.groups
    if "@" in who and ":" not in who:
        return person.email is not None and person.email.lower() == who.lower()
    issuer, _, subject = who.partition(":")
    return issuer == person.issuer and subject in ("*", person.subject)


class Representatives(BaseModel):
    """Who represents one organisation (acts for it: signs, responds, gives notice)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    organisation: Slug
    people: tuple[Who, ...] = Field(min_length=1)


class SeatHolders(BaseModel):
    """Who holds one seat of a body, and the deputies named for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body: Slug
    seat: Slug
    people: tuple[Who, ...] = Field(min_length=1)
    deputies: tuple[Who, ...] = ()


class Access(BaseModel):
    """The roles of one partnership. A partnership without this section lets nobody act."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secretariat: tuple[Who, ...] = ()
    auditors: tuple[Who, ...] = ()
    administrators: tuple[Who, ...] = ()
    representatives: tuple[Representatives, ...] = ()
    members: tuple[SeatHolders, ...] = ()

    def is_secretariat(self, person: Person) -> bool:
        return any(names(w, person) for w in self.secretariat)

    def is_auditor(self, person: Person) -> bool:
        return any(names(w, person) for w in self.auditors)

    def is_administrator(self, person: Person) -> bool:
        return any(names(w, person) for w in self.administrators)

    def organisations_of(self, person: Person) -> tuple[Slug, ...]:
        """The organisations `person` represents."""
        return tuple(
            r.organisation for r in self.representatives if any(names(w, person) for w in r.people)
        )

    def seats_of(self, person: Person, *, deputy: bool) -> tuple[SeatHolders, ...]:
        """The seats `person` holds (or, with `deputy`, is named deputy for)."""
        return tuple(
            s
            for s in self.members
            if any(names(w, person) for w in (s.deputies if deputy else s.people))
        )
