"""The ASGI application and the `concordat-web` command that serves it alone (production)."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from concordat.logging import configure_logging
from concordat.settings import Settings
from concordat.web import api, health, signin
from concordat.web.backends import Backends

SESSION_COOKIE = "concordat_session"
SESSION_HOURS = 8


def create_app(settings: Settings, temporal: Client | None = None) -> FastAPI:
    """The service for `settings`; `temporal`, if given, is used instead of connecting."""
    reach = Backends(settings, temporal)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await reach.close()

    app = FastAPI(
        title="Concordat",
        summary="The governance of health and care partnerships: commands and queries",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.backends = reach
    app.state.oidc = signin.provider(settings)
    secret = settings.session_secret
    app.add_middleware(
        SessionMiddleware,
        # Unset: sessions last only as long as this process, which suits the embedded stack.
        secret_key=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.web_base_url().startswith("https://"),
    )
    app.include_router(health.router)
    app.include_router(signin.router)
    app.include_router(api.router)
    return app


def server(settings: Settings, app: FastAPI | None = None) -> uvicorn.Server:
    """A uvicorn server for the app on the configured host and port."""
    config = uvicorn.Config(
        app or create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        log_config=None,
        proxy_headers=True,
    )
    return uvicorn.Server(config)


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    server(settings).run()
