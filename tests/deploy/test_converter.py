"""The data converter the worker and clients use shares its type adapters across workflows."""

from datetime import date

from pydantic import BaseModel
from temporalio.converter import DataConverter

from concordat.converter import DATA_CONVERTER


class Answer(BaseModel):
    organisation: str
    on: date


def test_every_workflow_s_converter_reads_with_the_same_type_adapter() -> None:
    """Temporal makes a data converter for every workflow it caches: their JSON converters are
    one, so a type's adapter is built once, not once a workflow, and a payload reads back as it
    was written."""
    converter_class = DATA_CONVERTER.payload_converter_class
    first, second = converter_class(), converter_class()
    json = first.converters[b"json/plain"]
    assert second.converters[b"json/plain"] is json

    answer = Answer(organisation="dcc", on=date(2026, 1, 5))
    payloads = DataConverter(payload_converter_class=converter_class).payload_converter.to_payloads(
        [answer]
    )
    assert first.from_payloads(payloads, [Answer]) == [answer]
    adapters = json._type_adapter.cache_info().currsize  # type: ignore[attr-defined]
    assert second.from_payloads(payloads, [Answer]) == [answer]
    assert json._type_adapter.cache_info().currsize == adapters  # type: ignore[attr-defined]
