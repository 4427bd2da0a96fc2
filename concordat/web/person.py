"""The verified person behind a request, made in one place from what the OpenID provider said."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from domain.provenance import Person
from domain.text import refusal


class NotAPerson(ValueError):
    """The provider's claims lack what Concordat needs to name who acts."""


def person_from_claims(issuer: str, claims: Mapping[str, Any]) -> Person:
    """The person an ID token or the userinfo endpoint describes. The email names the actor in
    the log, so a provider that gives none (scope `email` not granted) is refused: Entra ID
    sends `preferred_username`, its user principal name, where `email` is unset. An email the
    provider says it has not verified is refused: the access data names people by email, so
    one a person typed in themselves could pass them off as a partner's representative."""
    subject = claims.get("sub")
    email = claims.get("email") or claims.get("preferred_username")
    if not isinstance(subject, str) or not subject:
        raise NotAPerson("the identity provider named no subject (sub) for this person")
    if claims.get("email") and claims.get("email_verified") is False:
        raise NotAPerson(
            f"the identity provider has not verified the email {claims['email']!r}; verify it "
            "there before signing in"
        )
    if not isinstance(email, str) or not email:
        raise NotAPerson(
            "the identity provider gave no email for this person; the client must be granted "
            "the 'email' scope"
        )
    groups = claims.get("groups") or ()
    name = claims.get("name")
    try:
        return Person(
            issuer=issuer,
            subject=subject,
            name=name if isinstance(name, str) and name else email,
            email=email,
            groups=tuple(str(g) for g in groups) if isinstance(groups, list | tuple) else (),
        )
    except ValidationError as error:
        reason = refusal(error)
        raise NotAPerson(f"the identity provider's claims cannot name a person: {reason}") from None
