"""`concordat setup`: the release steps of a deployment, each idempotent and safe to repeat.

`keys` makes the deployment's signing keys once; `database` applies the migrations as the
schema's owner; `temporal` registers the namespace and Concordat's search attributes. With
`concordat schedules sync` they are what the image's jobs run (deploy/compose.yaml,
deploy/kubernetes/) before the workers and the web service start.
"""

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import asyncpg
import click
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from concordat.checkpoint_key import new_seed, signer_from_settings, write_private
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.connections import connect_temporal
from concordat.dev_extra import embedded_refusal
from concordat.logging import configure_logging
from concordat.settings import Settings
from concordat.signing import Signer
from deploy.temporal_admin import register_search_attributes
from deploy.temporal_namespace import ensure_namespace
from deploy.versioning import promote as promote_build
from eventstore.migrate import migrate_database

NEW_NAMESPACE_SECONDS = 60


@click.group()
def setup() -> None:
    """Prepare the database and Temporal for Concordat (release steps)."""
    # Progress as log lines on stderr, in the service's format; stdout holds only the result.
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)


@setup.command()
@json_option
@run_async
async def database(as_json: bool) -> None:
    """Apply pending migrations as the schema's owner (CONCORDAT_MIGRATION_DATABASE_URL)."""
    settings = Settings()
    refusal = embedded_refusal(settings)
    if refusal is not None:
        fail(refusal)
    owner = settings.migration_database_dsn()
    if owner is None:
        fail("CONCORDAT_MIGRATION_DATABASE_URL is unset: migrations run as the schema's owner")
    try:
        applied = await migrate_database(owner)
    except OSError as error:
        fail(f"cannot reach PostgreSQL as the owner: {error}")
    except asyncpg.PostgresError as error:
        fail(f"a migration failed, and was rolled back: {error}")
    emit(
        {"applied": applied},
        as_json,
        lambda r: f"applied {', '.join(r['applied'])}" if r["applied"] else "schema up to date",
    )


@setup.command()
@click.option(
    "--retention-days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="How long Temporal keeps a closed workflow's history (the event log keeps every fact).",
)
@click.option(
    "--wait",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to keep retrying while the frontend is not yet answering.",
)
@json_option
@run_async
async def temporal(retention_days: int, wait: int, as_json: bool) -> None:
    """Register the namespace (self-hosted clusters) and Concordat's search attributes."""
    settings = Settings()
    refusal = embedded_refusal(settings)
    if refusal is not None:
        fail(refusal)
    temporal_client = await _connect(settings, wait)
    namespace = settings.temporal_namespace
    try:
        created = await ensure_namespace(temporal_client, namespace, timedelta(days=retention_days))
        added = await _search_attributes(temporal_client, namespace)
    except RPCError as error:
        fail(f"Temporal refused to set up namespace {namespace}: {error.message}")
    emit(
        {"namespace": namespace, "namespace_registered": created, "search_attributes_added": added},
        as_json,
        lambda r: (
            f"namespace {r['namespace']}"
            + (" registered" if r["namespace_registered"] else " exists")
            + f"; search attributes added: {', '.join(r['search_attributes_added']) or 'none'}"
        ),
    )


@setup.command()
@click.option(
    "--wait",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Seconds to keep retrying while the build's workers have not yet polled.",
)
@json_option
@run_async
async def promote(wait: int, as_json: bool) -> None:
    """Make this build (CONCORDAT_BUILD_ID) current in the worker deployment (Worker
    Versioning): new workflows start on it."""
    settings = Settings()
    refusal = embedded_refusal(settings)
    if refusal is not None:
        fail(refusal)
    deployment, build_id = settings.worker_deployment, settings.build_id
    if deployment is None or build_id is None:
        fail("CONCORDAT_WORKER_DEPLOYMENT and CONCORDAT_BUILD_ID are unset: name the build")
    temporal_client = await _connect(settings, 0)
    try:
        await promote_build(temporal_client, deployment, build_id, wait)
    except RPCError as error:
        fail(f"Temporal refused to make {build_id} current in {deployment}: {error.message}")
    emit(
        {"deployment": deployment, "current_build_id": build_id},
        as_json,
        lambda r: f"{r['deployment']}: {r['current_build_id']} is current",
    )


async def _search_attributes(client: Client, namespace: str) -> list[str]:
    # A namespace just registered reaches the frontends' namespace caches some seconds later;
    # until then adding attributes to it answers NOT_FOUND.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + NEW_NAMESPACE_SECONDS
    while True:
        try:
            return await register_search_attributes(client, namespace)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND or loop.time() >= deadline:
                raise
        await asyncio.sleep(1)


async def _connect(settings: Settings, wait: int) -> Client:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        try:
            return await connect_temporal(settings)
        except RuntimeError as error:
            if loop.time() >= deadline:
                fail(f"cannot reach Temporal at {settings.temporal_target()}: {error}")
        await asyncio.sleep(1)


@setup.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@json_option
def keys(folder: Path, as_json: bool) -> None:
    """Make the deployment's two keys in FOLDER, mode 0600, unless they exist: the web service's
    envelope signing key (signing-key.pem) and the checkpoint signing key (checkpoint.env, as
    CONCORDAT_CHECKPOINT_KEY). Prints the public settings the workers and auditors need."""
    settings = Settings()
    envelope_key = Signer.from_file(folder / "signing-key.pem", create=True)
    checkpoint_env = folder / "checkpoint.env"
    if not checkpoint_env.exists():
        write_private(checkpoint_env, f"CONCORDAT_CHECKPOINT_KEY={new_seed()}\n")
    seed = checkpoint_env.read_text(encoding="ascii").strip().partition("=")[2]
    checkpoint = signer_from_settings(
        settings.model_copy(update={"checkpoint_key": SecretStr(seed)})
    )
    emit(
        {
            "CONCORDAT_TRUSTED_KEYS": json.dumps([envelope_key.public_key]),
            "CONCORDAT_CHECKPOINT_PUBLIC_KEY": str(checkpoint.verifier),
        },
        as_json,
        lambda r: "\n".join(f"{k}={v}" for k, v in r.items()),
    )
