"""Histories of real runs, committed so that a change that breaks running workflows fails a test.

A workflow test calls `save_history(handle, name)` at the end of a real run; it writes the file
only when CONCORDAT_RECORD_HISTORIES=1, so ordinary runs never rewrite the committed histories.
Re-record after an intended, compatible change with:
    CONCORDAT_RECORD_HISTORIES=1 .venv/bin/pytest tests/workflows
"""

import os
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

FOLDER = Path(__file__).parent / "histories"


async def save_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    if os.environ.get("CONCORDAT_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    FOLDER.mkdir(exist_ok=True)
    (FOLDER / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
