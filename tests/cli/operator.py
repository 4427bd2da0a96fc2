"""The command line acts as the person signed in (`concordat login`): the tests sign in as the
partnership's development secretary (deploy/dev-users.toml), who records for a partner only on
its behalf, giving why (`--on-behalf-of REASON`, docs/rules.md A4)."""

from pathlib import Path

from deploy.dev_users import secretary
from domain.partnerships_config import SHIPPED, load_partnership
from tests.cli.conftest import Stack

LETTER = "signed letter received from the partner"
"""The reason the tests' secretary gives for everything recorded for a partner."""

FOR = ("--on-behalf-of", LETTER)
"""The option that records a command for the partner it names."""


def secretary_of(stack: Stack, slug: str, folder: Path = SHIPPED) -> Stack:
    """`stack` as the secretary of `slug` (in `folder`, default the shipped partnerships)."""
    return stack.signed_in(secretary(load_partnership(slug, folder)).subject)


def shown(slug: str) -> str:
    """How the trail names `slug`'s development secretary: name and email."""
    person = secretary(load_partnership(slug))
    return f"{person.name} <{person.email}>"
