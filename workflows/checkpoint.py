"""Mints one signed checkpoint of the log; a Temporal Schedule starts it hourly (principle 5)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from activities.contracts import MINT_CHECKPOINT, CheckpointMinted, MintCheckpoint


@workflow.defn(name="Checkpoint")
class CheckpointWorkflow:
    @workflow.run
    async def run(self, request: MintCheckpoint) -> CheckpointMinted:
        minted: CheckpointMinted = await workflow.execute_activity(
            MINT_CHECKPOINT,
            request,
            result_type=CheckpointMinted,
            # Within a stopping worker's grace (deploy/kubernetes): a mint extends the tree only
            # by the rows since the last checkpoint, seconds even for a busy hour; the first
            # checkpoint of a large existing log is minted once by `concordat audit checkpoint`.
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        return minted
