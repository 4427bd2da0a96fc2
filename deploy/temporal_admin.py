"""Registers Concordat's search attributes on a Temporal namespace (idempotent)."""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows import search_attributes


async def _registered(client: Client, namespace: str) -> set[str]:
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    except RPCError as error:
        # Temporal's time-skipping test server can add attributes but not list them.
        if error.status is RPCStatusCode.UNIMPLEMENTED:
            return set()
        raise
    return set(existing.custom_attributes) | set(existing.system_attributes)


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Adds the attributes the namespace lacks; returns their names."""
    known = await _registered(client, namespace)
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in search_attributes.ALL
        if key.name not in known
    }
    added = []
    for name, value_type in missing.items():
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    search_attributes={name: value_type}, namespace=namespace
                )
            )
        except RPCError as error:
            # Where attributes cannot be listed, an attribute added before is only found here.
            if error.status is not RPCStatusCode.ALREADY_EXISTS:
                raise
            continue
        added.append(name)
    return sorted(added)
