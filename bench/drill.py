"""`make drill`: the production shape on this machine, without containers, under faults.

PostgreSQL (embedded), the Temporal dev server, WORKERS `concordat-worker` processes and
`concordat-web`, all as separate processes configured as in production. N partnerships (copies
of County Durham under their own slugs) are started and every signatory signs, through the web
service's API with a program's bearer token, while a fault is injected every few seconds in
turn: a worker SIGKILLed (and started again), PostgreSQL SIGKILLed with its backends (and
started again, recovering from its WAL), Temporal stopped and started on its database file.
Clients retry what failed, as a program would; a signature found already recorded counts as
done. Then it prints the processes, the faults, events lost (a signature the API acknowledged
without its event), events duplicated (a signature recorded twice) and whether the chain
verifies. Expected: 0 lost, 0 duplicated, intact.

    python -m bench.drill [--partnerships N] [--workers W] [--fault-every SECONDS]
"""

import argparse
import asyncio
import itertools
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import httpx

from concordat.settings import APP_ROLE, PROJECT_ROOT
from deploy.dev_identity import dev_identity_provider, load_dev_users
from deploy.embedded import ensure_database
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port, spawn, stop
from deploy.temporal_dev import TemporalDevServer
from domain.partnerships_config import SHIPPED, load_partnership
from eventstore.migrate import migrate_database
from eventstore.pool import open_pool
from eventstore.store import EventStore
from tests.web.signing_in import SECRETARY, program_token

BIN = Path(sys.executable).parent
DATABASE = "concordat"
TEMPLATE = "county-durham"
RETRY_SECONDS = 0.5
REQUEST_SECONDS = 30.0


def partnership_files(folder: Path, count: int) -> list[str]:
    """`count` copies of County Durham, each its own partnership; returns their slugs."""
    source = (SHIPPED / f"{TEMPLATE}.toml").read_text(encoding="utf-8")
    slugs = [f"drill-{n:03d}" for n in range(count)]
    for slug in slugs:
        text = source.replace(f'slug = "{TEMPLATE}"', f'slug = "{slug}"', 1)
        (folder / f"{slug}.toml").write_text(text, encoding="utf-8")
    return slugs


class Stack:
    """The processes of the drill and the faults it injects into them."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self.postgres = EmbeddedPostgres(root / "postgres", free_port(), {"fsync": "on"})
        self.temporal = TemporalDevServer(root / "temporal.db", free_port(), free_port(), "default")
        self.partnerships = root / "partnerships"
        self.partnerships.mkdir()
        self.web_port = free_port()
        self.worker_ports = [free_port() for _ in range(workers)]
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * workers
        self.web: subprocess.Popen[bytes] | None = None
        self.issuer = ""

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CONCORDAT_TEMPORAL_ADDRESS": self.temporal.address,
            "CONCORDAT_DATABASE_URL": self.postgres.url_for(DATABASE, APP_ROLE),
            "CONCORDAT_PARTNERSHIPS_DIR": str(self.partnerships),
            "CONCORDAT_OUTBOX_DIR": str(self.root / "outbox"),
            "CONCORDAT_LOG_FORMAT": "json",
            "CONCORDAT_OIDC_ISSUER": self.issuer,
            "CONCORDAT_WEB_PORT": str(self.web_port),
        }

    async def start_worker(self, n: int) -> None:
        env = {**self.env(), "CONCORDAT_METRICS_PORT": str(self.worker_ports[n])}
        self.workers[n] = spawn(
            [BIN / "concordat-worker"], log_file=self.root / f"worker-{n}.log", env=env
        )
        await self._until_ok(f"http://127.0.0.1:{self.worker_ports[n]}/readyz", f"worker {n}")

    async def start_web(self) -> None:
        self.web = spawn([BIN / "concordat-web"], log_file=self.root / "web.log", env=self.env())
        await self._until_ok(f"http://127.0.0.1:{self.web_port}/healthz", "concordat-web")

    async def _until_ok(self, url: str, what: str, seconds: float = 120.0) -> None:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                try:
                    if (await http.get(url, timeout=5)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{what} did not become ready within {seconds:.0f} s ({self.root})")

    async def kill_worker(self, n: int) -> str:
        process = self.workers[n]
        assert process is not None
        process.kill()
        process.wait()
        await self.start_worker(n)
        return f"worker {n} SIGKILLed"

    async def kill_postgres(self) -> str:
        self.postgres.kill()
        await self.postgres.start()
        return "PostgreSQL SIGKILLed"

    async def restart_temporal(self) -> str:
        self.temporal.stop()
        await self.temporal.start()
        return "Temporal restarted"

    def stop(self) -> None:
        for process in [self.web, *self.workers]:
            if process is not None:
                stop(process, signal.SIGTERM, timeout=60)
        self.temporal.stop()
        self.postgres.stop()


@asynccontextmanager
async def running(root: Path, workers: int) -> AsyncIterator[Stack]:
    stack = Stack(root, workers)
    users = load_dev_users(PROJECT_ROOT / "deploy" / "dev-users.toml")
    try:
        await stack.postgres.start()
        await ensure_database(stack.postgres.url, DATABASE)
        await migrate_database(stack.postgres.url_for(DATABASE))
        await stack.temporal.start()
        with dev_identity_provider(free_port(), users) as issuer:
            stack.issuer = issuer
            for n in range(workers):
                await stack.start_worker(n)
            await stack.start_web()
            yield stack
    finally:
        stack.stop()


class Driver:
    """A program driving the API, retrying what fails as a client of a flaky service would."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.acknowledged: set[tuple[str, str]] = set()
        self.retries = 0

    async def _post(self, path: str, body: dict[str, object] | None = None) -> httpx.Response:
        while True:
            try:
                answer = await self.http.post(path, json=body, timeout=REQUEST_SECONDS)
                if answer.status_code < 500 and answer.status_code != 409:
                    return answer
            except httpx.TransportError:
                pass
            self.retries += 1
            await asyncio.sleep(RETRY_SECONDS)

    async def partnership(self, slug: str, signatories: list[str]) -> None:
        started = await self._post(f"/api/v1/partnerships/{slug}/start")
        started.raise_for_status()
        for organisation in signatories:
            signed = await self._post(
                f"/api/v1/partnerships/{slug}/signatures",
                {
                    "type": "SignMou",
                    "organisation": organisation,
                    "signatory_name": f"Chief Executive of {organisation}",
                    "signatory_role": "Chief Executive",
                    "signed_on": date.today().isoformat(),
                },
            )
            # Retried after a fault that hid a success: the workflow says it is already signed.
            if signed.status_code == 422 and "already signed" in signed.json()["detail"]:
                signed.status_code = 200
            if signed.status_code != 200:
                raise RuntimeError(f"{slug} {organisation}: {signed.status_code} {signed.text}")
            self.acknowledged.add((slug, organisation))


