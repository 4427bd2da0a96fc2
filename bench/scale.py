"""Many partnerships on one worker: memory per open workflow, CPU per touch, history bytes.

    python -m bench.scale [--partnerships 100] [--cache 120] [--touches 40]

One run starts, as bench/workflows.py does, an embedded PostgreSQL, a Temporal dev server and ONE
worker process (bench/worker_process.py: the real worker) with a workflow cache of --cache
entries (CONCORDAT_WORKFLOW_CACHE_SIZE). It then opens --partnerships partnerships, each County
Durham under a slug of its own and, unless --schedules, without its meeting cadences and
registers of interest: the eight Temporal Schedules they call for per partnership are the
server's, not the worker's, and the dev server's SQLite store lists every schedule on each pass
of its scheduler, so that at 900 partnerships (7,200 schedules) opening one took seconds, most
of it the server's. Its eight signatures and the MoU taking effect are appended to its stream
directly (untimed setup; the workflow folds its log when it starts, as after a lost
Temporal database), its workflow is started, and it is asked through its `start` update to open
the annual review (which waits for responses until its deadline) and to take a partner's notice
of exit effective in a year (which waits for acknowledgements and the effective date). Every
partnership thus holds three open workflows waiting on timers.

It opens them in two groups: first as many as the cache holds beside the warm-up partnership
(every workflow still cached), then the rest (each evicting an older one). It prints:
- the time and CPU (worker, Temporal, PostgreSQL) opening took per partnership;
- the worker's resident memory before, after the first group (per cached workflow) and after the
  rest (what each workflow opened once the cache was full adds: what evicted ones leave behind);
- the cache size chosen, and the cache that would fit a budget of --budget MB at that size;
- worker CPU per touch (a `state` query) of a partnership still cached, and of one evicted
  (replayed from its history), each the mean over --touches partnerships;
- the history bytes of one partnership's year: a partnership opened as above that has also raised
  an escalation and started its joint committee's formation (partnership, review, exit,
  escalation, committee), and the share of it that is the inputs handed to the children.
"""

import argparse
import asyncio
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import structlog
from pydantic import SecretStr
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench import procstats
from bench.workflows import (
    DATABASE,
    NAMESPACE,
    PARTNERSHIP,
    PartnershipHandle,
    Run,
    WorkerProcess,
    _child_pid,
    _free_ports,
    _start,
    run_hello,
    worker_environment,
)
from concordat.connections import connect_temporal
from concordat.settings import Settings
from concordat.signing import service_signer
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.temporal_dev import TemporalDevServer
from domain.aggregates import partnership
from domain.aggregates.escalation import RaiseEscalation
from domain.aggregates.exit import NotifyExit
from domain.aggregates.partnership import RequestReview, SignMou, StartCommittee
from domain.committee_plans import shift_plan
from domain.events import EscalationReason
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.provenance import Channel, system_actor
from domain.rules.dates import add_months
from domain.streams import partnership_stream
from eventstore.codec import to_new_event
from eventstore.migrate import migrate_database
from eventstore.pool import open_pool
from eventstore.store import EventStore
from workflows.contracts.partnership import PartnershipInput
from workflows.partnership import PartnershipWorkflow


@dataclass
class Options:
    partnerships: int
    cache: int
    touches: int
    budget: int
    concurrency: int
    progress: int
    schedules: bool


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--partnerships", type=int, default=100)
    parser.add_argument("--cache", type=int, default=120, help="the worker's workflow cache")
    parser.add_argument("--touches", type=int, default=40, help="partnerships touched per kind")
    parser.add_argument("--budget", type=int, default=1024, help="MB for the cache it suggests")
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument(
        "--progress", type=int, default=500, help="print the course every N partnerships"
    )
    parser.add_argument(
        "--schedules",
        action="store_true",
        help="keep the partnership's meeting cadences and registers, and so its eight Schedules",
    )
    args = parser.parse_args(argv)
    if args.partnerships < 2 or min(args.cache, args.touches, args.concurrency, args.progress) < 1:
        parser.error(
            "--partnerships must be at least 2; --cache, --touches, --concurrency, --progress 1"
        )
    if 2 * args.touches > args.partnerships:
        parser.error("--touches may be at most half of --partnerships")
    return Options(
        args.partnerships,
        args.cache,
        args.touches,
        args.budget,
        args.concurrency,
        args.progress,
        args.schedules,
    )


def without_schedules(config: Partnership) -> Partnership:
    """`config` with no meeting cadence and no register of interests, so its workflow makes no
    Temporal Schedule (workflows/schedule_plan.py)."""
    bodies = [
        b.model_copy(update={"cadence": None, "register_of_interests": None}) for b in config.bodies
    ]
    return config.model_copy(update={"bodies": bodies})


