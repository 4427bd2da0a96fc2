"""An event decoded straight from its row's JSON text is the event `to_domain_event` decodes, and
a row the fast path refuses gets the same event or the same error."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from domain.events import DomainEvent, MouSigned, event_to_json_dict
from eventstore.codec import domain_event_from_json, to_domain_event
from eventstore.models import RecordedEvent
from tests.domain.test_properties import ANY_EVENT


def _row(event_type: str, schema_version: int, data: dict[str, Any]) -> RecordedEvent:
    now = datetime.now(UTC)
    return RecordedEvent(
        *(1, "stream", 1, uuid4(), event_type, schema_version, data, {}, now, now, "00"),
    )


@settings(max_examples=300)
@given(event=ANY_EVENT)
def test_every_event_decodes_from_its_text_as_from_its_dict(event: DomainEvent) -> None:
    data = event_to_json_dict(event)
    event_type, schema_version = data.pop("type"), data.pop("schema_version")
    # PostgreSQL's jsonb text: spaces after separators, keys in its own order.
    text = json.dumps(data, ensure_ascii=False)
    decoded = domain_event_from_json(event_type, schema_version, text)
    assert decoded == to_domain_event(_row(event_type, schema_version, data)) == event
    assert type(decoded) is type(event)


SIGNED = {
    "partnership": "county-durham",
    "organisation": "hdft",
    "signatory_name": "A. Signer",
    "signatory_role": "Chief Executive",
    "signed_on": "2022-08-12",
}


@pytest.mark.parametrize(
    "data",
    [
        {**SIGNED, "type": "MouSigned"},  # the columns' own type, repeated: accepted by both
        {**SIGNED, "type": "MouEffective"},  # another type in the data: the column's wins
        {**SIGNED, "schema_version": 2},  # another version in the data: the column's wins
    ],
)
def test_type_or_version_in_the_data_decode_as_the_columns_say(data: dict[str, Any]) -> None:
    decoded = domain_event_from_json("MouSigned", 1, json.dumps(data))
    assert decoded == to_domain_event(_row("MouSigned", 1, data))
    assert isinstance(decoded, MouSigned)


@pytest.mark.parametrize(
    ("event_type", "schema_version", "data"),
    [
        ("MouSigned", 2, SIGNED),  # a schema version no model has
        ("NoSuchEvent", 1, SIGNED),  # a type no model has
        ("MouSigned", 1, {**SIGNED, "signed_on": "not a date"}),
    ],
)
def test_a_row_neither_decodes_fails_with_the_same_error(
    event_type: str, schema_version: int, data: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as fast:
        domain_event_from_json(event_type, schema_version, json.dumps(data))
    with pytest.raises(ValidationError) as slow:
        to_domain_event(_row(event_type, schema_version, data))
    assert fast.value.errors() == slow.value.errors()
