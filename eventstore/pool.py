"""The connection pool the store runs on, alike for worker, auditors, tests and benchmarks."""

import asyncpg


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset: the store sets no session state and takes only transaction-scoped
    locks, and asyncpg still rolls back a transaction left open. The default reset query would
    cost a round trip on every release (bench/event_store.py measured ~100 µs per append)."""


async def open_pool(dsn: str, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=1, max_size=max_size, reset=_keep_session)
