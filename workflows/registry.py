"""Every Concordat workflow, for the worker and the replayer to register.

Kept out of the package's `__init__` because the sandbox imports a workflow's package afresh for
every run: there, each run would import every workflow module, not just the one it runs.
"""

import pkgutil

import workflows
from workflows.checkpoint import CheckpointWorkflow
from workflows.committee import CommitteeWorkflow
from workflows.declarations import DeclarationsWorkflow
from workflows.escalation import EscalationWorkflow
from workflows.exit import ExitWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

ALL_WORKFLOWS = (
    PartnershipWorkflow,
    ReviewWorkflow,
    ExitWorkflow,
    CommitteeWorkflow,
    EscalationWorkflow,
    MeetingCycleWorkflow,
    DeclarationsWorkflow,
    CheckpointWorkflow,
)


SKELETON_MODULES = tuple(
    module.name
    for module in pkgutil.iter_modules(workflows.__path__, "workflows.")
    if module.name not in {w.__module__ for w in ALL_WORKFLOWS} | {__name__}
)
"""Every module of the package that defines no workflow: the process skeleton, its helpers and
the contracts. They hold no state a run could change, so the worker shares them among runs and
the sandbox imports afresh only the module of the workflow being run (docs/architecture.md,
"Worker memory")."""
