"""A worker on Temporal's time-skipping test server, recording into a real event store."""

from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from concordat.event_codec import to_domain_event
from concordat.temporal_admin import register_search_attributes
from domain.events import DomainEvent
from eventstore.store import EventStore
from worker import build_worker


@pytest.fixture(scope="session")
async def temporal(time_skipping_env: WorkflowEnvironment) -> Client:
    await register_search_attributes(time_skipping_env.client, "default")
    return time_skipping_env.client


@pytest.fixture
async def worker(temporal: Client, store: EventStore, task_queue: str) -> AsyncIterator[Worker]:
    async with build_worker(temporal, store, task_queue) as running:
        yield running


async def stream_events(store: EventStore, stream_id: str) -> list[DomainEvent]:
    return [to_domain_event(e) for e in await store.read_stream(stream_id)]
