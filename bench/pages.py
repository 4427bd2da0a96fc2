"""How long the web service takes to answer each main page of a partnership with about 2,000
events, against the same page's data fetched by the command line's own code path.

`python -m bench.pages [--events 2000] [--repeat 15]` starts a PostgreSQL, a Temporal dev server
and an OpenID provider of its own, writes the County Durham story of tests/audit/story.py with its
committee and escalation streams repeated until the partnership holds --events events (as
bench/audit.py does), signs a checkpoint of the log, runs the worker and the web service in this
process, starts the partnership's workflow (which rebuilds itself from its stream) and raises an
escalation through the API, so the partnership and a process are live in Temporal.

For each page it prints the server's time (measured inside the web service, from the request's
arrival to the last byte of the response, the median of --repeat runs after one unmeasured), the
time of the `concordat` command that fetches the same data (run in this process, so without the
interpreter's start-up, median of as many runs), and their ratio. The trail's first page shows
its first lines, the command prints every line: that row compares what each shows by default.
The issue's target is a page in under 300 ms of server time.
"""

import argparse
import asyncio
import contextlib
import io
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.audit import AS_OF, load
from concordat.checkpoint_key import new_seed, signer_from_settings
from concordat.cli import cli
from concordat.cli.tokens import SignIn, save
from concordat.connections import connect_temporal
from concordat.delivery import delivery_from_settings
from concordat.settings import APP_ROLE, PROJECT_ROOT, Settings
from concordat.signing import Signer
from concordat.web.app import create_app, serving
from concordat.web.pages.audit import PAGE_LINES
from deploy.dev_identity import dev_identity_provider, load_dev_users
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port
from deploy.temporal_dev import TemporalDevServer
from eventstore.pool import open_pool
from eventstore.store import EventStore
from eventstore.tree import TreeStore
from tests.audit.story import SLUG
from tests.web.signing_in import (
    CLIENT_ID,
    CLIENT_SECRET,
    SECRETARY,
    SECRETARY_EMAIL,
    browser_sign_in,
    program_token,
)
from worker import build_worker
from workflows import signatures

DATABASE = "concordat"
AUDITOR = "dev-auditor"
TARGET_MS = 300.0
ESCALATION = "bench-escalation"


class Timings:
    """Pure ASGI middleware: the server time of each request, from its arrival to the last
    byte of its response, under its path."""

    def __init__(self, app: ASGIApp, taken: dict[str, list[float]]) -> None:
        self.app = app
        self.taken = taken

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            path = scope["path"] + (
                f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
            )
            self.taken.setdefault(path, []).append(time.perf_counter() - started)


@dataclass(frozen=True)
class Page:
    name: str
    who: str
    path: str
    api: str
    """The JSON API's route for the same data (--api)."""
    command: tuple[str, ...]


def pages(process_id: str) -> list[Page]:
    as_of = urlencode(
        {"as_of[day]": AS_OF.day, "as_of[month]": AS_OF.month, "as_of[year]": AS_OF.year}
    )
    trail = f"/audit/partnerships/{SLUG}/trail"
    return [
        Page(
            "partnership",
            SECRETARY,
            f"/partnerships/{SLUG}",
            f"/api/v1/partnerships/{SLUG}",
            ("partnerships", "show", SLUG),
        ),
        Page(
            "a process (escalation)",
            SECRETARY,
            f"/processes/{process_id}",
            f"/api/v1/processes/{process_id}",
            ("status", process_id),
        ),
        Page(
            "audit: verify, digests", AUDITOR, "/audit", "/api/v1/audit/check", ("audit", "verify")
        ),
        Page(
            f"audit: replay as of {AS_OF}",
            AUDITOR,
            f"/audit/partnerships/{SLUG}?{as_of}",
            f"/api/v1/audit/partnerships/{SLUG}/replay?as_of={AS_OF}",
            ("audit", "replay", SLUG, "--as-of", AS_OF.isoformat()),
        ),
        Page(
            f"audit: trail, first {PAGE_LINES} lines",
            AUDITOR,
            trail,
            f"/api/v1{trail}?limit={PAGE_LINES}",
            ("audit", "trail", SLUG),
        ),
        Page(
            "audit: trail, every line",
            AUDITOR,
            f"{trail}?lines=all",
            f"/api/v1{trail}",
            ("audit", "trail", SLUG),
        ),
    ]


def environment(folder: Path, postgres: EmbeddedPostgres, temporal: str, issuer: str) -> None:
    """The settings of the web service, the worker and the command line alike, as the
    environment gives them (`Settings()` reads it)."""
    signer = Signer.from_file(folder / "signing-key.pem", create=True)
    os.environ.update(
        {
            "CONCORDAT_TEMPORAL_ADDRESS": temporal,
            "CONCORDAT_DATABASE_URL": postgres.url_for(DATABASE, APP_ROLE),
            "CONCORDAT_DATA_DIR": str(folder),
            "CONCORDAT_TASK_QUEUE": "bench-pages",
            "CONCORDAT_SIGNING_KEY_FILE": str(folder / "signing-key.pem"),
            "CONCORDAT_TRUSTED_KEYS": f'["{signer.public_key}"]',
            "CONCORDAT_CHECKPOINT_KEY": new_seed(),
            "CONCORDAT_OIDC_ISSUER": issuer,
            "CONCORDAT_OIDC_CLIENT_ID": CLIENT_ID,
            "CONCORDAT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "CONCORDAT_WEB_PORT": str(free_port()),
            "CONCORDAT_LOG_LEVEL": "WARNING",
            "CONCORDAT_LOG_FORMAT": "json",
            # The command line's sign-in (`concordat login`) is kept here, not in the user's.
            "XDG_CONFIG_HOME": str(folder / "config"),
        }
    )


