"""The README's `make run`, as a user runs it: the embedded stack in a child process, driven over
its ports, stopped by signal, and started again on the same data."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from concordat.settings import Settings
from concordat.signing import service_signer
from deploy.dev_users import representative
from deploy.processes import free_port
from domain.aggregates.partnership import SignMou
from domain.authority import provenance_for
from domain.partnerships_config import load_partnership
from domain.provenance import Channel, Provenance
from domain.streams import partnership_stream
from tests.audit.cli import concordat
from workflows import search_attributes
from workflows.partnership import PartnershipInput, PartnershipWorkflow

READY = "Concordat is running."


@pytest.fixture
def stack_env() -> Iterator[dict[str, str]]:
    data = Path(tempfile.mkdtemp(prefix="concordat-e2e-"))
    data.chmod(0o755)
    env = {
        **os.environ,
        "CONCORDAT_DATA_DIR": str(data),
        "CONCORDAT_EMBEDDED_POSTGRES_PORT": str(free_port()),
        "CONCORDAT_EMBEDDED_TEMPORAL_PORT": str(free_port()),
        "CONCORDAT_EMBEDDED_TEMPORAL_UI_PORT": str(free_port()),
        "CONCORDAT_LOG_FORMAT": "json",
    }
    for name in ("CONCORDAT_TEMPORAL_ADDRESS", "CONCORDAT_DATABASE_URL"):
        env.pop(name, None)
    yield env
    shutil.rmtree(data, ignore_errors=True)


def start_stack(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.embedded"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if READY in line:
            return process
    process.wait()
    raise AssertionError("the stack stopped before it was ready:\n" + "".join(seen))


def stop_stack(process: subprocess.Popen[str], sig: signal.Signals) -> str:
    process.send_signal(sig)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def nothing_listens_on(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


async def events_in(env: dict[str, str]) -> list[str]:
    url = f"postgresql://postgres@127.0.0.1:{env['CONCORDAT_EMBEDDED_POSTGRES_PORT']}/concordat"
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT event_type FROM events ORDER BY position")
    finally:
        await conn.close()
    return [r["event_type"] for r in rows]


async def audit_as_the_auditor(env: dict[str, str], events: int) -> None:
    """`concordat audit verify` with no URL logs in as the auditor, who can read but not write."""
    ran = await concordat(
        "audit", "verify", env={k: v for k, v in env.items() if k.startswith("CONCORDAT_")}
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"intact: {events} events verified")
    port = int(env["CONCORDAT_EMBEDDED_POSTGRES_PORT"])
    settings = Settings(database_url=None, auditor_database_url=None, embedded_postgres_port=port)
    conn = await asyncpg.connect(settings.auditor_database_dsn())
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("INSERT INTO events SELECT * FROM events WHERE position = 1")
    finally:
        await conn.close()


async def test_stack_runs_workflows_stops_cleanly_and_keeps_its_data(
    stack_env: dict[str, str],
) -> None:
    config = load_partnership("nenc-ics")
    process = start_stack(stack_env)
    try:
        client = await Client.connect(
            f"127.0.0.1:{stack_env['CONCORDAT_EMBEDDED_TEMPORAL_PORT']}",
            data_converter=pydantic_data_converter,
        )
        # The key the stack created in its data folder at start, as the CLI signs with it.
        stack_signer = service_signer(Settings(data_dir=Path(stack_env["CONCORDAT_DATA_DIR"])))

        def representative_of(signature: SignMou) -> Provenance:
            person = representative(config, signature.organisation)
            return provenance_for(config.access, person, signature, Channel.API)

        handle = await client.start_workflow(
            PartnershipWorkflow.run,
            PartnershipInput(config=config),
            id=partnership_stream(config.slug),
            task_queue="concordat",
        )
        for organisation in config.signatories:
            signature = SignMou(
                organisation=organisation,
                signatory_name="A. Signatory",
                signatory_role="Accountable Officer",
                signed_on=date.today(),
            )
            await handle.execute_update(
                PartnershipWorkflow.execute,
                stack_signer.sign(signature, representative_of(signature)),
            )
        assert (await handle.query(PartnershipWorkflow.state)).is_effective
    finally:
        output = stop_stack(process, signal.SIGINT)
    assert "worker stopped" in output and "embedded stack stopped" in output
    ports = (
        "CONCORDAT_EMBEDDED_POSTGRES_PORT",
        "CONCORDAT_EMBEDDED_TEMPORAL_PORT",
        "CONCORDAT_EMBEDDED_TEMPORAL_UI_PORT",
    )
    assert all(nothing_listens_on(int(stack_env[p])) for p in ports), "a child outlived the stack"

    process = start_stack(stack_env)
    try:
        expected = ["MouSigned"] * len(config.signatories) + ["MouEffective"]
        assert await events_in(stack_env) == expected
        await audit_as_the_auditor(stack_env, len(expected))
        client = await Client.connect(
            f"127.0.0.1:{stack_env['CONCORDAT_EMBEDDED_TEMPORAL_PORT']}",
            data_converter=pydantic_data_converter,
        )
        handle = client.get_workflow_handle_for(
            PartnershipWorkflow.run, partnership_stream(config.slug)
        )
        # The partnership's workflow outlived the restart and is served by the new worker.
        assert (await handle.query(PartnershipWorkflow.state)).is_effective
        described = await handle.describe()
        assert described.status is not None and described.status.name == "RUNNING"
        attributes = described.typed_search_attributes
        assert attributes.get(search_attributes.PARTNERSHIP) == config.slug
        assert attributes.get(search_attributes.STATUS) == "effective"
    finally:
        stop_stack(process, signal.SIGTERM)


async def test_stack_refuses_a_taken_port_and_starts_nothing(stack_env: dict[str, str]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(stack_env["CONCORDAT_EMBEDDED_TEMPORAL_UI_PORT"])))
        holder.listen()
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "deploy.embedded"],
            env=stack_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {stack_env['CONCORDAT_EMBEDDED_TEMPORAL_UI_PORT']}" in result.stderr
    assert "Temporal web UI" in result.stderr
    assert not (Path(stack_env["CONCORDAT_DATA_DIR"]) / "postgres").exists()
