"""Events for store tests: the store is domain-agnostic, so any type and data will do."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from eventstore.models import NewEvent

_BASE = datetime(2022, 8, 23, 9, 0, tzinfo=UTC)


def new_event(n: int = 0, event_type: str = "Noted", **data: Any) -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        type=event_type,
        data={"n": n, **data},
        occurred_at=_BASE + timedelta(minutes=n),
        metadata={"actor": "tests"},
    )


def batch(count: int, start: int = 0) -> list[NewEvent]:
    return [new_event(start + i) for i in range(count)]
