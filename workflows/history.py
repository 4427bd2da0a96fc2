"""When a long-lived workflow should continue as new (docs/architecture.md principle 6)."""

from temporalio import workflow


def continue_as_new_due(history_limit: int | None) -> bool:
    """Temporal suggests it, or the history reached `history_limit` (a knob tests use to cross
    the boundary on purpose; production leaves it unset)."""
    info = workflow.info()
    return info.is_continue_as_new_suggested() or (
        history_limit is not None and info.get_current_history_length() >= history_limit
    )
