"""How workflows' inputs and results travel: pydantic models as JSON, with one cache of type
adapters for the whole process.

Temporal builds a payload converter for every workflow it keeps in the worker's cache, and the
SDK's pydantic converter gives each its own cache of `TypeAdapter`s: every cached workflow kept
a validator of its own for its input, its updates and its activities' results (about 100 KiB a
workflow, `make bench-scale`). Here every converter shares one JSON converter, so each type's
adapter is built once a process. The cache stays bounded (least recently used out); it is no
larger than what the per-workflow caches held together once the workflow cache holds more than
a few workflows.
"""

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

_JSON = PydanticJSONPlainPayloadConverter()


class SharedPydanticPayloadConverter(CompositePayloadConverter):
    """The SDK's pydantic payload converter, its JSON converter (and type adapters) shared."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _JSON if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = DataConverter(payload_converter_class=SharedPydanticPayloadConverter)
