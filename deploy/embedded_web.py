"""concordat-web inside the embedded stack: served on the stack's event loop, stopped by it."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn

from concordat.settings import Settings
from concordat.web.app import create_app


class _Served(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The stack owns Ctrl-C and SIGTERM and stops the web service first, then the rest.
        yield


class WebStartError(RuntimeError):
    pass


@asynccontextmanager
async def embedded_web(settings: Settings, stop: asyncio.Event) -> AsyncIterator[str]:
    """Serves the web service until `stop` is set or the block ends; yields its address."""
    config = uvicorn.Config(
        create_app(settings), host=settings.web_host, port=settings.web_port, log_config=None
    )
    server = _Served(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            raise WebStartError(f"the web service did not start on port {settings.web_port}")
        await asyncio.sleep(0.05)
    # No new requests once the stack is asked to stop, while the worker finishes what runs.
    watcher = asyncio.create_task(_exit_on(stop, server))
    try:
        yield settings.web_base_url()
    finally:
        watcher.cancel()
        server.should_exit = True
        await serving


async def _exit_on(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True
