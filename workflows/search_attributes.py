"""Typed search attributes every Concordat workflow sets, so staff can filter in the Temporal UI."""

from temporalio.common import SearchAttributeKey

PARTNERSHIP = SearchAttributeKey.for_keyword("ConcordatPartnership")
PROCESS = SearchAttributeKey.for_keyword("ConcordatProcess")
STATUS = SearchAttributeKey.for_keyword("ConcordatStatus")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("ConcordatNextDeadline")

ALL = (PARTNERSHIP, PROCESS, STATUS, NEXT_DEADLINE)
