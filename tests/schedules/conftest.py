"""Fixtures of the schedule tests: the workflow fixtures (time-skipping server, real store,
outbox delivery), and Temporal's dev server, which unlike the time-skipping one runs Schedules."""

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from deploy.processes import free_port
from deploy.temporal_dev import TemporalDevServer
from tests.workflows.conftest import delivery, outbox, temporal

__all__ = ["delivery", "outbox", "temporal"]


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[TemporalDevServer]:
    """`temporal server start-dev` on free ports with a throwaway database file; registers the
    search attributes on start."""
    folder = Path(tempfile.mkdtemp(prefix="concordat-test-temporal-"))
    server = TemporalDevServer(folder / "temporal.db", free_port(), free_port(), "default")
    await server.start()
    yield server
    server.stop()


@pytest.fixture
async def dev_client(dev_server: TemporalDevServer) -> Client:
    return await Client.connect(
        dev_server.address, namespace="default", data_converter=pydantic_data_converter
    )
