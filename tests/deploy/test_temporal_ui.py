"""The embedded Temporal UI is read-only (issue 10): its page and its API's reads work through
the proxy on the public port; a POST that would terminate a workflow is refused, and the
workflow runs on."""

import uuid

import httpx
from temporalio.client import Client, WorkflowExecutionStatus

from deploy.read_only_ui import REFUSAL
from deploy.temporal_dev import TemporalDevServer


async def test_the_ui_reads_and_refuses_to_terminate(
    dev_server: TemporalDevServer, dev_client: Client
) -> None:
    # No worker polls this queue: the workflow stays running, which is all the UI needs to show.
    workflow_id = f"ui-read-only-{uuid.uuid4().hex[:8]}"
    handle = await dev_client.start_workflow(
        "Nothing", id=workflow_id, task_queue=f"nobody-{uuid.uuid4().hex[:8]}"
    )
    api = f"/api/v1/namespaces/{dev_server.namespace}/workflows/{workflow_id}"
    async with httpx.AsyncClient(base_url=dev_server.ui_url, timeout=30) as ui:
        page = await ui.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        described = await ui.get(api)
        assert described.status_code == 200, described.text
        assert described.json()["workflowExecutionInfo"]["execution"]["workflowId"] == workflow_id

        terminate = await ui.post(f"{api}/terminate", json={"reason": "anonymous"})
        assert terminate.status_code == 403 and terminate.text == REFUSAL
        assert (await ui.delete(api)).status_code == 403
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    await handle.terminate("test over")
