"""The service's connections, opened on first use so the service starts (and says it is not
ready) while Temporal or PostgreSQL is down, and failures as HTTP errors naming where."""

import asyncio
from typing import Any

import asyncpg
from fastapi import HTTPException, Request, status
from prometheus_client import Counter
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from concordat.connections import connect_temporal
from concordat.reach import refusal, rpc_reason
from concordat.settings import Settings
from eventstore.pool import open_pool
from eventstore.store import EventStore


class Backends:
    """Temporal and the auditor's read-only view of the log, each connected once."""

    def __init__(self, settings: Settings, temporal: Client | None = None) -> None:
        self.settings = settings
        self._temporal = temporal
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def temporal(self) -> Client:
        async with self._lock:
            if self._temporal is None:
                try:
                    self._temporal = await connect_temporal(self.settings)
                except RuntimeError as error:
                    raise unavailable(
                        f"cannot reach Temporal at {self.settings.temporal_target()}"
                    ) from error
            return self._temporal

    async def auditor_store(self) -> EventStore:
        """The log as the read-only auditor role sees it: the API's audit routes cannot write."""
        async with self._lock:
            if self._pool is None:
                try:
                    self._pool = await open_pool(self.settings.auditor_database_dsn(), max_size=2)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    raise unavailable(f"cannot reach the event log: {error}") from error
            return EventStore(self._pool)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


def backends(request: Request) -> Backends:
    found: Backends = request.app.state.backends
    return found


def unavailable(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, reason)


COMMANDS_REFUSED = Counter(
    "concordat_commands_refused",
    "Commands a workflow refused, writing nothing, by the refusal's type (InvalidCommand, a "
    "rule's error, ...)",
    ["reason"],
)


def refused(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, reason)


def rpc_failure(workflow_id: str, error: RPCError) -> HTTPException:
    codes = {
        RPCStatusCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
        RPCStatusCode.FAILED_PRECONDITION: status.HTTP_409_CONFLICT,
        RPCStatusCode.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
    }
    return HTTPException(
        codes.get(error.status, status.HTTP_502_BAD_GATEWAY), rpc_reason(workflow_id, error)
    )


async def update(handle: WorkflowHandle[Any, Any], update_method: Any, argument: Any) -> Any:
    """Runs an update; the validator's refusal is a 422 in its own words, nothing written."""
    try:
        return await handle.execute_update(update_method, argument)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        COMMANDS_REFUSED.labels(
            cause.type or "unnamed" if isinstance(cause, ApplicationError) else "other"
        ).inc()
        raise refused(refusal(error)) from error
    except RPCError as error:
        raise rpc_failure(handle.id, error) from error


async def query(handle: WorkflowHandle[Any, Any], query_method: Any) -> Any:
    try:
        return await handle.query(query_method)
    except RPCError as error:
        raise rpc_failure(handle.id, error) from error