async def effective_in_log(store: EventStore, config: Partnership, today: date) -> None:
    """Every signatory's signature and the MoU taking effect, decided by the domain and appended
    as the partnership's workflow would have."""
    state = partnership.initial_state(config)
    events = []
    for organisation in config.signatories:
        decided = partnership.decide(
            state,
            SignMou(
                organisation=organisation,
                signatory_name=f"Chief Executive of {organisation}",
                signatory_role="Chief Executive",
                signed_on=today,
            ),
        )
        state = partnership.fold(state, decided)
        events += decided
    actor = system_actor("bench:scale", Channel.PROCESS)
    now = datetime.now(UTC)
    await store.append(
        partnership_stream(config.slug),
        0,
        [to_new_event(e, event_id=uuid.uuid4(), occurred_at=now, actor=actor) for e in events],
    )


async def open_partnership(run: Run, store: EventStore, label: str) -> PartnershipHandle:
    """A partnership whose review and a partner's exit are open, waiting on timers."""
    slug = f"{PARTNERSHIP}-scale-{run.tag}-{label}"
    config = run.config.model_copy(update={"slug": slug})
    await effective_in_log(store, config, run.today)
    handle = await run.client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(slug),
        task_queue=run.task_queue,
    )
    await _start(run, handle, RequestReview())
    await _start(
        run,
        handle,
        NotifyExit(
            organisation=config.signatories[-1],
            notified_on=run.today,
            effective_on=add_months(run.today, 12),
            signatory_name="Chief Executive",
            reason=f"benchmark {label}",
        ),
    )
    return handle


async def open_year(run: Run, store: EventStore) -> PartnershipHandle:
    """A partnership opened as `open_partnership` does that has also raised an escalation and
    started its joint committee's formation, the plan's first target a month away."""
    handle = await open_partnership(run, store, "year")
    config = run.config
    await _start(
        run,
        handle,
        RaiseEscalation(
            escalation_id="e-year",
            raised_by=config.ladder[0].bodies[0],
            reason=EscalationReason.OUTCOME_NOT_DELIVERED,
            summary="elective waiting times not recovered",
            raised_on=run.today,
        ),
    )
    plan = config.committees[0]
    milestones = shift_plan(plan.milestones, run.today + timedelta(days=30))
    await _start(run, handle, StartCommittee(committee=plan.slug, plan=milestones))
    return handle


async def in_turn(
    concurrency: int,
    labels: Sequence[str],
    one: Callable[[str], Awaitable[PartnershipHandle]],
    progress: Callable[[int], None],
) -> list[PartnershipHandle]:
    gate = asyncio.Semaphore(concurrency)
    done = 0

    async def gated(label: str) -> PartnershipHandle:
        nonlocal done
        async with gate:
            handle = await one(label)
        done += 1
        progress(done)
        return handle

    return list(await asyncio.gather(*(gated(label) for label in labels)))


def every(partnerships: int, pid: int, opened_before: int) -> Callable[[int], None]:
    """Prints, every `partnerships` opened, how many workflows are open and the worker's memory,
    so a long run shows its course, and what it reached if stopped."""
    began = time.perf_counter()

    def progress(done: int) -> None:
        if done % partnerships == 0:
            open_workflows = 3 * (opened_before + done + 1)
            print(
                f"  {open_workflows:,} workflows open after {time.perf_counter() - began:.0f}s: "
                f"worker RSS {procstats.memory(pid).rss_kb / 1024:.0f} MB",
                flush=True,
            )

    return progress


async def settle(pid: int, quiet_cpu: float = 0.05, seconds: float = 2.0) -> None:
    """Waits until the worker uses under `quiet_cpu` of a core over `seconds`."""
    while True:
        before = procstats.cpu_seconds(pid)
        await asyncio.sleep(seconds)
        if procstats.cpu_seconds(pid) - before < quiet_cpu * seconds:
            return


async def touch(pid: int, handles: Sequence[PartnershipHandle]) -> float:
    """Worker CPU seconds per `state` query, the queries one after the other."""
    before = procstats.cpu_seconds(pid)
    for handle in handles:
        state = await handle.query(PartnershipWorkflow.state)
        if len(state.open_processes) != 2:
            raise RuntimeError(f"{handle.id} has {len(state.open_processes)} open processes")
    return (procstats.cpu_seconds(pid) - before) / len(handles)


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {name: procstats.cpu_seconds(pid) for name, pid in pids.items()}


async def history_bytes(client: Client, handle: PartnershipHandle) -> list[str]:
    """The partnership's and its children's histories, in bytes, and what the children's inputs
    take of them."""
    lines, total, inputs = [], 0, 0
    state = await handle.query(PartnershipWorkflow.state)
    ids = [handle.id, *(p.process_id for p in state.open_processes)]
    for workflow_id in ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        size = sum(e.ByteSize() for e in history.events)
        total += size
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
                attributes = event.start_child_workflow_execution_initiated_event_attributes
                inputs += attributes.input.ByteSize()
        lines.append(f"  {workflow_id}: {len(history.events)} events, {size:,} bytes")
    lines.append(
        f"  one partnership-year: {total:,} bytes; the children's inputs "
        f"{inputs:,} bytes ({inputs / total:.0%})"
    )
    return lines


