"""Errors shown to a browser as a page in the layout; to the API and programs (which do not ask
for HTML) as JSON, as before."""

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from concordat.web.pages.rendering import render

TITLES = {
    401: "You need to sign in",
    403: "You cannot do that",
    404: "Page not found",
    409: "Not possible yet",
    422: "That was refused",
    503: "Sorry, the service is unavailable",
}


async def error_page(request: Request, exc: Exception) -> Response:
    """An HTTP error as a page for a browser, or as FastAPI's JSON under /api and for clients
    that do not accept HTML."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, exc)
    return render(
        request,
        "error.html",
        status_code=exc.status_code,
        title=TITLES.get(exc.status_code, "Something went wrong"),
        detail=exc.detail,
        headers=exc.headers,
    )
