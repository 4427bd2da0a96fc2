"""The embedded Temporal web UI behind a door that only reads (issue 10).

`temporal server start-dev` has no option to make its UI read-only, and its UI lets anyone who
reaches it terminate, cancel, signal or reset a workflow with one POST: Concordat's own record of
who did what would be bypassed. So the UI listens on an internal port and this proxy, on the
public one, passes on GET and HEAD and answers 403 to every other method.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

READS = frozenset({"GET", "HEAD"})
REFUSAL = (
    "the embedded Temporal UI is read-only: workflows change only through Concordat, which "
    "records who acted (use the API or the CLI)"
)
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def read_only_app(upstream: str) -> Starlette:
    """An ASGI app passing reads on to `upstream` (a base URL) and refusing everything else."""
    client = httpx2.AsyncClient(base_url=upstream, timeout=60.0)

    async def forward(request: Request) -> Response:
        if request.method not in READS:
            return PlainTextResponse(REFUSAL, status_code=403)
        headers = [(k, v) for k, v in request.headers.raw if k.decode().lower() not in _HOP_BY_HOP]
        sent = client.build_request(
            request.method,
            httpx2.URL(path=request.url.path, query=request.url.query.encode()),
            headers=headers,
        )
        answer = await client.send(sent, stream=True)
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP},
            background=BackgroundTask(answer.aclose),
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(routes=[Route("/{path:path}", forward, methods=_METHODS)], lifespan=lifespan)


class ReadOnlyProxy:
    """`read_only_app` served by uvicorn on 127.0.0.1:`port` in a thread of its own."""

    def __init__(self, upstream: str, port: int) -> None:
        config = uvicorn.Config(
            read_only_app(upstream), host="127.0.0.1", port=port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="temporal-ui", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        for _ in range(int(timeout / 0.05)):
            if self._server.started:
                return
            if not self._thread.is_alive():
                break
            self._thread.join(0.05)
        raise RuntimeError("the Temporal UI's read-only proxy did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
