"""Registers a Temporal namespace on a self-hosted cluster (idempotent); Temporal Cloud's are
made in its console or with `tcld`, so there the namespace already exists and nothing is asked."""

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    RegisterNamespaceRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode


async def ensure_namespace(client: Client, namespace: str, retention: timedelta) -> bool:
    """Registers `namespace` unless it exists; True when it was registered now."""
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
        return False
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
    period = Duration()
    period.FromTimedelta(retention)
    try:
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(
                namespace=namespace, workflow_execution_retention_period=period
            )
        )
    except RPCError as clash:
        # Another job registering it at the same moment.
        if clash.status is not RPCStatusCode.ALREADY_EXISTS:
            raise
        return False
    return True
