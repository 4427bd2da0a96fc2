"""The "as of" read takes from the database only the rows a replay can count, by each row's
`governance_on` column (migration 0005), and gives the same report as reading every row; the
column is checked against the hashed data, so changing it to hide an event fails verification."""

import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from audit.replay import governance_on, replay, replay_from
from eventstore.models import RecordedEvent
from eventstore.store import EventStore, _append_arguments
from tests.audit.story import CONFIG, SLUG, county_durham_story, new_events

EARLY = date(2022, 10, 1)


def _dates(events: list[RecordedEvent]) -> list[date]:
    """Every governance date of the story, with the days either side of each: where a cut can
    fall differently."""
    days = {governance_on(e) for e in events}
    return sorted(days | {d.fromordinal(d.toordinal() + s) for d in days for s in (-1, 1)})


def _rows_needed(events: list[RecordedEvent], as_of: date) -> list[int]:
    """The positions a replay as of `as_of` must see: each stream up to and including its
    first event dated after the cut, where the replay stops it."""
    stopped: set[str] = set()
    needed: list[int] = []
    for event in events:
        if event.stream_id not in stopped:
            needed.append(event.position)
            if governance_on(event) > as_of:
                stopped.add(event.stream_id)
    return needed


async def _read(store: EventStore, as_of: date | None) -> list[tuple[asyncpg.Record, bool]]:
    return [pair async for pair in store.partnership_rows_to_fold(SLUG, as_of=as_of)]


async def test_the_as_of_read_gives_the_report_of_every_row(story: int, store: EventStore) -> None:
    events = await store.read_partnership(SLUG)
    for day in _dates(events):
        assert await replay_from(store, CONFIG, day) == replay(CONFIG, events, day), day


async def test_the_as_of_read_reads_only_what_counts(story: int, store: EventStore) -> None:
    events = await store.read_partnership(SLUG)
    assert len(await _read(store, None)) == story
    for day in _dates(events):
        read = await _read(store, day)
        assert [r["position"] for r, _ in read] == _rows_needed(events, day), day
    early = await _read(store, EARLY)
    assert len(early) < story / 2


async def test_each_stream_read_ends_once_at_its_last_row(story: int, store: EventStore) -> None:
    for as_of in (None, EARLY):
        read = await _read(store, as_of)
        ends = {r["stream_id"]: r["position"] for r, _ in read}
        assert [last for _, last in read] == [
            ends[r["stream_id"]] == r["position"] for r, _ in read
        ]


async def test_rows_without_the_column_are_read_and_decided_from_their_data(
    store: EventStore,
) -> None:
    """Rows recorded before migration 0005 have no governance_on: nothing is skipped."""
    for activity_id, step in enumerate(county_durham_story(), start=1):
        undated = [
            e.model_copy(update={"governance_on": None}) for e in new_events(step, activity_id)
        ]
        await store.append(step.stream_id, await store.stream_version(step.stream_id), undated)
    events = await store.read_partnership(SLUG)
    assert len(await _read(store, EARLY)) == len(events)
    assert await replay_from(store, CONFIG, EARLY) == replay(CONFIG, events, EARLY)


@pytest.fixture
async def superuser(story: int, owner_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(owner_url)
    await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
    yield conn
    await conn.close()


async def test_a_date_changed_to_hide_an_event_fails_verification(
    store: EventStore, superuser: asyncpg.Connection
) -> None:
    assert (await store.verify()).intact
    events = await store.read_partnership(SLUG)
    # The first event of a stream after the signatures: dated past the cut, it hides the stream.
    hidden = next(
        e for e in events if governance_on(e) <= EARLY and e.version == 1 and e.position > 8
    )
    await superuser.execute(
        "UPDATE events SET governance_on = '2099-01-01' WHERE position = $1", hidden.position
    )
    assert await replay_from(store, CONFIG, EARLY) != replay(CONFIG, events, EARLY)
    result = await store.verify()
    assert not result.intact and result.first_bad_position == hidden.position
    assert result.problem == (
        f"the event's governance_on column says 2099-01-01, but its data dates it "
        f"{governance_on(hidden).isoformat()}"
    )


async def test_a_worker_of_the_release_before_appends_without_dates(
    story: int, store: EventStore
) -> None:
    """During a rollout the old build still calls append_events without the dates (0005 keeps
    that signature): its rows are undated, read whole and verified."""
    step = county_durham_story()[-1]
    event = new_events(step, 0)[0].model_copy(update={"event_id": uuid.uuid4()})
    arguments = _append_arguments(
        step.stream_id, await store.stream_version(step.stream_id), [event]
    )[:10]
    (row,) = await store.pool.fetch(
        "SELECT * FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", *arguments
    )
    dated = await store.pool.fetchval(
        "SELECT governance_on FROM events WHERE position = $1", row["out_position"]
    )
    assert row["out_position"] == story + 1 and dated is None
    assert (await store.verify()).intact
