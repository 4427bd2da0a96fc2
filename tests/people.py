"""The tests' one way to act: envelopes signed, with the tests' own key, as a named development
person (deploy/dev-users.toml) whom the partnership's access data entitles to the command.

No test writes an actor by hand: `signed` picks the representative of the organisation a command
is for, the holder of the seat it is for, or else the secretary, unless told whom.
"""

from functools import cache
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from concordat.signing import Signer
from deploy.dev_users import (
    dev_person as dev_person,
    entitled,
    first_user,
    representative as representative,
    secretary as secretary,
)
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.provenance import Actor, Channel, Person
from workflows.contracts.process import Command

C = TypeVar("C")

SIGNER = Signer(Ed25519PrivateKey.generate())
"""The tests' own key: the workers the fixtures start trust it (tests/conftest.py)."""


def seat_holder(config: Partnership, seat: str, *, deputy: bool = False) -> Person:
    holders = next(s for s in config.access.members if s.seat == seat)
    return first_user(holders.deputies if deputy else holders.people)


@cache
def shipped(slug: str) -> Partnership:
    return load_partnership(slug)


def partnership_of(workflow_id: str) -> Partnership:
    """The shipped partnership a workflow (`review:county-durham-1a2b3c:...`) belongs to; tests
    give partnerships slugs of their own by suffixing the shipped one's."""
    segment = workflow_id.split(":")[1]
    slug = max((s for s in partnership_slugs() if segment.startswith(s)), key=len)
    return shipped(slug)


def signed(
    where: Partnership | str,
    command: C,
    *,
    by: Person | None = None,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> Command[C]:
    """`command` signed for `by` (default: whoever is entitled to it in the partnership
    `where`, or that of the workflow with that id), over the web channel."""
    config = where if isinstance(where, Partnership) else partnership_of(where)
    if by is None:
        by, party = entitled(config, command)
        if party is not None and on_behalf_of is None:
            on_behalf_of, reason = party, "a party the access data does not name"
    return SIGNER.envelope(
        config.access,
        by,
        command,
        Channel.WEB,
        on_behalf_of=on_behalf_of,
        reason=reason,
    )


def entitled_actor(config: Partnership, command: Any) -> Actor:
    """Who is recorded for `command`: the person entitled to it, with their signature and the
    command it covers, as a workflow records them (and hands them to a process it starts)."""
    return signed(config, command).actor.signed_by_command(command)


def who(metadata: dict[str, Any]) -> str:
    """Who an event's metadata says acted: a person's email, or a system actor's name."""
    person = metadata["provenance"]["person"]
    return str(person.get("email") or person["subject"])


def email_of(person: Person) -> str:
    assert person.email is not None
    return person.email