async def inject_faults(stack: Stack, every: float, done: asyncio.Event, log: list[str]) -> None:
    faults = itertools.cycle(
        [lambda n=n: stack.kill_worker(n) for n in range(len(stack.workers))]
        + [stack.kill_postgres, stack.restart_temporal]
    )
    while not done.is_set():
        try:
            await asyncio.wait_for(done.wait(), every)
            return
        except TimeoutError:
            pass
        log.append(await next(faults)())
        print(f"  fault: {log[-1]}", flush=True)


async def drill(partnerships: int, workers: int, every: float) -> int:
    root = Path(tempfile.mkdtemp(prefix="concordat-drill-"))
    root.chmod(0o755)  # PostgreSQL may run as its own user when we are root
    try:
        async with running(root, workers) as stack:
            slugs = partnership_files(stack.partnerships, partnerships)
            signatories = list(load_partnership(TEMPLATE, SHIPPED).signatories)
            token = await program_token(stack.issuer, SECRETARY)
            base = f"http://127.0.0.1:{stack.web_port}"
            headers = {"Authorization": f"Bearer {token}"}
            faults: list[str] = []
            done = asyncio.Event()
            started = time.monotonic()
            async with httpx.AsyncClient(base_url=base, headers=headers) as http:
                driver = Driver(http)
                injector = asyncio.create_task(inject_faults(stack, every, done, faults))
                try:
                    await asyncio.gather(*(driver.partnership(slug, signatories) for slug in slugs))
                finally:
                    done.set()
                    await injector
            elapsed = time.monotonic() - started
            return await report(stack, driver, slugs, faults, elapsed)
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def report(
    stack: Stack, driver: Driver, slugs: list[str], faults: list[str], elapsed: float
) -> int:
    pool = await open_pool(stack.postgres.url_for(DATABASE), max_size=2)
    try:
        store = EventStore(pool)
        signed: Counter[tuple[str, str]] = Counter()
        for slug in slugs:
            for event in await store.read_partnership(slug):
                if event.type == "MouSigned":
                    signed[(slug, event.data["organisation"])] += 1
        verification = await store.verify()
    finally:
        await pool.close()
    lost = len(driver.acknowledged - set(signed))
    kinds = Counter(
        fault.split(" ", 1)[1] if fault.startswith("worker") else fault for fault in faults
    )
    chain = "intact" if verification.intact else f"BROKEN: {verification.problem}"
    duplicated = sum(n - 1 for n in signed.values() if n > 1)
    print(
        f"\nprocesses   : {len(slugs)} partnerships, {len(driver.acknowledged)} signatures "
        f"acknowledged in {elapsed:.0f} s ({driver.retries} requests retried)\n"
        f"faults      : {len(faults)} ({', '.join(f'{n} {kind}' for kind, n in kinds.items())})\n"
        f"events lost : {lost}\n"
        f"duplicated  : {duplicated}\n"
        f"chain       : {chain} ({verification.checked} events)"
    )
    return 0 if lost == 0 and duplicated == 0 and verification.intact else 1


def main() -> None:
    # The OpenID provider's request log would bury the drill's lines.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnerships", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fault-every", type=float, default=3.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(drill(args.partnerships, args.workers, args.fault_every)))


if __name__ == "__main__":
    main()
