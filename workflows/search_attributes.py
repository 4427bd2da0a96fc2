"""Typed search attributes every Concordat workflow sets, so staff can filter in the Temporal UI."""

from datetime import datetime

from temporalio import workflow
from temporalio.common import SearchAttributeKey

PARTNERSHIP = SearchAttributeKey.for_keyword("ConcordatPartnership")
PROCESS = SearchAttributeKey.for_keyword("ConcordatProcess")
STATUS = SearchAttributeKey.for_keyword("ConcordatStatus")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("ConcordatNextDeadline")

ALL = (PARTNERSHIP, PROCESS, STATUS, NEXT_DEADLINE)


def publish(partnership: str, process: str, status: str, next_deadline: datetime | None) -> None:
    """Sets all four attributes at once; a process with no timer pending clears its deadline."""
    workflow.upsert_search_attributes(
        [
            PARTNERSHIP.value_set(partnership),
            PROCESS.value_set(process),
            STATUS.value_set(status),
            NEXT_DEADLINE.value_set(next_deadline)
            if next_deadline is not None
            else NEXT_DEADLINE.value_unset(),
        ]
    )
