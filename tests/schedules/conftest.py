"""Fixtures of the schedule tests: the workflow fixtures (time-skipping server, real store,
outbox delivery); Temporal's dev server, which unlike the time-skipping one runs Schedules, comes
from tests/conftest.py."""

from tests.workflows.conftest import delivery, outbox, temporal

__all__ = ["delivery", "outbox", "temporal"]
