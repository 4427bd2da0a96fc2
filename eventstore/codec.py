"""Domain events to and from the event log's rows.

The log stores `type` and `schema_version` in columns of their own and the rest as data, so the
log stays readable without the domain package, and the domain folds what the log returns.
"""

import json
import typing
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel, ValidationError

from domain.events import DomainEvent, event_from_dict, event_to_json_dict
from domain.provenance import Actor
from eventstore.models import NewEvent, RecordedEvent

_HEADER = ("type", "schema_version")

_MODELS: dict[tuple[str, int], type[BaseModel]] = {
    (model.model_fields["type"].default, model.model_fields["schema_version"].default): model
    for model in typing.get_args(typing.get_args(DomainEvent)[0])
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
            return typing.cast(DomainEvent, model.__pydantic_validator__.validate_json(data))
        except ValidationError:
            pass
    return event_from_dict(
        {**json.loads(data), "type": event_type, "schema_version": schema_version}
    )
