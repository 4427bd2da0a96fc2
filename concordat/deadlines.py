"""The oldest deadline of any open process, as a gauge: a deadline long past on a process still
open means a timer that did not fire or a worker that is not running the process."""

import asyncio
import math

import structlog
from prometheus_client import Gauge
from temporalio.client import Client
from temporalio.service import RPCError

from concordat.visibility import running_query, visible

log = structlog.get_logger(__name__)

OLDEST_OPEN_DEADLINE = Gauge(
    "concordat_oldest_open_deadline_timestamp_seconds",
    "Unix time of the earliest ConcordatNextDeadline among running workflows (NaN: none); "
    "alert on time() minus this",
)
OLDEST_OPEN_DEADLINE.set(math.nan)
REFRESH_SECONDS = 60.0


async def refresh_oldest_deadline(client: Client) -> float:
    """Reads every running workflow's next deadline from visibility; sets and returns the
    earliest (NaN when none has one)."""
    deadlines = [row.next_deadline for row in await visible(client, running_query())]
    known = [d.timestamp() for d in deadlines if d is not None]
    oldest = min(known) if known else math.nan
    OLDEST_OPEN_DEADLINE.set(oldest)
    return oldest


async def watch_deadlines(client: Client, stop: asyncio.Event) -> None:
    """Refreshes the gauge every REFRESH_SECONDS until `stop` is set."""
    while not stop.is_set():
        try:
            await refresh_oldest_deadline(client)
        except RPCError as error:
            # Temporal away for a while: the gauge keeps its last value, and readiness says so.
            log.warning("deadlines not refreshed", reason=error.message)
        try:
            await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
        except TimeoutError:
            continue
