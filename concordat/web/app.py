"""The ASGI application and the `concordat-web` command that serves it alone (production)."""

import asyncio
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from concordat.dev_extra import embedded_refusal
from concordat.logging import configure_logging
from concordat.ops import serving_ops
from concordat.settings import Settings
from concordat.signing import Signer, service_signer
from concordat.web import api, audit_api, calendars, health, pages, signin
from concordat.web.backends import Backends

SESSION_COOKIE = "concordat_session"
SESSION_HOURS = 8


def create_app(
    settings: Settings, temporal: Client | None = None, signer: Signer | None = None
) -> FastAPI:
    """The service for `settings`; `temporal`, if given, is used instead of connecting, and
    `signer` instead of the key file `settings` name."""
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
    app.state.signer = signer or service_signer(settings)
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
    app.include_router(audit_api.router)
    calendars.include(app)
    pages.install(app)
    return app


def _config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=settings.web_host, port=settings.web_port, log_config=None, proxy_headers=True
    )


class _Hosted(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The host (the embedded stack, a test) owns Ctrl-C and SIGTERM and says when to stop.
        yield


class WebStartError(RuntimeError):
    pass


@asynccontextmanager
async def serving(
    app: FastAPI, settings: Settings, stop: asyncio.Event | None = None
) -> AsyncIterator[str]:
    """Serves `app` on the running event loop until `stop` is set or the block ends; yields
    the address it is reached at."""
    server = _Hosted(_config(app, settings))
    served = asyncio.create_task(server.serve())
    while not server.started:
        if served.done():
            raise WebStartError(f"concordat-web did not start on port {settings.web_port}")
        await asyncio.sleep(0.05)
    watcher = asyncio.create_task(_exit_on(stop, server)) if stop is not None else None
    try:
        yield settings.web_base_url()
    finally:
        if watcher is not None:
            watcher.cancel()
        server.should_exit = True
        await served


async def _exit_on(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True


def main() -> None:
    """`concordat-web`: the service alone, as in production."""
    settings = Settings()
    refusal = embedded_refusal(settings)
    if refusal is not None:
        sys.exit(f"concordat-web: {refusal}")
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    """The service and its metrics port, until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = create_app(settings)
    reach: Backends = app.state.backends

    async def alive() -> list[str]:
        return []

    async def ready() -> list[str]:
        return await health.readiness_problems(reach)

    # The metrics port opens last: once it answers, so does the service.
    async with serving(app, settings, stop), serving_ops(settings, alive, ready):
        await stop.wait()
