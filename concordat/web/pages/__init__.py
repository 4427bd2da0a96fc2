"""The web pages people work in, server-rendered in the NHS.UK design system: every action is a
plain form (POST, then redirect), so nothing needs JavaScript."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from concordat.web.pages import (
    audit,
    calendar_links,
    home,
    meetings,
    partnerships,
    processes,
    registers,
    tasks,
)
from concordat.web.pages.errors import error_page
from concordat.web.pages.signed_in import SignInNeeded, to_sign_in

STATIC = Path(__file__).resolve().parent.parent / "static"


def install(app: FastAPI) -> None:
    """The pages' routes, their assets (the stylesheet asks for /assets/...) and error pages."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")
    app.add_exception_handler(SignInNeeded, to_sign_in)
    app.add_exception_handler(HTTPException, error_page)
    app.include_router(home.router)
    app.include_router(partnerships.router)
    app.include_router(processes.router)
    app.include_router(tasks.router)
    app.include_router(audit.router)
    app.include_router(calendar_links.router)
    app.include_router(meetings.router)
    app.include_router(registers.router)