async def run(options: Options) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concordat-bench-scale-"))
    folder.chmod(0o755)
    pg_port, temporal_port, ui_port = _free_ports(3)
    postgres = EmbeddedPostgres(folder / "postgres", pg_port)
    temporal = TemporalDevServer(folder / "temporal.db", temporal_port, ui_port, NAMESPACE)
    worker: WorkerProcess | None = None
    tag = uuid.uuid4().hex[:8]
    task_queue, hello_task_queue = f"bench-scale-{tag}", f"bench-scale-hello-{tag}"
    try:
        await postgres.start()
        admin = await asyncpg.connect(postgres.url)
        try:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await admin.close()
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
            worker_environment(settings, signer.public_key)
            | {
                "CONCORDAT_WORKFLOW_CACHE_SIZE": str(options.cache),
                # The partnerships' slugs are the benchmark's own, with no officer on file to
                # send their letters from: without a sender every notice's delivery would fail
                # and be retried, and the workflows would wait on those retries, not on timers.
                "CONCORDAT_NOTICE_SENDER": "bench@concordat.invalid",
            },
            hello_task_queue,
        )
        pid = worker.pid
        postgres_pid = _child_pid("pginstall/bin/postgres", {pid})
        temporal_pid = _child_pid("start-dev", {pid, postgres_pid})
        client = await connect_temporal(settings)
        config = load_partnership(PARTNERSHIP)
        current = Run(
            client,
            tag,
            task_queue,
            hello_task_queue,
            config if options.schedules else without_schedules(config),
            date.min,
            signer,
        )
        await run_hello(current, "clock")
        clock = await client.get_workflow_handle(f"bench-hello:{tag}:clock").describe()
        current.today = clock.start_time.astimezone(UTC).date()
        pool = await open_pool(database_url, 4)
        store = EventStore(pool)

        await open_partnership(current, store, "warmup")  # imports and first runs, untimed
        await settle(pid)
        # First as many partnerships as the cache holds beside the warm-up's, all still cached
        # (memory per cached workflow); then the rest, evicting the first (what an evicted
        # workflow leaves behind in the worker).
        fitting = min(options.partnerships, max(1, options.cache // 3 - 1))
        labels = [f"p{n}" for n in range(options.partnerships)]
        groups = [labels[:fitting], labels[fitting:]]
        pids = {"worker": pid, "Temporal": temporal_pid, "PostgreSQL": postgres_pid}
        rss = [procstats.memory(pid).rss_kb / 1024]
        opening, cpu = 0.0, dict.fromkeys(pids, 0.0)
        handles: list[PartnershipHandle] = []
        for group in groups:
            began, cpu_before = time.perf_counter(), _cpu(pids)
            handles += await in_turn(
                options.concurrency,
                group,
                lambda label: open_partnership(current, store, label),
                every(options.progress, pid, len(handles)),
            )
            opening += time.perf_counter() - began
            cpu = {name: cpu[name] + _cpu(pids)[name] - cpu_before[name] for name in pids}
            await settle(pid)
            rss.append(procstats.memory(pid).rss_kb / 1024)
        open_workflows = 3 * (options.partnerships + 1)
        per_cached = (rss[1] - rss[0]) / (3 * fitting)
        print(
            f"{options.partnerships} partnerships opened in {opening:.1f}s (setup, "
            f"{options.concurrency} at a time; {1000 * opening / options.partnerships:.0f} ms "
            f"each, CPU per partnership: "
            + ", ".join(f"{name} {1000 * cpu[name] / options.partnerships:.0f} ms" for name in pids)
            + f"): {open_workflows} open workflows, each waiting on a timer"
        )
        print(
            f"worker RSS {rss[0]:.0f} MB before, {rss[1]:.0f} MB holding {3 * (fitting + 1)} "
            f"workflows, all cached: {per_cached:.2f} MB per cached workflow"
        )
        if groups[1]:
            evicted = open_workflows - options.cache
            print(
                f"cache size chosen {options.cache}; {rss[2]:.0f} MB once all {open_workflows} "
                f"are open and {evicted} evicted: "
                f"{(rss[2] - rss[1]) / (3 * len(groups[1])):.2f} MB per workflow opened after the "
                f"cache was full"
            )
        print(
            f"a cache of {int(options.budget / per_cached):,} workflows would fit "
            f"{options.budget:,} MB at this size (CONCORDAT_WORKFLOW_CACHE_SIZE)"
        )
        # The last partnerships opened are the ones still cached; the first were evicted.
        recent = handles[-max(1, min(options.touches, options.cache // 3 - 1)) :]
        cached_cpu = await touch(pid, recent)
        evicted_cpu = await touch(pid, handles[: options.touches])
        print(
            f"worker CPU per touch: cached {cached_cpu * 1000:.1f} ms ({len(recent)} "
            f"partnerships), evicted {evicted_cpu * 1000:.1f} ms ({options.touches}, each "
            f"replayed from its history); evicted/cached {evicted_cpu / cached_cpu:.1f}"
        )
        print("history bytes:")
        for line in await history_bytes(client, await open_year(current, store)):
            print(line)
        await pool.close()
    finally:
        if worker is not None:
            worker.stop()
        temporal.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse_options(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(run(options))


if __name__ == "__main__":
    main()
