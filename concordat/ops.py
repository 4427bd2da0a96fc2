"""The operations port of a long-running process (CONCORDAT_METRICS_PORT): `/metrics` for
Prometheus, `/healthz` (the process works: restart it otherwise) and `/readyz` (it can do its
work now: send it none otherwise), each a 503 naming the problems when not."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from concordat.settings import Settings

Check = Callable[[], Awaitable[list[str]]]
"""The problems found; none means healthy (or ready)."""


def ops_app(live: Check, ready: Check) -> Starlette:
    def answer(check: Check, good: str) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(_: Request) -> JSONResponse:
            problems = await check()
            body = {"status": f"not {good}" if problems else good, "problems": problems}
            return JSONResponse(body, status_code=503 if problems else 200)

        return endpoint

    return Starlette(
        routes=[
            Route("/healthz", answer(live, "alive")),
            Route("/readyz", answer(ready, "ready")),
            Route("/metrics", _metrics),
        ]
    )


async def _metrics(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class _Hosted(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The process's own handlers (the worker's, the web service's) decide when to stop.
        yield


class OpsStartError(RuntimeError):
    pass


@asynccontextmanager
async def serving_ops(settings: Settings, live: Check, ready: Check) -> AsyncIterator[str | None]:
    """Serves the operations port while the block runs, where CONCORDAT_METRICS_PORT is set;
    yields its base URL (None where it is not)."""
    if settings.metrics_port is None:
        yield None
        return
    config = uvicorn.Config(
        ops_app(live, ready),
        host=settings.metrics_host,
        port=settings.metrics_port,
        log_config=None,
        access_log=False,
    )
    server = _Hosted(config)
    served = asyncio.create_task(server.serve())
    while not server.started:
        if served.done():
            raise OpsStartError(f"the metrics port {settings.metrics_port} could not be opened")
        await asyncio.sleep(0.05)
    try:
        yield f"http://{settings.metrics_host}:{settings.metrics_port}"
    finally:
        server.should_exit = True
        await served
