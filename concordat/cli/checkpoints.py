"""`concordat audit checkpoint`, `prove`, `consistency` and `public-key`: signed checkpoints of the
log's Merkle tree and proofs against them, each checked before it is printed."""

import json
from datetime import UTC, datetime
from typing import Any

import click
from pydantic import ValidationError

from audit.export import export_record
from concordat.checkpoint_key import SigningKeyError, signer_from_settings
from concordat.cli.audit import _store, audit, database_option, verifier
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.settings import Settings
from eventstore.checkpoint import CheckpointError, open_checkpoint
from eventstore.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from eventstore.tree import TreeError, TreeStore


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        fail(f"cannot read the settings: {error.errors()[0]['msg']}")


@audit.command(name="public-key")
def public_key() -> None:
    """Print the public key checkpoints are checked with (NAME+ID+KEY), for auditors."""
    click.echo(str(verifier()))


@audit.command(name="checkpoint")
@click.option(
    "--database-url",
    metavar="URL",
    help="PostgreSQL URL of a role that may write the tree [default: the service's]",
)
@json_option
@run_async
async def checkpoint(database_url: str | None, as_json: bool) -> None:
    """Sign a checkpoint of the log as it is now and print it (needs the signing key)."""
    settings = _settings()
    try:
        signer = signer_from_settings(settings)
    except SigningKeyError as error:
        fail(str(error))
    async with _store(database_url or settings.database_dsn()) as store:
        try:
            signed = await TreeStore(store.pool).mint(signer, datetime.now(UTC))
        except TreeError as error:
            fail(str(error))
    if as_json:
        emit({"tree_size": signed.checkpoint.tree_size, "note": signed.note}, as_json=True)
    else:
        click.echo(signed.note, nl=False)


def _size(note: str) -> int:
    return int(note.split("\n")[1])


@audit.command(name="prove")
@click.argument("position", type=click.IntRange(min=1))
@click.option(
    "--checkpoint",
    "tree_size",
    type=click.IntRange(min=1),
    metavar="SIZE",
    help="The checkpoint to prove against, by its tree size [default: the latest]",
)
@database_option
@run_async
async def prove(position: int, tree_size: int | None, database_url: str | None) -> None:
    """Prove that the event at POSITION is in a signed checkpoint: prints the event, the
    checkpoint and the O(log n) hashes between them as JSON, for verify_offline.py."""
    key = verifier()
    async with _store(database_url) as store:
        tree = TreeStore(store.pool)
        try:
            proof = await tree.inclusion(position, tree_size)
        except TreeError as error:
            fail(str(error))
        row = await store.row(position)
    try:
        signed = open_checkpoint(proof.note, key)
        if row is None:
            raise ProofError(f"position {position} is missing from the log")
        record = export_record(row)
        if bytes.fromhex(record["chain_hash"]) != proof.chain_hash:
            raise ProofError(f"position {position} changed while it was read")
        leaf = leaf_hash(proof.chain_hash)
        verify_inclusion(position - 1, signed.tree_size, leaf, proof.proof, signed.root_hash)
    except (CheckpointError, ProofError) as error:
        fail(f"the proof of position {position} does not verify: {error}")
    bundle: dict[str, Any] = {
        "checkpoint": proof.note,
        "event": record,
        "previous_chain_hash": proof.previous_chain_hash.hex(),
        "proof": [h.hex() for h in proof.proof],
    }
    click.echo(json.dumps(bundle, indent=2, ensure_ascii=False))


@audit.command(name="consistency")
@click.argument("old", type=click.IntRange(min=0))
@click.argument("new", type=click.IntRange(min=0))
@database_option
@run_async
async def consistency(old: int, new: int, database_url: str | None) -> None:
    """Prove that the log under the checkpoint of OLD events is an exact prefix of the log under
    the checkpoint of NEW: prints both checkpoints and the O(log n) hashes as JSON."""
    if old > new:
        fail(f"OLD ({old}) must not be larger than NEW ({new})")
    key = verifier()
    async with _store(database_url) as store:
        try:
            old_note, new_note, proof = await TreeStore(store.pool).consistency(old, new)
        except TreeError as error:
            fail(str(error))
    try:
        a, b = open_checkpoint(old_note, key), open_checkpoint(new_note, key)
        verify_consistency(a.tree_size, b.tree_size, a.root_hash, b.root_hash, proof)
    except (CheckpointError, ProofError) as error:
        fail(f"the checkpoints of {old} and {new} are not consistent: {error}")
    bundle = {"old": old_note, "new": new_note, "proof": [h.hex() for h in proof]}
    emit(bundle, as_json=True)
