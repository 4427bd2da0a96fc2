"""A worker on Temporal's time-skipping test server, recording into a real event store."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import (
    APPEND_EVENTS,
    DELIVER_NOTICES,
    Appended,
    AppendRequest,
    DeliverNotices,
    NoticesDelivered,
)
from activities.delivery import AddressBook, DeliveryActivities, OutboxChannel
from activities.notices import NoticeActivities
from activities.store import StoreActivities
from domain.events import DomainEvent
from eventstore.codec import to_domain_event
from eventstore.store import EventStore
from tests.workflows.through_partnership import TIME_SKIPPING
from worker import build_worker


@pytest.fixture
def temporal(time_skipping_env: WorkflowEnvironment) -> Client:
    return time_skipping_env.client


@pytest.fixture(autouse=True)
def _time_skipping_clock(time_skipping_env: WorkflowEnvironment) -> None:
    TIME_SKIPPING[:] = [time_skipping_env]


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def delivery(outbox: Path) -> DeliveryActivities:
    return DeliveryActivities(
        OutboxChannel(outbox, "concordat@test"), AddressBook({}, "partners.test")
    )


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with build_worker(temporal, store, task_queue, delivery) as running:
        yield running


@pytest.fixture
async def dev_worker(
    dev_env: WorkflowEnvironment, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    """Every workflow and activity, as `worker.py` runs them, on the dev server."""
    async with build_worker(dev_env.client, store, task_queue, delivery) as running:
        yield running


async def stream_events(store: EventStore, stream_id: str) -> list[DomainEvent]:
    return [to_domain_event(e) for e in await store.read_stream(stream_id)]


AppendActivity = Callable[[AppendRequest], Awaitable[Appended]]


@pytest.fixture
def append_then_fail_once(store: EventStore) -> AppendActivity:
    """The real append, made to fail after its first attempt has committed: a lost reply.

    Workflow tests register it in place of append_events to show that a retried append finds
    its events recorded and writes nothing twice ("Nothing lost")."""
    real = StoreActivities(store)

    @activity.defn(name=APPEND_EVENTS)
    async def append_then_fail_once(request: AppendRequest) -> Appended:
        result = await real.append_events(request)
        if activity.info().attempt == 1:
            raise RuntimeError("connection lost after commit")
        assert result.already_recorded
        return result

    return append_then_fail_once


DeliverActivity = Callable[[DeliverNotices], Awaitable[NoticesDelivered]]


@pytest.fixture
def deliver_then_fail_once(store: EventStore, delivery: DeliveryActivities) -> DeliverActivity:
    """The real delivery of a decision's notices, made to fail after its first attempt has
    recorded the receipts: the retry must hand back the receipts the log holds."""
    real = NoticeActivities(delivery, store)

    @activity.defn(name=DELIVER_NOTICES)
    async def deliver_then_fail_once(request: DeliverNotices) -> NoticesDelivered:
        result = await real.deliver_notices(request)
        if activity.info().attempt == 1:
            raise RuntimeError("connection lost after commit")
        recorded = await stream_events(store, request.stream_id)
        assert result.receipts == recorded[request.expected_version : result.last_version]
        return result

    return deliver_then_fail_once
