"""The one entry point that runs every Concordat workflow and activity.

`concordat-worker` connects to the Temporal and PostgreSQL named in settings; the embedded stack
(deploy/embedded.py) calls `run_worker` itself after starting both.
"""

import asyncio
import signal
import sys
from datetime import timedelta
from typing import Any

import asyncpg
import structlog
from temporalio import workflow
from temporalio.client import Client
from temporalio.common import (
    VersioningBehavior as SdkVersioningBehavior,
    WorkerDeploymentVersion,
)
from temporalio.worker import Worker, WorkerDeploymentConfig
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.checkpoints import CheckpointActivities
from activities.delivery import DeliveryActivities
from activities.ending import EndingActivities
from activities.letters import papers
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from concordat.checkpoint_key import SigningKeyError, signer_from_settings
from concordat.connections import connect_temporal
from concordat.deadlines import watch_deadlines
from concordat.delivery import channel_from_settings, delivery_from_settings
from concordat.dev_extra import embedded_refusal
from concordat.log_context import LogContextInterceptor
from concordat.logging import configure_logging
from concordat.ops import Check, serving_ops
from concordat.settings import Settings, VersioningBehavior
from concordat.signing import trusted_keys
from concordat.witnesses import Witnesses, load_witnesses
from deploy.checkpoint_schedule import ensure_checkpoint_schedule
from eventstore.migrate import MigrationsPending, migrate_database, require_migrated
from eventstore.pool import open_pool
from eventstore.store import EventStore
from eventstore.tree import TreeStore
from workflows import signatures
from workflows.registry import ALL_WORKFLOWS, SKELETON_MODULES

log = structlog.get_logger(__name__)

READY_SECONDS = 5.0

# The sandbox re-imports a workflow's modules for every new run, and keeps each cached run's
# copies; these hold no state a run could change (the domain is pure, the rest is models,
# pydantic and the process skeleton), so sharing them is deterministic, and each cached run holds
# only its own workflow's module (bench/scale.py; docs/architecture.md, "Worker memory"). A
# partnership's run also takes its children's modules from the worker (workflows/partnership.py),
# whose models are the worker's own domain's: every worker that runs Concordat's workflows, the
# tests' included, runs them with this runner.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "pydantic",
        "pydantic_core",
        "domain",
        "activities.contracts",
        *SKELETON_MODULES,
        "jinja2",
        "markupsafe",
    )
)


def build_worker(
    client: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    checkpoints: CheckpointActivities | None = None,
    **options: Any,
) -> Worker:
    """Every workflow and activity on one task queue; tests build theirs here too. Without
    `checkpoints` no checkpoint is minted, on the schedule or after a milestone."""
    store_activities = StoreActivities(store, checkpoints.mint if checkpoints else None)
    activities: list[Any] = [
        store_activities.append_events,
        store_activities.read_stream,
        delivery.deliver_notice,
        NoticeActivities(delivery, store).deliver_notices,
        EndingActivities(client).how_it_ended,
        SchedulesActivities(client, task_queue).ensure_schedules,
    ]
    if checkpoints is not None:
        activities.append(checkpoints.mint_checkpoint)
    options.setdefault("graceful_shutdown_timeout", timedelta(seconds=20))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(ALL_WORKFLOWS),
        activities=activities,
        interceptors=[LogContextInterceptor()],
        workflow_runner=WORKFLOW_RUNNER,
        **options,
    )


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Runs until `stop` is set, then lets running activities finish before returning."""
    signatures.trust(trusted_keys(settings))
    client = await connect_temporal(settings)
    await prepare_schema(settings)
    pool = await open_pool(settings.database_dsn(), settings.database_pool_size)
    try:
        delivery = delivery_from_settings(settings)
        checkpoints = _checkpoints(settings, pool)
        worker = build_worker(
            client,
            EventStore(pool),
            settings.task_queue,
            delivery,
            checkpoints,
            graceful_shutdown_timeout=timedelta(seconds=settings.worker_shutdown_seconds),
            deployment_config=deployment_config(settings),
            max_cached_workflows=settings.workflow_cache_size,
        )
        if checkpoints is not None:
            every = timedelta(minutes=settings.checkpoint_every_minutes)
            await ensure_checkpoint_schedule(client, settings.task_queue, every)
        log.info(
            "worker started",
            task_queue=settings.task_queue,
            temporal=settings.temporal_target(),
            namespace=settings.temporal_namespace,
        )
        async with worker, serving_ops(settings, _alive(worker), _ready(worker, client, pool)):
            deadlines = asyncio.create_task(watch_deadlines(client, stop))
            await stop.wait()
            log.info("worker stopping: waiting for running activities")
            await deadlines
    finally:
        await pool.close()
    log.info("worker stopped")


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """Worker Versioning where a deployment and build are named (docs/upgrades.md)."""
    if settings.worker_deployment is None or settings.build_id is None:
        return None
    behaviors = {
        VersioningBehavior.AUTO_UPGRADE: SdkVersioningBehavior.AUTO_UPGRADE,
        VersioningBehavior.PINNED: SdkVersioningBehavior.PINNED,
    }
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(settings.worker_deployment, settings.build_id),
        use_worker_versioning=True,
        default_versioning_behavior=behaviors[settings.versioning_behavior],
    )


def _alive(worker: Worker) -> Check:
    async def check() -> list[str]:
        # A worker whose polling failed for good stays stopped: only a restart brings it back.
        return [] if worker.is_running else ["the worker has stopped polling Temporal"]

    return check


def _ready(worker: Worker, client: Client, pool: asyncpg.Pool) -> Check:
    async def check() -> list[str]:
        problems = await _alive(worker)()
        try:
            await asyncio.wait_for(client.service_client.check_health(), READY_SECONDS)
        except Exception as error:  # any failure to reach it is the answer, not a crash
            problems.append(f"Temporal: {error or 'timed out'}")
        try:
            await asyncio.wait_for(pool.fetchval("SELECT 1"), READY_SECONDS)
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            problems.append(f"PostgreSQL: {error or 'timed out'}")
        return problems

    return check


async def prepare_schema(settings: Settings) -> None:
    """Applies pending migrations as the owner, when given the owner's URL; otherwise the
    application role, which may not, checks that someone has."""
    owner = settings.migration_database_dsn()
    if owner is not None:
        await migrate_database(owner)
    else:
        await require_migrated(settings.database_dsn())


def _checkpoints(settings: Settings, pool: asyncpg.Pool) -> CheckpointActivities | None:
    try:
        signer = signer_from_settings(settings)
    except SigningKeyError as error:
        log.warning("no signed checkpoints will be minted", reason=str(error))
        return None
    witnesses = Witnesses(
        load_witnesses(settings.checkpoint_witnesses),
        channel_from_settings(settings),
        papers(settings.partnerships_dir),
    )
    return CheckpointActivities(TreeStore(pool), signer, witnesses.publish)


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _main() -> None:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    workflow.logger.workflow_info_on_message = False
    stop = asyncio.Event()
    install_stop_signals(stop)
    await run_worker(settings, stop)


def main() -> None:
    refusal = embedded_refusal(Settings())
    if refusal is not None:
        sys.exit(f"concordat-worker: {refusal}")
    try:
        asyncio.run(_main())
    except MigrationsPending as error:
        sys.exit(f"concordat-worker: {error}")


if __name__ == "__main__":
    main()
