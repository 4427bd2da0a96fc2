"""The bodies' meetings (/partnerships/{slug}/meetings): each meeting as the log has it (date,
time, venue, whether cancelled, the agenda deadline), the forward plan of key decisions, and for
the secretariat the clerk's forms to set, move or cancel a meeting whose cycle is running."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from concordat.web import api
from concordat.web.api import Reach
from concordat.web.calendars import calendar_items
from concordat.web.pages.reading import MEETINGS, running
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer
from concordat.web.pages.submitting import taken_refusals
from domain.meetings import MeetingState

router = APIRouter(include_in_schema=False)


@router.get("/partnerships/{slug}/meetings")
async def meetings_page(slug: str, request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    config = (await api.partnership_state(slug, viewer, reach)).config
    entries = {i.entry.key: i.entry for i in await calendar_items(reach, config)}
    meetings = sorted(
        (e for e in entries.values() if e.kind == "meeting"), key=lambda e: (e.on, e.body or "")
    )
    secretariat = config.access.is_secretariat(viewer)
    cycles = await running(reach, config.slug, MEETINGS) if secretariat else []
    return render(
        request,
        "meetings.html",
        section="meetings",
        slug=config.slug,
        config=config,
        meetings=meetings,
        agenda_due={m.key: entries.get(f"{m.key}:agenda-requests") for m in meetings},
        body_names={b.slug: b.name for b in config.bodies},
        plan=await api.forward_plan_of(config.slug, viewer, reach),
        cycles=[
            (process_id, state)
            for process_id, state in cycles
            if isinstance(state, MeetingState)
            and state.cancelled_on is None
            and state.status != "closed"
        ],
        today=datetime.now(UTC).date(),
        refused=taken_refusals(request),
    )
