"""Who may act, and the envelope every command the API sends travels in: each in one place, so
the authority rules and signed provenance replace these bodies and nothing else."""

from typing import Annotated, TypeVar

from fastapi import Depends

from concordat.web.person import Person
from concordat.web.signin import signed_in
from workflows.process import Command

C = TypeVar("C")


async def may_act(person: Annotated[Person, Depends(signed_in)]) -> Person:
    """The authority check on a command goes here; today a signed-in person may issue any."""
    return person


Acting = Annotated[Person, Depends(may_act)]
"""A route's parameter for the person issuing a command."""


def envelope(person: Person, command: C) -> Command[C]:
    """The envelope of `command` issued by `person`; an ApplicationError if the envelope's
    bounds refuse it."""
    return Command(command=command, actor=person.email)
