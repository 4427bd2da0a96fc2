"""The person a provider's claims name: what Concordat refuses to take from them."""

import re

import pytest

from concordat.web.person import NotAPerson, person_from_claims

ISSUER = "https://login.example"


def test_a_verified_or_unstated_email_names_the_person() -> None:
    for verified in ({"email_verified": True}, {}):
        person = person_from_claims(ISSUER, {"sub": "s1", "email": "a@dcc.example", **verified})
        assert (person.issuer, person.subject, person.email) == (ISSUER, "s1", "a@dcc.example")


def test_an_email_the_provider_has_not_verified_is_refused() -> None:
    with pytest.raises(
        NotAPerson, match=re.escape("has not verified the email 'chief@icb.example'")
    ):
        person_from_claims(
            ISSUER, {"sub": "s1", "email": "chief@icb.example", "email_verified": False}
        )


def test_entra_ids_user_principal_name_stands_for_the_email() -> None:
    person = person_from_claims(ISSUER, {"sub": "s1", "preferred_username": "a@nhs.example"})
    assert person.email == "a@nhs.example"


def test_claims_without_subject_or_email_are_refused() -> None:
    with pytest.raises(NotAPerson, match="no subject"):
        person_from_claims(ISSUER, {"email": "a@dcc.example"})
    with pytest.raises(NotAPerson, match="'email' scope"):
        person_from_claims(ISSUER, {"sub": "s1"})
