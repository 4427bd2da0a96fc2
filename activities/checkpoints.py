"""Minting a signed checkpoint of the log and handing it to the witnesses (docs/audit.md)."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import MINT_CHECKPOINT, CheckpointMinted, MintCheckpoint
from eventstore.checkpoint import SignedCheckpoint, Signer
from eventstore.tree import TreeError, TreeStore

log = structlog.get_logger(__name__)

Publish = Callable[[SignedCheckpoint], Awaitable[None]]


class CheckpointActivities:
    def __init__(self, tree: TreeStore, signer: Signer, publish: Publish) -> None:
        self._tree = tree
        self._signer = signer
        self._publish = publish

    async def mint(self, reason: str) -> SignedCheckpoint:
        signed = await self._tree.mint(self._signer, datetime.now(UTC))
        # Publishing again what a retry minted before is harmless: witnesses keep one file a size.
        await self._publish(signed)
        log.info("checkpoint minted", tree_size=signed.checkpoint.tree_size, reason=reason)
        return signed

    @activity.defn(name=MINT_CHECKPOINT)
    async def mint_checkpoint(self, request: MintCheckpoint) -> CheckpointMinted:
        try:
            signed = await self.mint(request.reason)
        except TreeError as error:
            # A log that does not verify must be looked at, not signed on a retry.
            raise ApplicationError(str(error), type="TreeError", non_retryable=True) from error
        return CheckpointMinted(tree_size=signed.checkpoint.tree_size)
