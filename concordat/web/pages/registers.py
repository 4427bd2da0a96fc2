"""A body's register of interests (/partnerships/{slug}/registers/{body}): the published
register as the API's CSV gives it, with its download, and for a member in an open round the
form that returns or updates their own declaration."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from concordat.web import api
from concordat.web.api import Reach
from concordat.web.pages.reading import DECLARATIONS, running
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer
from concordat.web.pages.submitting import taken_refusals
from domain.declarations import DeclarationsState
from domain.tasks import tasks_for

router = APIRouter(include_in_schema=False)


@router.get("/partnerships/{slug}/registers/{body}")
async def register_page(
    slug: str, body: str, request: Request, viewer: Viewer, reach: Reach
) -> HTMLResponse:
    config = (await api.partnership_state(slug, viewer, reach)).config
    register = await api.register_for(reach, config, body)
    rounds: list[tuple[str, Any]] = [
        (process_id, state)
        for process_id, state in await running(reach, config.slug, DECLARATIONS)
        if isinstance(state, DeclarationsState) and state.body == body
    ]
    mine = {s.seat for s in config.access.seats_of(viewer, deputy=False) if s.body == body}
    return render(
        request,
        "register.html",
        section="registers",
        slug=config.slug,
        config=config,
        body=config.body(body),
        register=register,
        csv=f"/api/v1/partnerships/{config.slug}/bodies/{body}/register.csv",
        owed=[(t, dict(rounds)[t.process_id]) for t in tasks_for(config, viewer, rounds)],
        updatable=[
            (process_id, seat)
            for process_id, state in rounds
            for seat in state.returned
            if seat in mine
        ],
        role={m.seat: m.role for m in config.body(body).members},
        today=datetime.now(UTC).date(),
        refused=taken_refusals(request),
    )
