"""Dates in workflows. Governance deadlines are calendar dates; a date's deadline is the end of
that day in UTC, so "respond by 8 February" still accepts a response on 8 February."""

from datetime import UTC, date, datetime, time, timedelta

from temporalio import workflow
from temporalio.common import SearchAttributeKey

SCHEDULED_START_TIME = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
"""Set by Temporal on a workflow a schedule starts: the nominal fire time, even on catch-up."""


def today() -> date:
    return workflow.now().astimezone(UTC).date()


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def until(moment: datetime) -> timedelta:
    """Time left before `moment`, never negative: a deadline already past fires at once."""
    return max(moment - workflow.now(), timedelta(0))


def fired_on() -> date:
    """The schedule's nominal fire date, or the workflow's start date when started by hand."""
    scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START_TIME)
    return scheduled.date() if scheduled is not None else today()
