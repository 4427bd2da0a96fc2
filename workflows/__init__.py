"""Temporal workflows: deterministic, deciding with domain/, recording through activities."""

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
