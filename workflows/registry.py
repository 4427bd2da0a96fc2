"""Every Concordat workflow, for the worker and the replayer to register.

Kept out of the package's `__init__` because the sandbox imports a workflow's package afresh for
every run: there, each run would import every workflow module, not just the one it runs.
"""

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
