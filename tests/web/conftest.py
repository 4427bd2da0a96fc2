"""The web service served by uvicorn on a free port, signing in against a real OpenID provider
in this process, with the development users of deploy/dev-users.toml."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.delivery import AddressBook, DeliveryActivities, OutboxChannel
from concordat.settings import PROJECT_ROOT, Settings
from concordat.web.app import create_app, serving
from deploy.dev_identity import dev_identity_provider, load_dev_users
from deploy.processes import free_port
from eventstore.store import EventStore
from tests.people import SIGNER
from tests.web.signing_in import CLIENT_ID, CLIENT_SECRET
from worker import build_worker

Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    users = load_dev_users(PROJECT_ROOT / "deploy" / "dev-users.toml")
    with dev_identity_provider(free_port(), users) as url:
        yield url


def web_settings(issuer: str, **overrides: Any) -> Settings:
    port = free_port()
    values: dict[str, Any] = {
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": SecretStr(CLIENT_SECRET),
        "web_port": port,
        "temporal_address": f"127.0.0.1:{free_port()}",
        "database_url": SecretStr(f"postgresql://postgres@127.0.0.1:{free_port()}/none"),
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def serve(issuer: str) -> Serve:
    """Serves the app for settings built from the overrides given, on Temporal `temporal` if
    given; yields its address."""

    @asynccontextmanager
    async def served(temporal: Client | None = None, **overrides: Any) -> AsyncIterator[str]:
        settings = web_settings(issuer, **overrides)
        async with serving(create_app(settings, temporal, SIGNER), settings) as web:
            yield web

    return served


@pytest.fixture
def temporal(time_skipping_env: WorkflowEnvironment) -> Client:
    return time_skipping_env.client


@asynccontextmanager
async def _worker(
    client: Client, store: EventStore, task_queue: str, outbox: Path
) -> AsyncIterator[Worker]:
    """Every workflow and activity as `worker.py` runs them, notices to an outbox."""
    delivery = DeliveryActivities(
        OutboxChannel(outbox, "concordat@test"), AddressBook({}, "partners.test")
    )
    async with build_worker(client, store, task_queue, delivery) as running:
        yield running


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, tmp_path: Path
) -> AsyncIterator[Worker]:
    async with _worker(temporal, store, task_queue, tmp_path / "outbox") as running:
        yield running


@pytest.fixture
async def dev_worker(
    dev_client: Client, store: EventStore, task_queue: str, tmp_path: Path
) -> AsyncIterator[Worker]:
    async with _worker(dev_client, store, task_queue, tmp_path / "outbox") as running:
        yield running
