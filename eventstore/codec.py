"""Domain events to and from the event log's rows.

The log stores `type` and `schema_version` in columns of their own and the rest as data, so the
log stays readable without the domain package, and the domain folds what the log returns.
"""

from datetime import UTC, date, datetime
from typing import Any, get_args
from uuid import UUID

from domain.events import DomainEvent, event_from_dict, event_to_json_dict
from domain.events.base import Event
from domain.provenance import Actor
from eventstore.models import NewEvent, RecordedEvent

_HEADER = ("type", "schema_version")

_DATED_BY: dict[str, str | None] = {
    kind.model_fields["type"].default: kind.dated_by for kind in get_args(get_args(DomainEvent)[0])
}
"""Each event type's date field (`Event.dated_by`), to read its governance date from a row's data
without decoding the whole event."""


def governance_date(event: Event, occurred_at: datetime) -> date:
    """The date an event speaks of, which an "as of" replay compares: its own (the day signed,
    notice given, the meeting held), else the UTC date it occurred."""
    return event.governance_date() or occurred_at.astimezone(UTC).date()


def row_governance_date(event_type: str, data: dict[str, Any], occurred_at: datetime) -> date:
    """`governance_date` of a row's event, read from its data as recorded: what the row's
    `governance_on` column must say (EventStore.verify). An unknown type, or data without the
    date, dates by when it occurred, as nothing else could date it."""
    field = _DATED_BY.get(event_type)
    value = data.get(field) if field is not None else None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return occurred_at.astimezone(UTC).date()


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
        governance_on=governance_date(event, occurred_at),
    )


def to_domain_event(recorded: RecordedEvent) -> DomainEvent:
    return event_from_dict(
        {**recorded.data, "type": recorded.type, "schema_version": recorded.schema_version}
    )
