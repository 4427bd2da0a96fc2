"""Upgrading workers under running workflows on the Temporal dev server, with Worker Versioning
as the worker configures it from settings (docs/upgrades.md).

A workflow waits for a signal; a new build changes what the workflow does before that wait, in a
way its running instances' histories cannot replay (the Replayer proves it). Pinned, a running
workflow finishes on the old build's workers while new ones start on the new build. Auto-upgrade
with the change behind `workflow.patched`, a running workflow moves to the new build, replays
the old path and carries on, the old workers gone."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from concordat.settings import Settings, VersioningBehavior
from deploy.versioning import promote
from worker import deployment_config

PROBE = "UpgradeProbe"
# Outside the sandbox: this module also imports the settings, which read the filesystem at load.


@activity.defn
async def step() -> str:
    return "stepped"


@workflow.defn(name=PROBE, sandboxed=False)
class ProbeV1:
    """The code running today: a timer, then the wait."""

    def __init__(self) -> None:
        self._go = False
        self._waiting = False

    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(milliseconds=10))
        self._waiting = True
        await workflow.wait_condition(lambda: self._go)
        return "finished on v1"

    @workflow.signal
    def go(self) -> None:
        self._go = True

    @workflow.query
    def waiting(self) -> bool:
        return self._waiting


@workflow.defn(name=PROBE, sandboxed=False)
class ProbeV2Breaking(ProbeV1):
    """An activity where the timer was: no history of v1 replays on it."""

    @workflow.run
    async def run(self) -> str:
        await workflow.execute_activity(step, start_to_close_timeout=timedelta(seconds=10))
        self._waiting = True
        await workflow.wait_condition(lambda: self._go)
        return "finished on v2"


@workflow.defn(name=PROBE, sandboxed=False)
class ProbeV2Patched(ProbeV1):
    """The same change behind a patch: old histories take the old path."""

    @workflow.run
    async def run(self) -> str:
        if workflow.patched("probe-activity-first"):
            await workflow.execute_activity(step, start_to_close_timeout=timedelta(seconds=10))
        else:
            await workflow.sleep(timedelta(milliseconds=10))
        self._waiting = True
        await workflow.wait_condition(lambda: self._go)
        return "finished on v2"


class Release:
    def __init__(self, client: Client, behavior: VersioningBehavior) -> None:
        self.client = client
        self.behavior = behavior
        self.deployment = f"concordat-{uuid.uuid4().hex[:8]}"
        self.task_queue = f"upgrade-{uuid.uuid4().hex[:8]}"

    @asynccontextmanager
    async def build(self, build_id: str, probe: type) -> AsyncIterator[Worker]:
        """Runs `probe` on a worker of `build_id`, configured as concordat-worker would be,
        and makes that build current."""
        settings = Settings(
            temporal_address="unused:7233",
            worker_deployment=self.deployment,
            build_id=build_id,
            versioning_behavior=self.behavior,
        )
        worker = Worker(
            self.client,
            task_queue=self.task_queue,
            workflows=[probe],
            activities=[step],
            deployment_config=deployment_config(settings),
        )
        async with worker:
            await promote(self.client, self.deployment, build_id, wait_seconds=30)
            yield worker

    async def start(self) -> WorkflowHandle[ProbeV1, str]:
        handle = await self.client.start_workflow(
            ProbeV1.run, id=f"probe-{uuid.uuid4().hex[:8]}", task_queue=self.task_queue
        )
        for _ in range(300):
            if await handle.query(ProbeV1.waiting):
                return handle
            await asyncio.sleep(0.1)
        pytest.fail(f"{handle.id} never reached its wait")


async def finish(handle: WorkflowHandle[ProbeV1, str]) -> str:
    await handle.signal(ProbeV1.go)
    return await asyncio.wait_for(handle.result(), 60)


async def test_pinned_workflows_finish_on_their_own_build(dev_client: Client) -> None:
    release = Release(dev_client, VersioningBehavior.PINNED)
    async with AsyncExitStack() as builds:
        await builds.enter_async_context(release.build("build-1", ProbeV1))
        running = await release.start()
        await builds.enter_async_context(release.build("build-2", ProbeV2Breaking))
        started_after = await release.start()

        # The change really breaks the running workflow's history...
        history = await running.fetch_history()
        with pytest.raises(NondeterminismError):
            await Replayer(workflows=[ProbeV2Breaking]).replay_workflow(history)
        # ...yet it finishes, on the build it started on, beside the new one.
        assert await finish(running) == "finished on v1"
        assert await finish(started_after) == "finished on v2"

    described = await running.describe()
    versioning = described.raw_description.workflow_execution_info.versioning_info
    assert versioning.deployment_version.build_id == "build-1"


async def test_auto_upgraded_workflows_carry_on_through_a_patch(dev_client: Client) -> None:
    release = Release(dev_client, VersioningBehavior.AUTO_UPGRADE)
    async with release.build("build-a", ProbeV1):
        running = await release.start()
    # The old build's workers are gone: only the new code is left to run it.
    async with release.build("build-b", ProbeV2Patched):
        started_after = await release.start()
        assert await finish(running) == "finished on v2"
        assert await finish(started_after) == "finished on v2"

    # Both histories replay on the new code: the old path for the one started before.
    for handle in (running, started_after):
        await Replayer(workflows=[ProbeV2Patched]).replay_workflow(await handle.fetch_history())
    described = await running.describe()
    versioning = described.raw_description.workflow_execution_info.versioning_info
    assert versioning.deployment_version.build_id == "build-b"
