"""A posted form sent as the API sends its command: the one way every page's form is handled,
so a refusal (the form's fields invalid, the person not authorised, the workflow's validator)
comes back in the domain's words, with nothing written."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request, status
from pydantic import ValidationError
from starlette.datastructures import FormData

from concordat.web.acting import Caller
from concordat.web.pages.csrf import FIELD
from domain.provenance import Channel, Person
from domain.text import refusal

T = TypeVar("T")
REFUSALS = (status.HTTP_403_FORBIDDEN, status.HTTP_422_UNPROCESSABLE_CONTENT)
BACK = "back"
"""A form's field naming the page it was on, when that is not the process's own."""
REFUSED_KEY = "refused"


def fields_of(form: FormData) -> dict[str, Any]:
    """The command's fields: the form's own (not its token or name), empty ones left out."""
    return {k: v for k, v in form.items() if k not in (FIELD, "form_id", BACK) and v != ""}


def form_id(form: FormData) -> str:
    """Which form on the page was sent, to show a refusal beside it."""
    return str(form.get("form_id", ""))


def keep_refusal(request: Request, form: str, reason: str) -> None:
    """Keeps a refusal for the page the browser is sent back to (`taken_refusals`)."""
    request.session[REFUSED_KEY] = {form: reason}


def taken_refusals(request: Request) -> dict[str, str]:
    """The refusal kept for this page, by form id, shown once."""
    kept = request.session.pop(REFUSED_KEY, None)
    return dict(kept) if isinstance(kept, dict) else {}


def caller(person: Person) -> Caller:
    """The person at a browser, acting through the web channel."""
    return Caller(person=person, channel=Channel.WEB)


async def submitted(
    fields: dict[str, Any],
    parse: Callable[[dict[str, Any]], Any],
    send: Callable[[Any], Awaitable[T]],
) -> tuple[T | None, str | None]:
    """What `send` answered for the command `parse` makes of `fields`, or the refusal."""
    try:
        command = parse(fields)
    except ValidationError as error:
        return None, refusal(error)
    try:
        return await send(command), None
    except HTTPException as error:
        if error.status_code not in REFUSALS:
            raise
        return None, str(error.detail)
