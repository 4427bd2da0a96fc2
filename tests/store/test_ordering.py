"""The global order is gap-free for a reader tailing by position, even when writers commit late."""

import asyncio
import random

import asyncpg

from eventstore.store import EventStore
from tests.store.events import batch

WRITERS = 8
APPENDS_PER_WRITER = 12


async def test_tailing_reader_never_skips_an_event_under_interleaved_commits(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    rng = random.Random(20220823)
    written: set[int] = set()

    async def writer(index: int) -> None:
        for round_ in range(APPENDS_PER_WRITER):
            async with pool.acquire() as conn, conn.transaction():
                result = await store.append(
                    f"stream-{index}", round_ * 2, batch(2, start=round_ * 2), connection=conn
                )
                # Hold the transaction open after the insert so that commits interleave with
                # other writers' appends; a sequence-based position would let a later position
                # become visible first.
                await asyncio.sleep(rng.uniform(0, 0.01))
            written.update(result.positions)

    seen: list[int] = []
    done = asyncio.Event()

    async def tailer() -> None:
        after = 0
        while True:
            finished = done.is_set()
            for event in await store.read_all(after_position=after, limit=7):
                assert event.position == after + 1, f"skipped from {after} to {event.position}"
                seen.append(event.position)
                after = event.position
            if finished and after == len(written):
                return
            await asyncio.sleep(0)

    reader = asyncio.create_task(tailer())
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    done.set()
    await asyncio.wait_for(reader, timeout=30)

    total = WRITERS * APPENDS_PER_WRITER * 2
    assert seen == list(range(1, total + 1))
    assert written == set(seen)
    for index in range(WRITERS):
        versions = [e.version for e in await store.read_stream(f"stream-{index}")]
        assert versions == list(range(1, APPENDS_PER_WRITER * 2 + 1))
    assert (await store.verify()).intact
