"""`concordat-dev`: the whole service on one machine, in the foreground.

Starts PostgreSQL (data in .concordat/postgres), the Temporal dev server (state in
.concordat/temporal.db, web UI on), applies migrations, and runs the worker. Ctrl-C or SIGTERM
stops the worker first, so running activities finish, then Temporal, then PostgreSQL.
"""

import asyncio
import sys

import asyncpg
import structlog
from temporalio import workflow

from concordat.connections import connect_temporal
from concordat.logging import configure_logging
from concordat.settings import Settings
from concordat.signing import service_signer
from deploy.embedded_postgres import EmbeddedPostgres, PostgresStartError
from deploy.processes import PortInUse, require_free_port
from deploy.schedules import sync_schedules
from deploy.temporal_dev import TemporalDevServer, TemporalStartError
from eventstore.migrate import migrate_database
from worker import install_stop_signals, run_worker

log = structlog.get_logger(__name__)

DATABASE = "concordat"


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
    )
    # Every port is checked before anything starts, so a refusal leaves nothing behind.
    require_free_port("127.0.0.1", postgres.port, "PostgreSQL")
    require_free_port("127.0.0.1", temporal.port, "the Temporal dev server")
    require_free_port("127.0.0.1", temporal.ui_port, "the Temporal web UI")

    stop = asyncio.Event()
    install_stop_signals(stop)
    try:
        await postgres.start()
        await ensure_database(postgres.url, DATABASE)
        applied = await migrate_database(settings.database_dsn())
        log.info("database ready", url=postgres.url_for(DATABASE), migrations_applied=applied)
        await temporal.start()
        # Fixed cadences (meetings, declarations) run on Temporal Schedules from configuration.
        synced = await sync_schedules(
            await connect_temporal(settings),
            settings.task_queue,
            folder=settings.partnerships_dir,
        )
        log.info("schedules in step with configuration", schedules=len(synced))
        # Made before the CLI is told the stack runs: it signs every command with this key.
        signer = service_signer(settings, create=True)
        print(
            f"\nConcordat is running.\n"
            f"  Temporal UI : {temporal.ui_url}\n"
            f"  Temporal    : {temporal.address} (namespace {settings.temporal_namespace})\n"
            f"  Database    : {postgres.url_for(DATABASE)}\n"
            f"  Auditor     : {postgres.url_for(DATABASE, 'concordat_auditor')}\n"
            f"  Data folder : {data}\n"
            f"  Signing key : {settings.signing_key()} (public {signer.public_key[:16]}...)\n"
            f"Press Ctrl-C to stop.\n",
            flush=True,
        )
        if not stop.is_set():
            await run_worker(settings, stop)
    finally:
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
    except (PortInUse, PostgresStartError, TemporalStartError) as error:
        sys.exit(f"concordat-dev: {error}")


if __name__ == "__main__":
    main()
