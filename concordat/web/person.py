"""The verified person behind a request, made in one place from what the OpenID provider said."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.text import Name


class NotAPerson(ValueError):
    """The provider's claims lack what Concordat needs to name who acts."""


class Person(BaseModel):
    """Who is signed in: the provider and its subject identify them; the rest is for people."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    subject: str
    name: Name | None
    email: Name
    groups: tuple[Name, ...] = ()


def person_from_claims(issuer: str, claims: Mapping[str, Any]) -> Person:
    """The person an ID token or the userinfo endpoint describes. The email names the actor in
    the log, so a provider that gives none (scope `email` not granted) is refused: Entra ID
    sends `preferred_username`, its user principal name, where `email` is unset."""
    subject = claims.get("sub")
    email = claims.get("email") or claims.get("preferred_username")
    if not isinstance(subject, str) or not subject:
        raise NotAPerson("the identity provider named no subject (sub) for this person")
    if not isinstance(email, str) or not email:
        raise NotAPerson(
            "the identity provider gave no email for this person; the client must be granted "
            "the 'email' scope"
        )
    groups = claims.get("groups") or ()
    name = claims.get("name")
    return Person(
        issuer=issuer,
        subject=subject,
        name=name if isinstance(name, str) else None,
        email=email,
        groups=tuple(str(g) for g in groups) if isinstance(groups, list | tuple) else (),
    )
