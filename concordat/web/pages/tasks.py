"""My tasks: what the signed-in person owes, soonest deadline first, each a link to the form
that does it (decided in domain/tasks.py)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from concordat.web.api import Reach
from concordat.web.pages.reading import owed_by
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/tasks")
async def my_tasks(request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    return render(request, "tasks.html", section="tasks", tasks=await owed_by(reach, viewer))
