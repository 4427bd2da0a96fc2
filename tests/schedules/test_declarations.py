"""Declarations of interest rounds on the time-skipping server with a real event store (P6).

CDCPE ToR §6, CDCP MoU §23: an annual declaration from every member, and a formal
six-monthly review of the register.
"""

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.store import StoreActivities
from domain.declarations import (
    DeclarationsState,
    RecordReview,
    ReturnDeclaration,
    RoundKind,
    UpdateDeclaration,
    fold,
    initial_state,
    round_id,
)
from domain.events import (
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
    DeclaredInterest,
    InterestKind,
    NoticeDelivered,
    NoticeIssued,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.registers import register_csv, register_of
from eventstore.store import EventStore
from tests.people import shipped, signed
from tests.replay.histories import save_history
from tests.workflows.conftest import stream_events
from workflows.contracts.declarations import (
    DeclarationsInput,
    DeclarationsResult,
    DeclarationsUpdate,
)
from workflows.contracts.process import Command
from workflows.declarations import DeclarationsWorkflow
from workflows.recording import DOMAIN_REJECTED

BODY = "cdcpe"
Handle = WorkflowHandle[DeclarationsWorkflow, DeclarationsResult]


@pytest.fixture(scope="module")
def durham() -> Partnership:
    return load_partnership("county-durham")


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=[DeclarationsWorkflow],
        activities=[
            StoreActivities(store).append_events,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
    ) as running:
        yield running


async def start(
    client: Client,
    config: Partnership,
    task_queue: str,
    kind: RoundKind,
    on: date,
    workflow_id: str | None = None,
) -> Handle:
    return await client.start_workflow(
        DeclarationsWorkflow.run,
        DeclarationsInput(config=config, body=BODY, kind=kind, requested_on=on),
        id=workflow_id or f"declarations:{config.slug}:{BODY}:{kind}-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )


def returned(seat: str, on: date) -> Command[DeclarationsUpdate]:
    return signed(shipped("county-durham"), ReturnDeclaration(seat=seat, returned_on=on))


def review(on: date) -> Command[DeclarationsUpdate]:
    return signed(shipped("county-durham"), RecordReview(reviewed_on=on))


async def opened(handle: Handle) -> DeclarationsState:
    for _ in range(200):
        state = await handle.query(DeclarationsWorkflow.state)
        if state.status == "open" and len(state.notices_delivered) == len(state.notices_issued):
            return state
        await asyncio.sleep(0.05)
    raise AssertionError("the round never opened")


async def assert_state_is_fold(
    store: EventStore, handle: Handle, config: Partnership, kind: RoundKind, on: date
) -> DeclarationsState:
    state = await handle.query(DeclarationsWorkflow.state)
    events = await stream_events(store, round_id(config.slug, BODY, kind, on))
    assert fold(initial_state(config, BODY, kind), events) == state
    return state


async def test_annual_round_closes_when_every_member_has_declared_tor_6_mou_23(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
    outbox: Path,
) -> None:
    on = (await time_skipping_env.get_current_time()).date()
    handle = await start(temporal, durham, worker.task_queue, "annual", on)
    state = await opened(handle)
    assert state.return_by == on + timedelta(days=28)
    for seat in state.seats:
        await handle.execute_update(DeclarationsWorkflow.execute, returned(seat, on))
    result = await handle.result()
    assert result.outstanding == ()
    events = await stream_events(store, result.round_id)
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    assert [type(e) for e in events] == (
        [DeclarationsRequested]
        + [NoticeIssued] * len(notices)
        + [NoticeDelivered] * len(notices)
        + [DeclarationReturned] * len(state.seats)
        + [DeclarationsRoundClosed]
    )
    assert all(n.content_hash == content_hash(n.subject, n.body) for n in notices)
    assert len(list((outbox / "county-durham").glob("*.eml"))) == len(notices)
    await assert_state_is_fold(store, handle, durham, "annual", on)
    await Replayer(
        workflows=[DeclarationsWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await handle.fetch_history())
    await save_history(handle, "declarations-annual")


async def test_review_round_records_the_review_and_next_due_tor_6(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """ToR §6: formally reviewed six-monthly; the next review is six months after this one."""
    on = (await time_skipping_env.get_current_time()).date()
    handle = await start(temporal, durham, worker.task_queue, "review", on)
    await opened(handle)
    stream_id = round_id(durham.slug, BODY, "review", on)
    before = len(await store.read_stream(stream_id))
    for command in [review(on + timedelta(days=1)), returned("nobody", on)]:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(DeclarationsWorkflow.execute, command)
        assert getattr(refused.value.cause, "type", None) == DOMAIN_REJECTED
    assert len(await store.read_stream(stream_id)) == before

    await handle.execute_update(DeclarationsWorkflow.execute, review(on))
    result = await handle.result()
    assert result.reviewed_on == on
    events = await stream_events(store, stream_id)
    reviewed = next(e for e in events if isinstance(e, DeclarationsReviewed))
    assert reviewed.next_review_due_on > on + timedelta(days=180)
    await assert_state_is_fold(store, handle, durham, "review", on)


async def test_round_closes_at_its_return_date_naming_those_outstanding(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    on = (await time_skipping_env.get_current_time()).date()
    handle = await start(temporal, durham, worker.task_queue, "annual", on)
    state = await opened(handle)
    await handle.execute_update(DeclarationsWorkflow.execute, returned(state.seats[0], on))
    result = await handle.result()
    assert result.outstanding == state.seats[1:]
    closed = (await stream_events(store, result.round_id))[-1]
    assert isinstance(closed, DeclarationsRoundClosed)
    assert closed.closed_on == on + timedelta(days=29)
    recorded = await store.read_stream(result.round_id)
    assert recorded[-1].metadata["actor"] == "timer:declarations"
    await assert_state_is_fold(store, handle, durham, "annual", on)


async def test_terminated_round_started_again_carries_on_from_its_stream(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """Rebuilt from the log: the same round started again after a termination neither asks
    the members twice nor forgets the declarations already returned."""
    on = (await time_skipping_env.get_current_time()).date()
    workflow_id = f"declarations:{durham.slug}:{BODY}:annual-{uuid.uuid4().hex[:8]}"
    first = await start(temporal, durham, worker.task_queue, "annual", on, workflow_id)
    state = await opened(first)
    await first.execute_update(DeclarationsWorkflow.execute, returned(state.seats[0], on))
    await first.terminate("lost mid-round")

    again = await start(temporal, durham, worker.task_queue, "annual", on, workflow_id)
    assert (await opened(again)).returned == state.seats[:1]
    for seat in state.seats[1:]:
        await again.execute_update(DeclarationsWorkflow.execute, returned(seat, on))
    result = await again.result()
    assert result.outstanding == ()
    events = await stream_events(store, result.round_id)
    notices = len(state.notices_issued)
    assert [type(e) for e in events] == (
        [DeclarationsRequested]
        + [NoticeIssued] * notices
        + [NoticeDelivered] * notices
        + [DeclarationReturned] * len(state.seats)
        + [DeclarationsRoundClosed]
    )
    await assert_state_is_fold(store, again, durham, "annual", on)


async def test_register_declared_updated_reviewed_and_published_as_csv_tor_6(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """ToR §6: declared in the annual round, updated, formally reviewed; the register published
    from the log shows each seat's latest entries and the review (docs/rules.md P6.4)."""
    on = (await time_skipping_env.get_current_time()).date()
    annual = await start(temporal, durham, worker.task_queue, "annual", on)
    first, second, third, *_ = (await opened(annual)).seats
    directorship = DeclaredInterest(kind=InterestKind.FINANCIAL, description="Director, Acme Ltd")
    spouse = DeclaredInterest(
        kind=InterestKind.INDIRECT, description="=spouse employed by CDDFT", since=on
    )
    for command in (
        ReturnDeclaration(seat=first, returned_on=on, interests=(directorship,)),
        ReturnDeclaration(seat=second, returned_on=on),
        UpdateDeclaration(seat=first, updated_on=on, interests=(directorship, spouse)),
    ):
        await annual.execute_update(
            DeclarationsWorkflow.execute, signed(shipped("county-durham"), command)
        )
    # A seat that has returned nothing has nothing to update.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await annual.execute_update(
            DeclarationsWorkflow.execute,
            signed(shipped("county-durham"), UpdateDeclaration(seat=third, updated_on=on)),
        )
    assert "has returned no declaration in this round" in str(refused.value.cause)
    reviewing = await start(temporal, durham, worker.task_queue, "review", on)
    await opened(reviewing)
    await reviewing.execute_update(DeclarationsWorkflow.execute, review(on))
    await reviewing.result()

    events = [
        *await stream_events(store, round_id(durham.slug, BODY, "annual", on)),
        *await stream_events(store, round_id(durham.slug, BODY, "review", on)),
    ]
    register = register_of(durham, BODY, events)
    assert [(r.seat, r.interests) for r in register.returns] == [
        (first, (directorship, spouse)),
        (second, ()),
    ]
    assert register.reviewed_on == on and register.next_review_due_on is not None
    rows = list(csv.reader(io.StringIO(register_csv(durham, register))))
    assert rows[0][:5] == ["body", "seat", "role", "organisation", "kind"]
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [
        (first, "financial", "Director, Acme Ltd"),
        (first, "indirect", "'=spouse employed by CDDFT"),
        (second, "nil", "no interests declared"),
    ]
    await annual.terminate("test over")
