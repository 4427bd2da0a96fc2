"""Every committed history replays against today's workflow code without non-determinism."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.replay.histories import FOLDER
from worker import WORKFLOW_RUNNER
from workflows.registry import ALL_WORKFLOWS

HISTORIES = sorted(FOLDER.glob("*.json"))


def test_every_workflow_type_has_a_recorded_history() -> None:
    recorded = {p.stem.split("-")[0] for p in HISTORIES}
    names = {w.__name__.removesuffix("Workflow").lower() for w in ALL_WORKFLOWS}
    assert names <= recorded, f"no recorded history for {sorted(names - recorded)}"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(
        workflows=list(ALL_WORKFLOWS),
        data_converter=pydantic_data_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )
    await replayer.replay_workflow(history)
