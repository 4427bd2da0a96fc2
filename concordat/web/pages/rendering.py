"""The pages' Jinja environment: our templates first, then the NHS.UK frontend's macros
(nhsuk-frontend-jinja), autoescaped, and one way to render a page in the layout."""

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from concordat.web.pages.csrf import csrf_token
from concordat.web.signin import SESSION_KEY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

NAVIGATION = (
    ("tasks", "My tasks", "/tasks"),
    ("partnerships", "Partnerships", "/partnerships"),
    ("meetings", "Meetings", "/partnerships"),
    ("registers", "Registers", "/partnerships"),
    ("audit", "Audit", "/audit"),
)
"""The primary navigation: (key, label, address). A page in one partnership's context points
Meetings and Registers at that partnership's own pages (`navigation`)."""


@cache
def environment() -> Environment:
    # ChainableUndefined: the NHS.UK macros read optional params (`params.hint.text`) freely.
    return Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja", "templates")]
        ),
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def navigation(current: str | None, slug: str | None = None) -> list[dict[str, Any]]:
    """The header's items, `current` marked; Meetings and Registers lead into `slug`'s pages."""
    within = {
        "meetings": f"/partnerships/{slug}/meetings",
        "registers": f"/partnerships/{slug}#bodies",
    }
    return [
        {
            "text": label,
            "href": within[key] if slug and key in within else href,
            "current": key == current,
        }
        for key, label, href in NAVIGATION
    ]


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    section: str | None = None,
    slug: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` with the signed-in person (if any), the navigation and a CSRF token for its
    forms."""
    person = request.session.get(SESSION_KEY)
    html = (
        environment()
        .get_template(template)
        .render(
            person=person,
            navigation=navigation(section, slug),
            csrf_token=csrf_token(request),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
