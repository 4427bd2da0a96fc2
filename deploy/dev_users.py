"""The development users (deploy/dev-users.toml) the local OpenID provider serves, and which of
them the shipped partnerships' access data entitles to a command: the demo acts as them, the
tests sign as them."""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from domain.authority import FOR_ORGANISATION, FOR_SEAT, OWN_VOTE, command_type
from domain.partnership import Partnership
from domain.provenance import Person

DEV_USERS = Path(__file__).parent / "dev-users.toml"
DEV_ISSUER = "https://dev-oidc.concordat.invalid"
"""The issuer the development users are vouched for by; access data names them by email."""


@cache
def dev_users() -> dict[str, dict[str, Any]]:
    """Every development user by email: `sub`, `email`, `name`, `groups`."""
    users = tomllib.loads(DEV_USERS.read_text(encoding="utf-8"))["users"]
    return {u["email"]: u for u in users}


def dev_person(email: str) -> Person:
    """The development user with `email`, as the local OpenID provider vouches for them."""
    user = dev_users()[email]
    return Person(
        issuer=DEV_ISSUER,
        subject=user["sub"],
        name=user["name"],
        email=user["email"],
        groups=tuple(user["groups"]),
    )


def first_user(people: tuple[str, ...]) -> Person:
    """The first development user among `people` (emails and `group:NAME`s)."""
    for who in people:
        if who.startswith("group:"):
            group = who.removeprefix("group:")
            for email, user in dev_users().items():
                if group in user["groups"]:
                    return dev_person(email)
        elif who in dev_users():
            return dev_person(who)
    raise LookupError(f"no development user among {', '.join(people)}")


def secretary(config: Partnership) -> Person:
    return first_user(config.access.secretariat)


def representative(config: Partnership, organisation: str) -> Person:
    return first_user(
        next(r.people for r in config.access.representatives if r.organisation == organisation)
    )


def entitled(config: Partnership, command: Any) -> tuple[Person, str | None]:
    """The development user who issues `command` in their own right, with None; or, for a
    party the access data does not name (an unknown organisation or seat, which the domain
    then refuses), the secretary with that party to record it on behalf of."""
    kind = command_type(command)
    holders: tuple[str, ...] = ()
    if kind in FOR_ORGANISATION:
        party = str(getattr(command, FOR_ORGANISATION[kind]))
        holders = next(
            (r.people for r in config.access.representatives if r.organisation == party), ()
        )
    elif kind in FOR_SEAT or kind in OWN_VOTE:
        party = str(getattr(command, FOR_SEAT.get(kind) or OWN_VOTE[kind]))
        holders = next((s.people for s in config.access.members if s.seat == party), ())
    else:
        return secretary(config), None
    if holders:
        return first_user(holders), None
    return secretary(config), party
