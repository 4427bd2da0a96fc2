"""Worker Versioning's release step: make a build the current version of Concordat's worker
deployment, so new workflows (and, under auto-upgrade, running ones at their next task) run on
it, while workflows pinned to an older build stay on the workers of that build
(docs/upgrades.md)."""

import asyncio

from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

# The server knows a version only once one of its workers has polled; until then it answers so.
_NOT_YET = {RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION}


async def promote(
    client: Client, deployment: str, build_id: str, wait_seconds: float = 0.0
) -> None:
    """Sets `build_id` current in `deployment`, retrying for `wait_seconds` while its workers
    have not polled yet; RPCError if Temporal still refuses."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        try:
            await client.workflow_service.set_worker_deployment_current_version(
                SetWorkerDeploymentCurrentVersionRequest(
                    namespace=client.namespace,
                    deployment_name=deployment,
                    build_id=build_id,
                    identity="concordat setup promote",
                )
            )
            return
        except RPCError as error:
            if error.status not in _NOT_YET or loop.time() >= deadline:
                raise
        await asyncio.sleep(1)
