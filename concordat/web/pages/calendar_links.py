"""The person's calendar subscription addresses (/calendars), as the API gives them
(concordat/web/calendars.py), with how to subscribe in Outlook."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from concordat.web.api import Reach
from concordat.web.calendars import subscription
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/calendars")
async def calendars(request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    return render(
        request, "calendars.html", subscription=await subscription(request, viewer, reach)
    )
