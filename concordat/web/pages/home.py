"""The front door: / leads to My tasks; a page to land on after signing out."""

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from concordat.web.pages.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def front() -> RedirectResponse:
    return RedirectResponse("/tasks", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/signed-out")
async def signed_out(request: Request) -> HTMLResponse:
    return render(request, "signed_out.html")
