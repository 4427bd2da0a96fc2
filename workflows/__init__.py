"""Temporal workflows: deterministic, deciding with domain/, recording through activities."""

from workflows.partnership import PartnershipWorkflow

ALL_WORKFLOWS = (PartnershipWorkflow,)
