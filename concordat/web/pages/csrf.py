"""Cross-site request forgery: every form carries the session's own token in a hidden field and
every POST from a page is refused unless it matches. The session cookie is also SameSite=Lax;
the token covers what that does not (a sibling subdomain, an old browser)."""

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import FormData

CSRF_KEY = "csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's token, made on first use."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, or 403 if its token is not this session's."""
    form = await request.form()
    sent = form.get(FIELD)
    kept = request.session.get(CSRF_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(kept, str)
        or not secrets.compare_digest(sent, kept)
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "This form did not come from this sign-in (it may be from an older session). Go "
            "back, reload the page and send it again.",
        )
    return form


PostedForm = Annotated[FormData, Depends(checked_form)]
"""A page route's parameter for a form posted from one of our pages."""
