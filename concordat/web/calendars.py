"""Calendar feeds (iCalendar) of partnerships and their bodies, and each person's subscription
address. Calendar clients cannot sign in, so the feeds are reached by a token in the address
(`calendar_tokens`) and show only what its person may read (`domain.readers`)."""

import hashlib
import logging
import re
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict

from concordat.web import ics
from concordat.web.backends import Backends, backends
from concordat.web.calendar_tokens import CalendarTokens
from concordat.web.signin import signed_in
from domain.calendar_feed import CalendarItem, Recorded, calendar_of, for_body, when
from domain.errors import ConfigError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.provenance import Person
from domain.readers import bodies_seen
from eventstore.codec import to_domain_event

router = APIRouter()
Reach = Annotated[Backends, Depends(backends)]

NOT_FOUND = "no such calendar"
"""The one answer to a bad, revoked or foreign token and to a calendar the person may not read:
it names nothing a guesser could learn from."""


class BodyCalendar(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name: str
    url: str


class PartnershipCalendar(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name: str
    url: str
    bodies: tuple[BodyCalendar, ...]


class Subscription(BaseModel):
    """The signed-in person's calendar addresses: everything they may read, each partnership,
    each body. Anyone holding an address sees what its person sees: keep it private."""

    model_config = ConfigDict(frozen=True)

    url: str
    partnerships: tuple[PartnershipCalendar, ...]


def include(app: FastAPI) -> None:
    """Adds the routes to `app`, with tokens made and read by the keys of its settings."""
    app.state.calendar_tokens = CalendarTokens(app.state.settings)
    app.include_router(router)
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _HideTokens) for f in access_log.filters):
        access_log.addFilter(_HideTokens())


class _HideTokens(logging.Filter):
    """Keeps tokens out of the access log: whoever reads the logs must not read the feeds."""

    _token = re.compile(r"^/calendars/[^/?#]+?(?=\.ics|/|\?|$)")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._token.sub("/calendars/<token>", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def _tokens(request: Request) -> CalendarTokens:
    tokens: CalendarTokens = request.app.state.calendar_tokens
    return tokens


def _readable(reach: Backends, person: Person) -> list[tuple[Partnership, tuple[str, ...]]]:
    """Each partnership `person` has a role in, with the bodies they may read."""
    found = []
    for slug in partnership_slugs(reach.settings.partnerships_dir):
        try:
            config = load_partnership(slug, reach.settings.partnerships_dir)
        except ConfigError:
            continue  # a broken file is refused by the API's own routes, naming it
        seen = bodies_seen(config, person)
        if seen is not None:
            found.append((config, seen))
    return found


@router.get("/api/v1/calendars/subscription", summary="My calendar subscription addresses")
async def subscription(
    request: Request, person: Annotated[Person, Depends(signed_in)], reach: Reach
) -> Subscription:
    base = f"{reach.settings.web_base_url()}/calendars/{_tokens(request).token_for(person)}"
    return Subscription(
        url=f"{base}.ics",
        partnerships=tuple(
            PartnershipCalendar(
                slug=config.slug,
                name=config.name,
                url=f"{base}/{config.slug}.ics",
                bodies=tuple(
                    BodyCalendar(
                        slug=body,
                        name=config.body(body).name,
                        url=f"{base}/{config.slug}/{body}.ics",
                    )
                    for body in seen
                ),
            )
            for config, seen in _readable(reach, person)
        ),
    )


def _person(request: Request, token: str) -> Person:
    person = _tokens(request).person(token)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return person


async def calendar_items(reach: Backends, config: Partnership) -> tuple[CalendarItem, ...]:
    """Every dated item of the partnership and its bodies, from the log."""
    store = await reach.auditor_store()
    log = (
        Recorded(stream=e.stream_id, recorded_at=e.recorded_at, event=to_domain_event(e))
        for e in await store.read_partnership(config.slug)
    )
    return calendar_of(config, log)


async def _items(reach: Backends, config: Partnership, seen: tuple[str, ...]) -> list[CalendarItem]:
    """The partnership's own dates and those of the bodies in `seen`, from the log."""
    items = await calendar_items(reach, config)
    return [i for i in items if i.entry.body is None or i.entry.body in seen]


def _calendar(
    request: Request, name: str, filename: str, items: Iterable[CalendarItem]
) -> Response:
    """The feed, or 304 to a client that already holds this version of it (clients poll)."""
    feed = ics.feed(name, items, backends(request).settings.web_base_url())
    headers = {
        "Content-Disposition": f'inline; filename="{filename}.ics"',
        "ETag": f'"{hashlib.sha256(feed).hexdigest()}"',
        # The address is the key: no shared cache may keep what it shows.
        "Cache-Control": "private, no-cache",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(feed, media_type=ics.MEDIA_TYPE, headers=headers)


def _one(reach: Backends, person: Person, slug: str) -> tuple[Partnership, tuple[str, ...]]:
    for config, seen in _readable(reach, person):
        if config.slug == slug:
            return config, seen
    raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)


@router.get("/calendars/{token}.ics", summary="Everything a person may read, as one calendar")
async def everything(token: str, request: Request, reach: Reach) -> Response:
    person = _person(request, token)
    items = [
        i for config, seen in _readable(reach, person) for i in await _items(reach, config, seen)
    ]
    items.sort(key=when)
    return _calendar(request, "Concordat", "concordat", items)


@router.get("/calendars/{token}/{slug}.ics", summary="A partnership's calendar")
async def partnership(token: str, slug: str, request: Request, reach: Reach) -> Response:
    config, seen = _one(reach, _person(request, token), slug)
    return _calendar(request, config.name, config.slug, await _items(reach, config, seen))


@router.get("/calendars/{token}/{slug}/{body}.ics", summary="A body's calendar")
async def body(token: str, slug: str, body: str, request: Request, reach: Reach) -> Response:
    config, seen = _one(reach, _person(request, token), slug)
    if body not in seen:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    items = for_body(await _items(reach, config, seen), body)
    return _calendar(request, config.body(body).name, f"{config.slug}-{body}", items)
