"""The README's `make run`, as a user runs it: the embedded stack in a child process, driven over
its ports, stopped by signal, and started again on the same data."""

import asyncio
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import asyncpg
import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from concordat.settings import APP_ROLE, EMBEDDED_OWNER_ROLE, Settings
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
from workflows.contracts.partnership import PartnershipInput
from workflows.partnership import PartnershipWorkflow

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
        "CONCORDAT_EMBEDDED_OIDC_PORT": str(free_port()),
        "CONCORDAT_WEB_PORT": str(free_port()),
        "CONCORDAT_LOG_FORMAT": "json",
    }
    for name in ("CONCORDAT_TEMPORAL_ADDRESS", "CONCORDAT_DATABASE_URL"):
        env.pop(name, None)
    yield env
    shutil.rmtree(data, ignore_errors=True)


async def web_answers(env: dict[str, str], seen: str) -> None:
    """The stack printed the web address; there /healthz answers, and a command from no one
    signed in is refused."""
    web = f"http://127.0.0.1:{env['CONCORDAT_WEB_PORT']}"
    assert f"Web         : {web}" in seen
    async with httpx.AsyncClient(base_url=web) as anyone:
        assert (await anyone.get("/healthz")).status_code == 200
        assert (await anyone.get("/readyz")).json()["status"] == "ready"
        command = await anyone.post("/api/v1/partnerships/nenc-ics/start")
        assert command.status_code == 401


def start_stack(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """The running stack and what it printed up to the web address."""
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
            seen.append(process.stdout.readline())  # the web address follows the banner
            return process, "".join(seen)
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


def stack_settings(env: dict[str, str]) -> Settings:
    """The settings a `concordat` command run beside the stack derives its URLs from."""
    return Settings(
        database_url=None,
        auditor_database_url=None,
        data_dir=Path(env["CONCORDAT_DATA_DIR"]),
        embedded_postgres_port=int(env["CONCORDAT_EMBEDDED_POSTGRES_PORT"]),
    )


async def events_in(env: dict[str, str]) -> list[str]:
    conn = await asyncpg.connect(stack_settings(env).database_dsn())
    try:
        rows = await conn.fetch("SELECT event_type FROM events ORDER BY position")
    finally:
        await conn.close()
    return [r["event_type"] for r in rows]


async def runs_least_privileged(env: dict[str, str]) -> None:
    """The worker is connected as the application role; nobody gets in without a password,
    which lives in a file only its owner can read."""
    settings = stack_settings(env)
    owner_url = settings.migration_database_dsn()
    assert owner_url is not None
    owner = await asyncpg.connect(owner_url)
    try:
        sessions = await owner.fetch(
            "SELECT DISTINCT usename FROM pg_stat_activity "
            "WHERE datname = 'concordat' AND pid <> pg_backend_pid()"
        )
    finally:
        await owner.close()
    assert [r["usename"] for r in sessions] == [APP_ROLE]
    assert stat.S_IMODE(settings.passwords_file().stat().st_mode) == 0o600
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host="127.0.0.1",
            port=settings.embedded_postgres_port,
            user=EMBEDDED_OWNER_ROLE,
            database="concordat",
            passfile=str(settings.data_dir / "no-such-file"),
        )


async def audit_as_the_auditor(env: dict[str, str], events: int) -> None:
    """`concordat audit verify` with no URL logs in as the auditor, who can read but not write."""
    ran = await concordat(
        "audit", "verify", env={k: v for k, v in env.items() if k.startswith("CONCORDAT_")}
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"intact: {events} events verified")
    conn = await asyncpg.connect(stack_settings(env).auditor_database_dsn())
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("INSERT INTO events SELECT * FROM events WHERE position = 1")
    finally:
        await conn.close()


async def test_stack_runs_workflows_stops_cleanly_and_keeps_its_data(
    stack_env: dict[str, str],
) -> None:
    config = load_partnership("nenc-ics")
    process, banner = start_stack(stack_env)
    try:
        await web_answers(stack_env, banner)
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
        "CONCORDAT_EMBEDDED_OIDC_PORT",
        "CONCORDAT_WEB_PORT",
    )
    assert all(nothing_listens_on(int(stack_env[p])) for p in ports), "a child outlived the stack"

    process, _ = start_stack(stack_env)
    try:
        expected = ["MouSigned"] * len(config.signatories) + ["MouEffective"]
        assert await events_in(stack_env) == expected
        await audit_as_the_auditor(stack_env, len(expected))
        await runs_least_privileged(stack_env)
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
