"""The worker's and web service's operations ports, scraped over HTTP from real processes on the
Temporal dev server and PostgreSQL: Concordat's metrics move with what happened, the SDK's are
served, and liveness and readiness answer (503 naming the problem where not ready)."""

import asyncio
import math
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from concordat.deadlines import refresh_oldest_deadline
from concordat.ops import serving_ops
from concordat.reach import start_partnership
from concordat.settings import Settings
from concordat.signing import Signer
from concordat.web.backends import update
from deploy.processes import free_port
from deploy.temporal_dev import TemporalDevServer
from domain.aggregates.partnership import SignMou
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, load_partnership
from tests.people import SIGNER, signed
from worker import run_worker
from workflows import search_attributes
from workflows.contracts.process import Command


def signature(config: Partnership, organisation: str) -> Command[SignMou]:
    return signed(
        config,
        SignMou(
            organisation=organisation,
            signatory_name="A. Signatory",
            signatory_role="Chief Executive",
            signed_on=date.today(),
        ),
    )


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def settings(dev_server: TemporalDevServer, database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        temporal_address=dev_server.address,
        database_url=SecretStr(database_url),
        task_queue=f"metrics-{uuid.uuid4().hex[:8]}",
        outbox_dir=tmp_path / "outbox",
        metrics_port=free_port(),
        sdk_metrics_port=free_port(),
        trusted_keys=[SIGNER.public_key],
    )


@pytest.fixture
async def running_worker(settings: Settings) -> AsyncIterator[str]:
    """The worker as concordat-worker runs it; yields its operations port's URL."""
    stop = asyncio.Event()
    ran = asyncio.create_task(run_worker(settings, stop))
    base = f"http://127.0.0.1:{settings.metrics_port}"
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(200):
            try:
                if (await http.get("/readyz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert not ran.done(), ran.exception()
            await asyncio.sleep(0.1)
    yield base
    stop.set()
    await ran


async def test_the_worker_serves_its_metrics_and_health(
    running_worker: str, settings: Settings, dev_client: Client
) -> None:
    async with httpx.AsyncClient(base_url=running_worker) as http:
        before = samples((await http.get("/metrics")).text)
        assert (await http.get("/healthz")).json() == {"status": "alive", "problems": []}
        assert (await http.get("/readyz")).json() == {"status": "ready", "problems": []}

        # A partnership's start writes its first events; a command it refuses writes nothing.
        config = load_partnership("county-durham", SHIPPED)
        client = await Client.connect(
            settings.temporal_target(), data_converter=dev_client.data_converter
        )
        workflow_id = await start_partnership(
            client,
            config,
            "metrics-test",
            settings.task_queue,
            web_base_url=settings.web_base_url(),
        )
        handle = client.get_workflow_handle(workflow_id)
        try:
            with pytest.raises(HTTPException) as refused:
                await update(handle, "execute", {})
            assert refused.value.status_code == 422
            await update(handle, "execute", signature(config, "icb"))
            for _ in range(100):
                after = samples((await http.get("/metrics")).text)
                appended = "concordat_events_appended_total"
                if value(after, appended, process="partnership") > value(
                    before, appended, process="partnership"
                ):
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("no append was counted")
        finally:
            await handle.terminate("metrics test done")

    assert value(after, "concordat_append_seconds_count") > value(
        before, "concordat_append_seconds_count"
    )
    refused_total = "concordat_commands_refused_total"
    assert value(after, refused_total, reason="InvalidCommand") == 1 + value(
        before, refused_total, reason="InvalidCommand"
    )

    async with httpx.AsyncClient() as http:
        sdk = (await http.get(f"http://127.0.0.1:{settings.sdk_metrics_port}/metrics")).text
    assert "temporal_request" in sdk  # the SDK's own, from its runtime


async def test_the_oldest_open_deadline_is_the_earliest_of_the_running(
    dev_client: Client,
) -> None:
    # Far in the past, so no other test's workflow on the shared server is older.
    overdue = datetime(2001, 2, 3, tzinfo=UTC)
    handle = await dev_client.start_workflow(
        "NoWorkerRunsThis",
        id=f"deadline-{uuid.uuid4().hex[:8]}",
        task_queue=f"nobody-{uuid.uuid4().hex[:8]}",
        search_attributes=TypedSearchAttributes(
            [SearchAttributePair(search_attributes.NEXT_DEADLINE, overdue)]
        ),
    )
    try:
        for _ in range(100):  # visibility catches up within a moment
            if await refresh_oldest_deadline(dev_client) == overdue.timestamp():
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the overdue deadline never became the oldest")
    finally:
        await handle.terminate("deadline test done")
    for _ in range(100):
        oldest = await refresh_oldest_deadline(dev_client)
        if math.isnan(oldest) or oldest > overdue.timestamp():
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("a closed workflow's deadline stayed the oldest")


async def test_not_ready_names_what_is_missing(tmp_path: Path) -> None:
    settings = Settings(metrics_port=free_port(), temporal_address="127.0.0.1:1")

    async def alive() -> list[str]:
        return []

    async def ready() -> list[str]:
        return [f"Temporal at {settings.temporal_target()}: unreachable"]

    async with serving_ops(settings, alive, ready) as base, httpx.AsyncClient() as http:
        assert base is not None
        answer = await http.get(f"{base}/readyz")
        assert answer.status_code == 503
        assert answer.json() == {
            "status": "not ready",
            "problems": ["Temporal at 127.0.0.1:1: unreachable"],
        }
        assert (await http.get(f"{base}/healthz")).status_code == 200


def test_concordat_web_serves_its_metrics_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    web_port, metrics_port = free_port(), free_port()
    key = tmp_path / "signing-key.pem"
    Signer.from_file(key, create=True)  # as the operator provisions it from a Secret
    env = {
        "CONCORDAT_SIGNING_KEY_FILE": str(key),
        "PATH": "/usr/bin:/bin",
        "CONCORDAT_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "CONCORDAT_DATABASE_URL": f"postgresql://concordat_app@127.0.0.1:{free_port()}/none",
        "CONCORDAT_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
        "CONCORDAT_WEB_PORT": str(web_port),
        "CONCORDAT_METRICS_PORT": str(metrics_port),
    }
    web = subprocess.Popen(
        [sys.executable, "-c", "from concordat.web.app import main; main()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{metrics_port}"
        for _ in range(300):
            try:
                alive = httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                assert web.poll() is None, web.communicate()[1]
                time.sleep(0.1)
        else:
            pytest.fail("concordat-web never opened its metrics port")
        assert alive.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{web_port}/healthz").status_code == 200
        not_ready = httpx.get(f"{base}/readyz", timeout=30)
        assert not_ready.status_code == 503
        problems = not_ready.json()["problems"]
        assert len(problems) == 2
        assert "Temporal" in problems[0] and env["CONCORDAT_TEMPORAL_ADDRESS"] in problems[0]
        assert problems[1].startswith("PostgreSQL: ")
        assert "python_gc_objects_collected_total" in httpx.get(f"{base}/metrics").text
    finally:
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=30) == 0
