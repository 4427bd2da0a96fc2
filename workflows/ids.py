"""Workflow ids and stream ids, derived from the partnership and the subject so that the same
process cannot be started twice by accident (DESIGN.md principle 2: one writer per stream)."""


def partnership_workflow_id(partnership: str) -> str:
    return f"partnership:{partnership}"


def partnership_stream(partnership: str) -> str:
    return f"partnership:{partnership}"
