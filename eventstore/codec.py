"""Domain events to and from the event log's rows.

The log stores `type` and `schema_version` in columns of their own and the rest as data, so the
log stays readable without the domain package, and the domain folds what the log returns.
"""

from datetime import datetime
from uuid import UUID

from domain.events import DomainEvent, event_from_dict, event_to_json_dict
from domain.provenance import Actor
from eventstore.models import NewEvent, RecordedEvent

_HEADER = ("type", "schema_version")


def to_new_event(
    event: DomainEvent, *, event_id: UUID, occurred_at: datetime, actor: Actor
) -> NewEvent:
    data = event_to_json_dict(event)
    return NewEvent(
        event_id=event_id,
        type=data.pop("type"),
        schema_version=data.pop("schema_version"),
        data=data,
        occurred_at=occurred_at,
        metadata=actor.metadata(),
    )


def to_domain_event(recorded: RecordedEvent) -> DomainEvent:
    return event_from_dict(
        {**recorded.data, "type": recorded.type, "schema_version": recorded.schema_version}
    )
