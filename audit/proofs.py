"""Checkpoints and proofs as an auditor receives them, from the CLI or the web service: each
checked against the public key before it is handed over, in the JSON verify_offline.py reads."""

from typing import Any

from audit.export import export_record
from eventstore.checkpoint import CheckpointError, VerifierKey, open_checkpoint
from eventstore.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from eventstore.store import EventStore
from eventstore.tree import TreeError, TreeStore


class ProofUnavailable(Exception):
    """No checkpoint or proof can be given; the message says why in one line."""


async def checkpoint_file(store: EventStore, tree_size: int | None = None) -> str:
    """The signed checkpoint of `tree_size` (default: the latest), as the text file a witness
    or an auditor's machine keeps."""
    try:
        return await TreeStore(store.pool).note(tree_size)
    except TreeError as error:
        raise ProofUnavailable(str(error)) from error


async def inclusion_bundle(
    store: EventStore, position: int, tree_size: int | None, key: VerifierKey
) -> dict[str, Any]:
    """The event at `position`, a checkpoint and the O(log n) hashes between them."""
    try:
        proof = await TreeStore(store.pool).inclusion(position, tree_size)
        row = await store.row(position)
        signed = open_checkpoint(proof.note, key)
        if row is None or bytes(row["chain_hash"]) != proof.chain_hash:
            raise ProofError(f"position {position} changed while it was read")
        leaf = leaf_hash(proof.chain_hash)
        verify_inclusion(position - 1, signed.tree_size, leaf, proof.proof, signed.root_hash)
    except (TreeError, CheckpointError, ProofError) as error:
        raise ProofUnavailable(f"no proof of position {position}: {error}") from error
    return {
        "checkpoint": proof.note,
        "event": export_record(row),
        "previous_chain_hash": proof.previous_chain_hash.hex(),
        "proof": [h.hex() for h in proof.proof],
    }


async def consistency_bundle(
    store: EventStore, old: int, new: int, key: VerifierKey
) -> dict[str, Any]:
    """Two checkpoints and the O(log n) hashes showing the older log a prefix of the newer."""
    try:
        old_note, new_note, proof = await TreeStore(store.pool).consistency(old, new)
        a, b = open_checkpoint(old_note, key), open_checkpoint(new_note, key)
        verify_consistency(a.tree_size, b.tree_size, a.root_hash, b.root_hash, proof)
    except (TreeError, CheckpointError, ProofError) as error:
        raise ProofUnavailable(f"the checkpoints of {old} and {new}: {error}") from error
    return {"old": old_note, "new": new_note, "proof": [h.hex() for h in proof]}
