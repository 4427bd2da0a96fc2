"""Hostile text and dates sent as raw JSON to live workflows (issue 9), past every client-side
check, as a script or an older client could send them.

Each update either takes effect (the stream grows by what it decided) or is refused with a
reason (an ApplicationError the validator raised) and writes nothing; the workflow never fails,
never stops answering, and takes a clean command afterwards. The figures (tried, refused, took
effect) are printed for the issue's note.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, get_args

from hypothesis import HealthCheck, Phase, given, settings
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates.escalation import ReferUp
from domain.aggregates.exit_commands import AcknowledgeNotice, NotifyExit
from domain.aggregates.partnership import RequestReview
from domain.aggregates.review import RecordResponse
from domain.authority import NotAuthorisedError
from domain.partnership import Partnership
from eventstore.store import EventStore
from tests.domain.test_hostile_commands import command_data
from tests.people import signed
from tests.workflows.test_escalation import raise_request
from tests.workflows.through_partnership import (
    county_durham,
    effective_partnership,
    raw_description,
    settled,
    start_process,
)
from workflows.contracts.escalation import EscalationUpdate
from workflows.contracts.exit import ExitUpdate
from workflows.contracts.review import ReviewUpdate

EXAMPLES = 60
"""Hostile updates per workflow: enough to meet every kind of refusal, few enough to keep the
run to under a minute on the time-skipping server."""

REALISTIC = ["icb", "dcc", "cddft", "tewv", "hdft", "cdcpe", "acute-care-board", "a1", "x"]


def examples(
    classes: list[type[BaseModel]], today: date
) -> list[tuple[type[BaseModel], dict[str, Any]]]:
    """`EXAMPLES` drawn by hypothesis from the domain test's hostile strategy."""
    drawn: list[tuple[type[BaseModel], dict[str, Any]]] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(command_data(classes, REALISTIC, today))
    def collect(case: tuple[type[BaseModel], dict[str, Any]]) -> None:
        drawn.append(case)

    collect()
    return drawn


@dataclass
class Target:
    config: Partnership
    name: str
    handle: WorkflowHandle[Any, Any]
    classes: list[type[BaseModel]]
    clean: BaseModel


async def targets(client: Client, task_queue: str, today: date) -> list[Target]:
    """A review, an exit and an escalation of County Durham, open on the server's date."""
    config = county_durham()
    partnership = await effective_partnership(client, config, task_queue, today)
    review = await start_process(partnership, RequestReview())
    exit_ = await start_process(
        partnership,
        NotifyExit(
            organisation="hdft",
            notified_on=today,
            effective_on=today + timedelta(days=90),
            signatory_name="Chief Executive of hdft",
            reason="services transferring",
        ),
    )
    escalation = await start_process(partnership, raise_request(config, today))

    def union(annotated: Any) -> list[type[BaseModel]]:
        return list(get_args(get_args(annotated)[0]))

    return [
        Target(
            config,
            "review",
            client.get_workflow_handle(review.process_id),
            union(ReviewUpdate),
            RecordResponse(organisation="dcc", received_on=today, confirms_unchanged=True),
        ),
        Target(
            config,
            "exit",
            client.get_workflow_handle(exit_.process_id),
            union(ExitUpdate),
            AcknowledgeNotice(recipient="dcc", acknowledged_on=today, acknowledged_by="J Smith"),
        ),
        Target(
            config,
            "escalation",
            client.get_workflow_handle(escalation.process_id),
            union(EscalationUpdate),
            ReferUp(level=1, body="acute-care-board", referred_on=today, notes="the Executive"),
        ),
    ]


async def test_hostile_updates_take_effect_or_are_refused_and_never_wedge_a_workflow(
    temporal: Client, worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    today = (await time_skipping_env.get_current_time()).date()
    figures: Counter[str] = Counter()
    for target in await targets(temporal, worker.task_queue, today):
        # The clean command first: it must take effect, so that path is always exercised.
        clean = (type(target.clean), target.clean.model_dump(mode="json", exclude={"today"}))
        for cls, data in [clean, *examples(target.classes, today)]:
            tag = cls.model_fields["type"].default
            raw = data | {"type": tag}
            # A raw dict: the client's own types never see it. What builds is signed as the
            # service would sign it, so the workflow judges the command itself; what does not
            # goes with a valid signature over another command, refused whatever it says.
            try:
                actor = signed(target.config, cls.model_validate(raw)).actor
            except (ValidationError, NotAuthorisedError):
                actor = signed(target.config, target.clean).actor
            payload = {"command": raw, "actor": actor.model_dump(mode="json")}
            before = await settled(store, temporal, target.handle)
            figures["tried"] += 1
            try:
                await target.handle.execute_update("execute", payload)
            except PydanticSerializationError:
                # A lone surrogate: no JSON can carry it, so no client can send it.
                figures["cannot be sent"] += 1
                continue
            except WorkflowUpdateFailedError as refused:
                assert isinstance(refused.cause, ApplicationError), refused.cause
                assert refused.cause.message, "a refusal says why"
                assert await settled(store, temporal, target.handle) == before, (
                    f"{target.name} {tag} was refused ({refused.cause.message}) but wrote"
                )
                figures["refused"] += 1
                figures[f"refused: {refused.cause.type}"] += 1
            else:
                figures["took effect"] += 1
            status = (await raw_description(temporal, target.handle)).workflow_execution_info.status
            if status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
                # A hostile-but-valid command may end the process (a withdrawal, a closure):
                # ended properly, never failed.
                assert status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, (
                    f"{target.name} ended {status} after {tag}"
                )
                figures["ended by a command"] += 1
                break
        else:
            # Still answering, and a clean command is taken (or refused for what it says, e.g.
            # the partner already acknowledged), never left waiting.
            try:
                await target.handle.execute_update("execute", signed(target.config, target.clean))
            except WorkflowUpdateFailedError as refused:
                assert isinstance(refused.cause, ApplicationError)
        figures[f"workflows: {target.name}"] += 1
    print("\n" + "\n".join(f"{k}: {v}" for k, v in sorted(figures.items())))
    assert figures["tried"] == (
        figures["refused"] + figures["took effect"] + figures["cannot be sent"]
    )
    assert figures["refused"] > 0 and figures["took effect"] >= 3
