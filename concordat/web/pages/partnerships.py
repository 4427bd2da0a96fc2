"""The partnerships: the list, and each one's page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from concordat.web import api
from concordat.web.api import Reach
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/partnerships")
async def partnerships(request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    return render(
        request,
        "partnerships.html",
        section="partnerships",
        partnerships=await api.list_partnerships(viewer, reach),
    )
