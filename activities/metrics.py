"""Concordat's own Prometheus metrics of the activities: what reached the log, how long the
append took, and the notices sent (served on the worker's metrics port, concordat/ops.py)."""

from prometheus_client import Counter, Histogram

EVENTS_APPENDED = Counter(
    "concordat_events_appended",
    "Events written to the log (a retried append that found them there counts nothing)",
    ["process"],
)
APPEND_SECONDS = Histogram(
    "concordat_append_seconds",
    "Time of one append_events call against PostgreSQL, refused ones included",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
NOTICES = Counter(
    "concordat_notices",
    "Written notices handed to the delivery channel, by outcome (delivered or failed)",
    ["outcome", "channel"],
)


def process_of(stream_id: str) -> str:
    """The process a stream belongs to (`review:county-durham:...` is a review's): a label of a
    handful of values, where the stream itself would be one per process ever run."""
    return stream_id.partition(":")[0]
