"""The log's verification as an auditor's page shows it: the chain recomputed, every signed
checkpoint the database holds checked against the public key, the head to minute."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from eventstore.checkpoint import CheckpointError, VerifierKey, open_checkpoints
from eventstore.models import Digest, Verification
from eventstore.store import EventStore
from eventstore.tree import TreeStore


class CheckpointView(BaseModel):
    """A signed checkpoint: the first `tree_size` events have this Merkle root."""

    model_config = ConfigDict(frozen=True)

    origin: str
    tree_size: int
    root_hash: str
    signed_at: datetime


class LogCheck(BaseModel):
    """Whether the log verifies, where its head is, and the latest checkpoint it matches."""

    model_config = ConfigDict(frozen=True)

    verification: Verification
    head: Digest
    checkpoints: int
    latest_checkpoint: CheckpointView | None
    checkpoint_problem: str | None = None
    """Why the checkpoints could not be checked (no public key, a bad signature), if so."""

    def passes(self) -> bool:
        return self.verification.intact and self.checkpoint_problem is None


async def check_log(store: EventStore, key: VerifierKey | None, key_problem: str) -> LogCheck:
    """Recomputes the chain and, with `key`, the root under every checkpoint; without one the
    chain alone is checked and `key_problem` says why."""
    notes = await TreeStore(store.pool).notes()
    problem = key_problem if notes and key is None else None
    checkpoints = []
    if notes and key is not None:
        try:
            checkpoints = open_checkpoints(notes, key)
        except CheckpointError as error:
            problem = f"a checkpoint is refused: {error}"
    result = await store.verify(checkpoints=checkpoints)
    latest = max(checkpoints, key=lambda c: c.tree_size) if checkpoints else None
    return LogCheck(
        verification=result,
        head=result.head,
        checkpoints=len(checkpoints),
        latest_checkpoint=None
        if latest is None
        else CheckpointView(
            origin=latest.origin,
            tree_size=latest.tree_size,
            root_hash=latest.root_hash.hex(),
            signed_at=latest.time,
        ),
        checkpoint_problem=problem,
    )
