"""Who may act, and the envelope every command the API sends travels in: each in one place.

A command is sealed for the signed-in person in the role the partnership's access data gives
them for it (`domain/authority.py`), signed with the service's key (`concordat/signing.py`);
the workflow's validator checks both again, so the API's 403 and the workflow's refusal are the
same rule.
"""

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict

from concordat.signing import Signer
from concordat.web.signin import bearer, signed_in
from domain.authority import NotAuthorisedError
from domain.partnership import Partnership
from domain.provenance import Channel, Person
from workflows.contracts.process import Command


class Caller(BaseModel):
    """The signed-in person and the door they came through: a browser's session (web) or a
    program's bearer token (api)."""

    model_config = ConfigDict(frozen=True)

    person: Person
    channel: Channel


async def may_act(
    person: Annotated[Person, Depends(signed_in)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    return Caller(person=person, channel=Channel.API if credentials else Channel.WEB)


Acting = Annotated[Caller, Depends(may_act)]
"""A route's parameter for the person issuing a command."""


def envelope(
    request: Request,
    caller: Caller,
    config: Partnership,
    command: Any,
    *,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> Command[Any]:
    """`command` signed for the caller, or 403 naming who, what and the rule: nothing is sent.
    An ApplicationError if the envelope's bounds refuse the command."""
    signer: Signer = request.app.state.signer
    try:
        return signer.envelope(
            config.access,
            caller.person,
            command,
            caller.channel,
            on_behalf_of=on_behalf_of,
            reason=reason,
        )
    except NotAuthorisedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
