"""Fixtures of the schedule tests: the workflow fixtures (time-skipping server, real store,
outbox delivery); Temporal's dev server, which unlike the time-skipping one runs Schedules, comes
from tests/conftest.py."""

from tests.workflows.conftest import append_then_fail_once, delivery, outbox, temporal

__all__ = ["append_then_fail_once", "delivery", "outbox", "temporal"]
