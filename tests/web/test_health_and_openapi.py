"""/healthz, /readyz, and the OpenAPI document naming every command a process takes."""

import inspect
from typing import Any, get_args

import httpx
from pydantic import SecretStr
from temporalio.client import Client

from tests.web.conftest import Serve
from workflows.contracts.partnership import ProcessStart
from workflows.contracts.process import Command
from workflows.registry import ALL_WORKFLOWS


async def test_alive_but_not_ready_while_temporal_and_postgres_are_unreachable(
    serve: Serve,
) -> None:
    async with serve() as web, httpx.AsyncClient() as probe:
        assert (await probe.get(f"{web}/healthz")).json() == {"status": "alive", "problems": []}
        ready = await probe.get(f"{web}/readyz")
    assert ready.status_code == 503
    problems = ready.json()["problems"]
    assert len(problems) == 2
    assert "Temporal at 127.0.0.1:" in problems[0]
    assert problems[1].startswith("PostgreSQL")


async def test_ready_when_temporal_and_postgres_answer(
    serve: Serve, dev_client: Client, database_url: str
) -> None:
    async with (
        serve(temporal=dev_client, auditor_database_url=SecretStr(database_url)) as web,
        httpx.AsyncClient() as probe,
    ):
        ready = await probe.get(f"{web}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "problems": []}


def _commands(annotation: Any) -> set[str]:
    """The command classes an update's `Command[...]` parameter accepts, by name."""
    inner = annotation.model_fields["command"].annotation
    found: set[str] = set()
    pending = [inner]
    while pending:
        kind = pending.pop()
        if isinstance(kind, type):
            found.add(kind.__name__)
        else:
            pending.extend(get_args(kind))
    return found


async def test_the_openapi_document_names_every_command_of_every_process(serve: Serve) -> None:
    expected: set[str] = _commands(Command[ProcessStart])
    for workflow in ALL_WORKFLOWS:
        if not hasattr(workflow, "execute"):
            continue  # the checkpoint minter takes no commands
        parameter = list(inspect.signature(workflow.execute).parameters.values())[1]
        expected |= _commands(parameter.annotation)
    assert {"SignMou", "NotifyExit", "RecordResponse", "ReferUp", "ApproveMinutes"} <= expected

    async with serve() as web, httpx.AsyncClient() as reader:
        document = (await reader.get(f"{web}/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    assert expected <= set(document["components"]["schemas"])
    body = document["paths"]["/api/v1/processes/{process_id}/commands"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    mapping = schema["discriminator"]["mapping"]
    starts = {"NotifyExit", "RequestReview", "StartCommittee", "RaiseEscalation", "SignMou"}
    assert set(mapping) == expected - starts
