"""Sign-in for pages: a browser that is not signed in is sent to /login and, once signed in,
back to the page it asked for."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse

from concordat.web.signin import SESSION_KEY, safe_return
from domain.provenance import Person


class SignInNeeded(Exception):
    """Raised by a page whose browser has no session; answered with a redirect to /login."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


def page_person(request: Request) -> Person:
    """The person signed in in this browser, or a redirect to sign in and come back."""
    kept = request.session.get(SESSION_KEY)
    if kept is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(safe_return(path) or "/")
    return Person.model_validate(kept)


async def to_sign_in(request: Request, exc: Exception) -> RedirectResponse:
    back_to = exc.back_to if isinstance(exc, SignInNeeded) else "/"
    return RedirectResponse(
        f"/login?next={quote(back_to, safe='')}", status_code=status.HTTP_303_SEE_OTHER
    )


Viewer = Annotated[Person, Depends(page_person)]
"""A page route's parameter for the person looking at it."""