def run_command(arguments: Sequence[str]) -> float:
    """One `concordat` command in this process, its output discarded; its wall time."""
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(list(arguments), standalone_mode=False)
    return time.perf_counter() - started


def median_ms(runs: Sequence[float]) -> float:
    return statistics.median(runs) * 1000


@contextlib.asynccontextmanager
async def signed_in(web: str, sub: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=120) as browser:
        await browser_sign_in(browser, web, sub)
        yield browser


async def prepare(web: str, settings: Settings) -> str:
    """Starts the partnership's workflow and raises an escalation; the escalation's id."""
    async with signed_in(web, SECRETARY) as secretary:
        started = await secretary.post(f"/api/v1/partnerships/{SLUG}/start")
        started.raise_for_status()
        raised = await secretary.post(
            f"/api/v1/partnerships/{SLUG}/processes",
            json={
                "type": "RaiseEscalation",
                "escalation_id": ESCALATION,
                "raised_by": "acute-care-board",
                "reason": "outcome_not_delivered",
                "summary": "Discharge target missed",
                "raised_on": datetime.now(UTC).date().isoformat(),
            },
        )
        raised.raise_for_status()
        process_id: str = raised.json()["process_id"]
    # The command line acts as the secretary too, as `concordat login` would have it.
    token = await program_token(settings.oidc_issuer or "", SECRETARY)
    save(
        SignIn(
            api=web,
            issuer=settings.oidc_issuer or "",
            access_token=token,
            email=SECRETARY_EMAIL,
            name=SECRETARY,
        )
    )
    return process_id


class NotServed(Exception):
    """This build serves no page at the address (its part of the pages is not built yet)."""


async def measure(
    web: str, taken: dict[str, list[float]], path: str, who: str, repeat: int
) -> float:
    async with signed_in(web, who) as browser:
        for _ in range(repeat + 1):
            answer = await browser.get(path)
            if answer.status_code == 404 and answer.history == []:
                raise NotServed(path)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    return median_ms(taken[path][1:])


async def run(events: int, repeat: int, api: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-pages-"))
    folder.chmod(0o755)
    postgres = EmbeddedPostgres(folder / "postgres", free_port(), {"fsync": "off"})
    temporal = TemporalDevServer(folder / "temporal.db", free_port(), free_port(), "default")
    users = load_dev_users(PROJECT_ROOT / "deploy" / "dev-users.toml")
    with contextlib.ExitStack() as stack:
        await postgres.start()
        stack.callback(postgres.stop)
        await temporal.start()
        stack.callback(temporal.stop)
        issuer = stack.enter_context(dev_identity_provider(free_port(), users))
        environment(folder, postgres, temporal.address, issuer)
        settings = Settings()
        admin = await asyncpg.connect(postgres.url)
        await admin.execute(f"CREATE DATABASE {DATABASE}")
        await admin.close()
        count = await load(postgres.url_for(DATABASE), events)
        pool = await open_pool(settings.database_dsn(), 4)
        await TreeStore(pool).mint(signer_from_settings(settings), datetime.now(UTC))
        signatures.trust(settings.trusted_keys)
        client = await connect_temporal(settings)
        app = create_app(settings, client)
        taken: dict[str, list[float]] = {}
        app.add_middleware(Timings, taken=taken)
        worker = build_worker(
            client, EventStore(pool), settings.task_queue, delivery_from_settings(settings)
        )
        async with worker, serving(app, settings) as web:
            process_id = await prepare(web, settings)
            print(
                f"{SLUG}: {count:,} events in the partnership's record; live process {process_id}"
            )
            busy = os.getloadavg()[0]
            print(f"load average {busy:.1f} on {os.cpu_count()} cores: times grow with it")
            print(f"{'page':34} {'server':>9} {'command':>9} {'ratio':>6}  command")
            over = []
            for page in pages(process_id):
                path = page.api if api else page.path
                try:
                    page_ms = await measure(web, taken, path, page.who, repeat)
                except NotServed:
                    print(f"{page.name:34} not served: no page at {path} in this build")
                    continue
                command_runs = [
                    await asyncio.to_thread(run_command, page.command) for _ in range(repeat + 1)
                ]
                command_ms = median_ms(command_runs[1:])
                print(
                    f"{page.name:34} {page_ms:6.1f} ms {command_ms:6.1f} ms "
                    f"{page_ms / command_ms:6.2f}  concordat {' '.join(page.command)}"
                )
                if page_ms > TARGET_MS:
                    over.append(page.name)
        await pool.close()
    print(
        "server: the web service's time for the page (median); command: the same data through "
        "the command line's code path in this process (median); ratio: server / command."
    )
    print(
        f"every page under {TARGET_MS:.0f} ms"
        if not over
        else f"over {TARGET_MS:.0f} ms: {', '.join(over)}"
    )
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--events", type=int, default=2000, help="events of the partnership")
    parser.add_argument("--repeat", type=int, default=15, help="measured runs of each")
    parser.add_argument(
        "--api", action="store_true", help="time the JSON API's routes instead of the pages"
    )
    args = parser.parse_args()
    if args.events < 1 or args.repeat < 1:
        parser.error("--events and --repeat must be at least 1")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the OpenID provider's requests
    asyncio.run(run(args.events, args.repeat, args.api))


if __name__ == "__main__":
    main()
