"""`concordat-dev`: the whole service on one machine, in the foreground.

Starts PostgreSQL (data in .concordat/postgres), the Temporal dev server (state in
.concordat/temporal.db, web UI read-only), applies migrations, starts the development OpenID
provider (its users in deploy/dev-users.toml) and concordat-web, and runs the worker. Ctrl-C or
SIGTERM stops the web service and the worker (letting running activities finish), then the
OpenID provider, Temporal and PostgreSQL.
"""

import asyncio
import sys
from contextlib import ExitStack

import asyncpg
import structlog
from temporalio import workflow

from concordat.checkpoint_key import create_key_file, signer_from_settings
from concordat.connections import connect_temporal
from concordat.logging import configure_logging
from concordat.settings import EMBEDDED_DATABASE, Settings
from concordat.signing import service_signer
from concordat.web.app import WebStartError, create_app, serving
from deploy.dev_identity import DevUsersError, dev_identity_provider, load_dev_users
from deploy.embedded_postgres import EmbeddedPostgres, PostgresStartError
from deploy.processes import PortInUse, require_free_port
from deploy.schedules import sync_schedules
from deploy.temporal_dev import TemporalDevServer, TemporalStartError
from eventstore.migrate import migrate_database
from worker import install_stop_signals, run_worker

log = structlog.get_logger(__name__)

DATABASE = EMBEDDED_DATABASE


async def ensure_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def run(settings: Settings) -> None:
    data = settings.data_dir
    postgres = EmbeddedPostgres(data / "postgres", settings.embedded_postgres_port)
    temporal = TemporalDevServer(
        data / "temporal.db",
        settings.embedded_temporal_port,
        settings.embedded_temporal_ui_port,
        settings.temporal_namespace,
        reserved=(
            settings.embedded_postgres_port,
            settings.embedded_oidc_port,
            settings.web_port,
            *(p for p in (settings.metrics_port, settings.sdk_metrics_port) if p is not None),
        ),
    )
    # Every port is checked before anything starts, so a refusal leaves nothing behind.
    require_free_port("127.0.0.1", postgres.port, "PostgreSQL")
    require_free_port("127.0.0.1", temporal.port, "the Temporal dev server")
    require_free_port("127.0.0.1", temporal.ui_port, "the Temporal web UI")
    require_free_port("127.0.0.1", settings.embedded_oidc_port, "the OpenID provider")
    require_free_port(settings.web_host, settings.web_port, "concordat-web")
    users = load_dev_users(settings.dev_users)

    stop = asyncio.Event()
    install_stop_signals(stop)
    provider = ExitStack()
    try:
        await postgres.start()
        await ensure_database(postgres.url, DATABASE)
        # As the owner; the worker below runs as the application role.
        applied = await migrate_database(postgres.url_for(DATABASE))
        log.info("database ready", url=settings.database_dsn(), migrations_applied=applied)
        if create_key_file(settings):
            log.info("checkpoint signing key made", path=str(settings.checkpoint_key_file()))
        checkpoint_key = signer_from_settings(settings).verifier
        await temporal.start()
        # Fixed cadences (meetings, declarations) run on Temporal Schedules from configuration.
        synced = await sync_schedules(
            await connect_temporal(settings),
            settings.task_queue,
            folder=settings.partnerships_dir,
            web_base_url=settings.web_base_url(),
        )
        log.info("schedules in step with configuration", schedules=len(synced))
        # Made before the stack is said to run: the web service signs every command with it.
        signer = service_signer(settings, create=True)
        issuer = provider.enter_context(dev_identity_provider(settings.embedded_oidc_port, users))
        async with serving(create_app(settings), settings, stop) as web:
            print(
                f"\nConcordat is running.\n"
                f"  Web         : {web} (sign in at {web}/login, API under {web}/api/v1)\n"
                f"  Command line: .venv/bin/concordat login, then any command as that person\n"
                f"  OpenID      : {issuer} (users in {settings.dev_users})\n"
                f"  Temporal UI : {temporal.ui_url} (read-only)\n"
                f"  Temporal    : {temporal.address} (namespace {settings.temporal_namespace})\n"
                f"  Database    : {settings.database_dsn()}\n"
                f"  Auditor     : {settings.auditor_database_dsn()}\n"
                f"  Owner       : {postgres.url_for(DATABASE)} (migrations only)\n"
                f"  Passwords   : {postgres.passwords_file}\n"
                f"  Data folder : {data}\n"
                f"  Checkpoints : signed by {checkpoint_key} (give auditors this public key)\n"
                f"  Signing key : {settings.signing_key()} (public {signer.public_key[:16]}...)\n"
                f"Press Ctrl-C to stop.\n",
                flush=True,
            )
            if not stop.is_set():
                await run_worker(settings, stop)
    finally:
        provider.close()
        temporal.stop()
        postgres.stop()
        log.info("embedded stack stopped")


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    workflow.logger.workflow_info_on_message = False
    if not settings.embedded:
        sys.exit(
            "concordat-dev runs the embedded stack only when CONCORDAT_TEMPORAL_ADDRESS and "
            "CONCORDAT_DATABASE_URL are both unset; against real services run concordat-worker"
        )
    try:
        asyncio.run(run(settings))
    except (
        PortInUse,
        PostgresStartError,
        TemporalStartError,
        DevUsersError,
        WebStartError,
    ) as error:
        sys.exit(f"concordat-dev: {error}")


if __name__ == "__main__":
    main()
