"""/healthz: the process answers. /readyz: it can reach Temporal and PostgreSQL."""

import asyncio

import asyncpg
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from concordat.settings import Settings
from concordat.web.backends import Backends, backends

router = APIRouter(tags=["health"])

CHECK_SECONDS = 5.0


class Health(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: str
    problems: tuple[str, ...] = ()


@router.get("/healthz")
async def healthz() -> Health:
    return Health(status="alive")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(request: Request) -> JSONResponse:
    problems = await readiness_problems(backends(request))
    ready = Health(status="not ready" if problems else "ready", problems=tuple(problems))
    return JSONResponse(ready.model_dump(mode="json"), status_code=503 if problems else 200)


async def readiness_problems(reach: Backends) -> list[str]:
    """What keeps the service from answering requests now (also on its metrics port)."""
    return [p for p in (await _temporal(reach), await _postgres(reach.settings)) if p]


async def _temporal(reach: Backends) -> str | None:
    where = reach.settings.temporal_target()
    try:
        client = await asyncio.wait_for(reach.temporal(), CHECK_SECONDS)
        await asyncio.wait_for(client.service_client.check_health(), CHECK_SECONDS)
    except HTTPException as error:
        return str(error.detail)
    except Exception as error:  # any failure to reach it is the answer, not a crash
        return f"Temporal at {where}: {error or 'timed out'}"
    return None


async def _postgres(settings: Settings) -> str | None:
    try:
        conn = await asyncpg.connect(settings.auditor_database_dsn(), timeout=CHECK_SECONDS)
        try:
            await conn.fetchval("SELECT 1")
        finally:
            await conn.close()
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL: {error or 'timed out'}"
    return None
