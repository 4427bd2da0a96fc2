"""Domain events to and from the event log's rows.

The log stores `type` and `schema_version` in columns of their own and the rest as data, so the
log stays readable without the domain package, and the domain folds what the log returns.
"""

import json
from datetime import UTC, date, datetime
from typing import Any, cast, get_args
from uuid import UUID

import orjson
from pydantic import BaseModel, ValidationError

from domain.events import DomainEvent, event_from_dict, event_to_json_dict
from domain.events.base import Event
from domain.provenance import Actor
from eventstore.models import NewEvent, RecordedEvent

_HEADER = ("type", "schema_version")

DATED_BY: dict[str, str] = {
    kind.model_fields["type"].default: kind.dated_by
    for kind in get_args(get_args(DomainEvent)[0])
    if kind.dated_by is not None
}
"""The date field (`Event.dated_by`) of each event type that has one, to read a row's governance
date from its data without decoding the event."""


def governance_date(event: Event, occurred_at: datetime) -> date:
    """The date an event speaks of, which an "as of" replay compares: its own (the day signed,
    notice given, the meeting held), else the UTC date it occurred."""
    return event.governance_date() or occurred_at.astimezone(UTC).date()


def row_governance_date(dated: str | None, occurred_at: datetime) -> date:
    """`governance_date` of a row's event from the text of its `DATED_BY` field as recorded
    (None: it has none): what the row's `governance_on` column must say (EventStore.verify).
    Text that is no date dates it by when it occurred, as nothing else could."""
    if dated is not None:
        try:
            return date.fromisoformat(dated)
        except ValueError:
            pass
    return occurred_at.astimezone(UTC).date()


_MODELS: dict[tuple[str, int], type[BaseModel]] = {
    (model.model_fields["type"].default, model.model_fields["schema_version"].default): model
    for model in get_args(get_args(DomainEvent)[0])
}
"""Each event type's model, by the `event_type` and `schema_version` the log's columns hold."""


def json_value(text: str) -> Any:
    """A JSON text the log returned, parsed: by orjson, or by the standard library where orjson
    refuses (an integer past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


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


def domain_event_from_json(event_type: str, schema_version: int, data: str) -> DomainEvent:
    """`to_domain_event` of a row whose data is still the JSON text the log returned: validated
    straight from the text by its type's model, without a dict made first. A
    row that path refuses (an unknown type, another schema version, `type` or `schema_version`
    in its data disagreeing with the columns) is decoded as `to_domain_event` decodes it, so
    the event, or the error, is the same."""
    model = _MODELS.get((event_type, schema_version))
    if model is not None:
        try:
            return cast(DomainEvent, model.__pydantic_validator__.validate_json(data))
        except ValidationError:
            pass
    return event_from_dict(
        {**json.loads(data), "type": event_type, "schema_version": schema_version}
    )
