"""`concordat audit checkpoint`, `prove`, `consistency` and `public-key`: signed checkpoints of the
log's Merkle tree and proofs against them, each checked before it is printed."""

import json
from datetime import UTC, datetime

import click
from pydantic import ValidationError

from audit.proofs import ProofUnavailable, consistency_bundle, inclusion_bundle
from concordat.checkpoint_key import SigningKeyError, signer_from_settings
from concordat.cli.audit import _store, audit, database_option, verifier
from concordat.cli.output import emit, fail, json_option, run_on_database
from concordat.settings import Settings
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
@run_on_database
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
@run_on_database
async def prove(position: int, tree_size: int | None, database_url: str | None) -> None:
    """Prove that the event at POSITION is in a signed checkpoint: prints the event, the
    checkpoint and the O(log n) hashes between them as JSON, for verify_offline.py."""
    key = verifier()
    async with _store(database_url) as store:
        try:
            bundle = await inclusion_bundle(store, position, tree_size, key)
        except ProofUnavailable as error:
            fail(str(error))
    click.echo(json.dumps(bundle, indent=2, ensure_ascii=False))


@audit.command(name="consistency")
@click.argument("old", type=click.IntRange(min=0))
@click.argument("new", type=click.IntRange(min=0))
@database_option
@run_on_database
async def consistency(old: int, new: int, database_url: str | None) -> None:
    """Prove that the log under the checkpoint of OLD events is an exact prefix of the log under
    the checkpoint of NEW: prints both checkpoints and the O(log n) hashes as JSON."""
    if old > new:
        fail(f"OLD ({old}) must not be larger than NEW ({new})")
    key = verifier()
    async with _store(database_url) as store:
        try:
            bundle = await consistency_bundle(store, old, new, key)
        except ProofUnavailable as error:
            fail(str(error))
    click.echo(json.dumps(bundle, indent=2, ensure_ascii=False))
