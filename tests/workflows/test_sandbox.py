"""The worker's sandbox imports afresh, for each run, only the module of the workflow being run;
the skeleton and the contracts every run uses are the worker's own (worker.WORKFLOW_RUNNER)."""

import pkgutil

import workflows
from worker import WORKFLOW_RUNNER
from workflows.registry import ALL_WORKFLOWS


def _shared(module: str) -> bool:
    passed = WORKFLOW_RUNNER.restrictions.passthrough_modules
    parts = module.split(".")
    return any(".".join(parts[:n]) in passed for n in range(1, len(parts) + 1))


def test_each_workflow_module_is_imported_afresh_for_each_run() -> None:
    assert [w.__module__ for w in ALL_WORKFLOWS if _shared(w.__module__)] == []


def test_every_other_module_of_the_package_is_shared() -> None:
    modules = {m.name for m in pkgutil.iter_modules(workflows.__path__, "workflows.")}
    others = modules - {w.__module__ for w in ALL_WORKFLOWS} - {"workflows.registry"}
    assert {"workflows.process", "workflows.recording", "workflows.contracts"} <= others
    assert [m for m in sorted(others) if not _shared(m)] == []
