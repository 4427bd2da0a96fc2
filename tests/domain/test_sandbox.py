"""`domain` imports and runs inside Temporal's workflow sandbox, with no pass-through.

The workflow module below imports `domain` normally; the sandbox re-imports it in isolation and
fails the workflow task if the package does I/O at import or touches restricted modules.
"""

import shutil
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates import partnership as agg
from domain.bodies import Body
from domain.events import DomainEvent, event_from_dict, event_to_json_dict
from domain.rules.quorum import Attendance, assess_quorum


@workflow.defn(sandboxed=True)
class FoldAndQuorumWorkflow:
    """Signs a small partnership's MoU, folds the events and assesses a quorum."""

    @workflow.run
    async def run(self, state: agg.PartnershipState, body: Body) -> list[str]:
        events: list[DomainEvent] = []
        for organisation in state.signatories:
            command = agg.SignMou(
                organisation=organisation,
                signatory_name="Signatory",
                signatory_role="Chief Executive",
                signed_on=date(2022, 8, 23),
            )
            new = agg.decide(state, command)
            state = agg.fold(state, new)
            events.extend(new)
        attending = [Attendance(seat=m.seat) for m in body.voting_members[:4]]
        quorum = assess_quorum(body, attending)
        round_tripped = [event_from_dict(event_to_json_dict(e)) for e in events]
        assert round_tripped == events
        return [str(state.effective_on), quorum.status.value, str(len(events))]


def _test_server() -> str:
    found = shutil.which("temporal-test-server") or shutil.which(
        "temporal-test-server", path=str(Path(sys.prefix) / "bin")
    )
    if found is None:
        pytest.skip("temporal-test-server is not installed")
    return found


async def test_domain_runs_inside_the_workflow_sandbox() -> None:
    from domain.partnerships_config import load_partnership

    config = load_partnership("county-durham")
    async with (
        await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=_test_server(), data_converter=pydantic_data_converter
        ) as env,
        Worker(env.client, task_queue="domain-sandbox", workflows=[FoldAndQuorumWorkflow]),
    ):
        result = await env.client.execute_workflow(
            FoldAndQuorumWorkflow.run,
            args=[agg.initial_state(config), config.body("cdcpe")],
            id=f"domain-sandbox-{uuid.uuid4()}",
            task_queue="domain-sandbox",
        )
    assert result == ["2022-08-23", "quorate, but without social care", "9"]
