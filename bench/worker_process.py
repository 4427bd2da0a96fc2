"""The worker process of bench/workflows.py: the real Concordat worker plus the hello baseline.

    python -m bench.worker_process --hello-task-queue Q --ready-file PATH

Settings come from the environment exactly as for `concordat-worker` (CONCORDAT_TEMPORAL_ADDRESS,
CONCORDAT_DATABASE_URL, CONCORDAT_TASK_QUEUE, CONCORDAT_OUTBOX_DIR, ...). The Concordat worker is
`worker.build_worker` with the real EventStore over the worker's pool and the delivery channel
chosen in settings, as `worker.run_worker` builds it; the only differences from `run_worker` are
that migrations are left to the benchmark (which applied them before starting this process) and
that a second worker, on its own task queue in the same process and on the same client, runs the
one-activity hello workflow. Both start polling before the ready file is written; SIGTERM stops
both, letting running activities finish, as the real worker does.
"""

import argparse
import asyncio
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import structlog
from temporalio import workflow
from temporalio.worker import Worker

from bench.hello import HelloWorkflow, say_hello
from concordat.connections import connect_temporal
from concordat.delivery import delivery_from_settings
from concordat.logging import configure_logging
from concordat.settings import Settings
from concordat.signing import trusted_keys
from eventstore.pool import open_pool
from eventstore.store import EventStore
from worker import build_worker, install_stop_signals
from workflows import signatures

log = structlog.get_logger(__name__)


async def serve(settings: Settings, hello_task_queue: str, ready_file: Path) -> None:
    stop = asyncio.Event()
    install_stop_signals(stop)
    signatures.trust(trusted_keys(settings))
    client = await connect_temporal(settings)
    pool = await open_pool(settings.database_dsn(), settings.database_pool_size)
    try:
        delivery = delivery_from_settings(settings)
        concordat_worker = build_worker(
            client,
            EventStore(pool),
            settings.task_queue,
            delivery,
            max_cached_workflows=settings.workflow_cache_size,
        )
        hello_worker = Worker(
            client,
            task_queue=hello_task_queue,
            workflows=[HelloWorkflow],
            activities=[say_hello],
            graceful_shutdown_timeout=timedelta(seconds=20),
        )
        async with concordat_worker, hello_worker:
            ready_file.write_text("ready\n")
            log.info(
                "bench worker started",
                task_queue=settings.task_queue,
                hello_task_queue=hello_task_queue,
            )
            await stop.wait()
            log.info("bench worker stopping: waiting for running activities")
    finally:
        await pool.close()
    log.info("bench worker stopped")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker_process")
    parser.add_argument("--hello-task-queue", required=True)
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    workflow.logger.workflow_info_on_message = False
    asyncio.run(serve(settings, args.hello_task_queue, args.ready_file))


if __name__ == "__main__":
    main()
