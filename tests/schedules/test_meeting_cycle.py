"""A body's meeting cycle on Temporal's time-skipping server with a real event store (P5).

CDCPE ToR §5: agenda requests at least 10 days before the meeting (later ones
only as any other business), the agenda issued at least 3 days before, the previous minutes
approved at the meeting and the confirmed minutes sent to each partner organisation; ToR §6:
declarations of interest a standing item at the start.
"""

import asyncio
import email
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.store import StoreActivities
from domain.events import (
    AgendaIssued,
    AgendaItemRequested,
    AgendaRequestsClosed,
    MeetingCycleClosed,
    MeetingScheduled,
    MinutesApproved,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
)
from domain.meetings import (
    ApproveMinutes,
    MeetingState,
    RequestItem,
    fold,
    initial_state,
    meeting_deadlines,
    member_organisations,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.streams import meeting_stream
from eventstore.store import EventStore
from tests.people import email_of, secretary, shipped, signed, who
from tests.replay.histories import save_history
from tests.workflows.conftest import AppendActivity, stream_events
from workflows.contracts.meeting_cycle import MeetingCycleInput, MeetingCycleResult, MeetingUpdate
from workflows.contracts.process import Command
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.recording import DOMAIN_REJECTED

BODY = "cdcpe"
Handle = WorkflowHandle[MeetingCycleWorkflow, MeetingCycleResult]


@pytest.fixture(scope="module")
def durham() -> Partnership:
    return load_partnership("county-durham")


def new_worker(
    client: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    cached: bool = True,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[MeetingCycleWorkflow],
        activities=[
            StoreActivities(store).append_events,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
        # Restart tests: no sticky cache, or the test server keeps routing tasks to the stopped
        # worker's sticky queue until a timeout in its (frozen) virtual time.
        max_cached_workflows=1000 if cached else 0,
    )


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with new_worker(temporal, store, task_queue, delivery) as running:
        yield running


async def server_today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).date()


async def start(
    client: Client,
    config: Partnership,
    task_queue: str,
    meeting_on: date,
    workflow_id: str | None = None,
    **extra: int,
) -> Handle:
    return await client.start_workflow(
        MeetingCycleWorkflow.run,
        MeetingCycleInput(config=config, body=BODY, meeting_on=meeting_on, **extra),
        id=workflow_id or f"meeting:{config.slug}:{BODY}-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )


async def wait_for(handle: Handle, status: str) -> MeetingState:
    for _ in range(200):
        state = await handle.query(MeetingCycleWorkflow.state)
        if state.status == status and len(state.notices_delivered) == len(state.notices_issued):
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"the cycle never reached {status}")


async def assert_state_is_fold(
    store: EventStore, handle: Handle, config: Partnership, meeting_on: date
) -> MeetingState:
    state = await handle.query(MeetingCycleWorkflow.state)
    events = await stream_events(store, meeting_stream(config.slug, BODY, meeting_on))
    assert fold(initial_state(config, BODY, meeting_on), events) == state
    return state


def item(name: str, on: date, by: str = "dcc") -> Command[MeetingUpdate]:
    return signed(
        shipped("county-durham"), RequestItem(item=name, requested_by=by, requested_on=on)
    )


def approval(on: date, reference: str) -> Command[MeetingUpdate]:
    return signed(shipped("county-durham"), ApproveMinutes(approved_on=on, reference=reference))


async def test_happy_path_cycle_at_the_tor_5_dates_with_notices(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
    outbox: Path,
) -> None:
    """ToR §5: call for items, requests close 10 days before, agenda 3 days before with the
    ToR §6 declarations item, minutes approved at the meeting go to every partner."""
    fired = await server_today(time_skipping_env)
    meeting_on = fired + timedelta(days=14)
    handle = await start(temporal, durham, worker.task_queue, meeting_on)
    state = await wait_for(handle, "scheduled")
    # Counted by the statutory calendar (docs/rules.md P5.7, pinned in tests/domain).
    requests, issue = meeting_deadlines(durham, BODY, meeting_on)
    assert (state.agenda_requests_due_on, state.agenda_issue_by) == (requests.on, issue.on)
    assert state.deadline_citations == (requests.citation, issue.citation)
    progress = await handle.execute_update(MeetingCycleWorkflow.execute, item("Winter plan", fired))
    assert progress.agenda_items == ("Winter plan",)
    await assert_state_is_fold(store, handle, durham, meeting_on)

    await time_skipping_env.sleep(timedelta(days=5))
    state = await wait_for(handle, "requests_closed")
    late = await handle.execute_update(
        MeetingCycleWorkflow.execute, item("Urgent care", fired + timedelta(days=5), "icb")
    )
    assert late.any_other_business == ("Urgent care",)

    await time_skipping_env.sleep(timedelta(days=7))
    state = await wait_for(handle, "agenda_issued")
    assert state.agenda_issued_on == issue.on

    await time_skipping_env.sleep(timedelta(days=2))
    await handle.execute_update(
        MeetingCycleWorkflow.execute, approval(meeting_on, "CDCPE/minutes/1")
    )
    result = await handle.result()
    assert result == MeetingCycleResult(
        stream_id=meeting_stream(durham.slug, BODY, meeting_on),
        meeting_on=meeting_on,
        status="closed",
        minutes_approved=True,
    )

    events = await stream_events(store, result.stream_id)
    members = len(member_organisations(durham, BODY))
    partners = len(durham.signatories)
    assert [type(e) for e in events] == (
        [MeetingScheduled]
        + [NoticeIssued] * members
        + [NoticeDelivered] * members
        + [AgendaItemRequested, AgendaRequestsClosed, AgendaItemRequested, AgendaIssued]
        + [NoticeIssued] * members
        + [NoticeDelivered] * members
        + [MinutesApproved]
        + [NoticeIssued] * partners
        + [NoticeDelivered] * partners
        + [MeetingCycleClosed]
    )
    issued_at = {
        type(e).__name__: e for e in events if not isinstance(e, NoticeIssued | NoticeDelivered)
    }
    assert isinstance(issued_at["AgendaIssued"], AgendaIssued)
    assert issued_at["AgendaIssued"].items == ("Winter plan",)
    assert issued_at["AgendaIssued"].any_other_business == ("Urgent care",)
    recorded = await store.read_stream(result.stream_id)
    actors = {type(e).__name__: who(r.metadata) for e, r in zip(events, recorded, strict=True)}
    assert actors["AgendaRequestsClosed"] == actors["AgendaIssued"] == "timer:meeting-cycle"
    assert actors["MinutesApproved"] == email_of(secretary(durham))
    await assert_state_is_fold(store, handle, durham, meeting_on)

    notices = [e for e in events if isinstance(e, NoticeIssued)]
    minutes = [n for n in notices if n.kind is NoticeKind.MINUTES]
    assert sorted(n.recipient for n in minutes) == sorted(durham.signatories)
    agenda = next(n for n in notices if n.kind is NoticeKind.AGENDA)
    assert "Declarations of interest" in agenda.body and "Winter plan" in agenda.body
    files = sorted((outbox / "county-durham").glob("*.eml"))
    assert len(files) == len(notices)
    for notice in notices:
        assert notice.content_hash == content_hash(notice.subject, notice.body)
        (file,) = [f for f in files if notice.content_hash[:16] in f.name]
        message = email.message_from_bytes(file.read_bytes())
        assert message["X-Concordat-Content-Hash"] == notice.content_hash

    await Replayer(
        workflows=[MeetingCycleWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await handle.fetch_history())
    await save_history(handle, "meetingcycle-happy-path")


async def test_bad_commands_are_refused_and_write_nothing_tor_5(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """Unknown or seatless organisations, items after the meeting, minutes approved before the
    meeting (ToR §5): refused synchronously, nothing recorded."""
    fired = await server_today(time_skipping_env)
    meeting_on = fired + timedelta(days=14)
    handle = await start(temporal, durham, worker.task_queue, meeting_on)
    await wait_for(handle, "scheduled")
    stream_id = meeting_stream(durham.slug, BODY, meeting_on)
    before = len(await store.read_stream(stream_id))
    bad = [
        item("x", fired, "nobody"),
        item("x", fired + timedelta(days=1)),
        approval(fired, "m"),
    ]
    for command in bad:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(MeetingCycleWorkflow.execute, command)
        assert getattr(refused.value.cause, "type", None) == DOMAIN_REJECTED
    assert len(await store.read_stream(stream_id)) == before
    await handle.terminate("test over")


async def test_minutes_not_approved_close_after_the_window_tor_5(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """No approval recorded: the cycle closes, saying so; the minutes go to the next meeting."""
    meeting_on = await server_today(time_skipping_env) + timedelta(days=14)
    handle = await start(temporal, durham, worker.task_queue, meeting_on)
    result = await handle.result()
    assert result.status == "closed" and not result.minutes_approved
    events = await stream_events(store, result.stream_id)
    closed = events[-1]
    assert isinstance(closed, MeetingCycleClosed)
    assert closed.closed_on == meeting_on + timedelta(days=15)
    await assert_state_is_fold(store, handle, durham, meeting_on)


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    durham: Partnership,
    append_then_fail_once: AppendActivity,
) -> None:
    meeting_on = await server_today(time_skipping_env) + timedelta(days=14)
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=[MeetingCycleWorkflow],
        activities=[
            append_then_fail_once,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
    ):
        handle = await start(temporal, durham, task_queue, meeting_on)
        result = await handle.result()
        await assert_state_is_fold(store, handle, durham, meeting_on)
    recorded = await store.read_stream(result.stream_id)
    members = len(member_organisations(durham, BODY))
    assert len(recorded) == (1 + 2 * members) + 1 + (1 + 2 * members) + 1
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)


async def test_worker_restarted_mid_cycle_completes_it(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    durham: Partnership,
) -> None:
    meeting_on = await server_today(time_skipping_env) + timedelta(days=14)
    async with new_worker(temporal, store, task_queue, delivery, cached=False):
        handle = await start(temporal, durham, task_queue, meeting_on)
        await wait_for(handle, "scheduled")
        await handle.execute_update(
            MeetingCycleWorkflow.execute, item("Winter plan", meeting_on - timedelta(days=14))
        )
    async with new_worker(temporal, store, task_queue, delivery, cached=False):
        result = await handle.result()
        state = await assert_state_is_fold(store, handle, durham, meeting_on)
    assert result.status == "closed"
    assert state.agenda_items == ("Winter plan",)


async def test_terminated_mid_cycle_and_started_again_carries_on_from_its_stream(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    durham: Partnership,
) -> None:
    """Rebuilt from the log: the run terminated after the call for items and an agenda request,
    the same workflow started again with the same input reads its stream and carries the cycle
    to its end, recording nothing twice."""
    fired = await server_today(time_skipping_env)
    meeting_on = fired + timedelta(days=14)
    workflow_id = f"meeting:{durham.slug}:{BODY}-{uuid.uuid4().hex[:8]}"
    first = await start(temporal, durham, worker.task_queue, meeting_on, workflow_id)
    await wait_for(first, "scheduled")
    await first.execute_update(MeetingCycleWorkflow.execute, item("Winter plan", fired))
    await first.terminate("lost mid-cycle")

    again = await start(temporal, durham, worker.task_queue, meeting_on, workflow_id)
    state = await wait_for(again, "scheduled")
    assert state.agenda_items == ("Winter plan",)
    await time_skipping_env.sleep(timedelta(days=14))
    await wait_for(again, "agenda_issued")
    await again.execute_update(
        MeetingCycleWorkflow.execute, approval(meeting_on, "CDCPE/minutes/1")
    )
    result = await again.result()
    assert result == MeetingCycleResult(
        stream_id=meeting_stream(durham.slug, BODY, meeting_on),
        meeting_on=meeting_on,
        status="closed",
        minutes_approved=True,
    )
    events = await stream_events(store, result.stream_id)
    members = len(member_organisations(durham, BODY))
    partners = len(durham.signatories)
    assert [type(e) for e in events] == (
        [MeetingScheduled]
        + [NoticeIssued] * members
        + [NoticeDelivered] * members
        + [AgendaItemRequested, AgendaRequestsClosed, AgendaIssued]
        + [NoticeIssued] * members
        + [NoticeDelivered] * members
        + [MinutesApproved]
        + [NoticeIssued] * partners
        + [NoticeDelivered] * partners
        + [MeetingCycleClosed]
    )
    recorded = await store.read_stream(result.stream_id)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    state = await assert_state_is_fold(store, again, durham, meeting_on)
    assert state.agenda_items == ("Winter plan",)


async def test_continue_as_new_keeps_commands_arriving_around_it(
    dev_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    durham: Partnership,
) -> None:
    """A low history limit makes the cycle continue as new while items keep arriving. On the dev
    server (tests/conftest.py, `dev_env`), whose clock is the wall clock: the cycle is checked
    while it waits for its next date, then ended."""
    fired = await server_today(dev_env)
    meeting_on = fired + timedelta(days=14)
    async with new_worker(dev_env.client, store, task_queue, delivery):
        handle = await start(
            dev_env.client, durham, task_queue, meeting_on, continue_as_new_after_events=10
        )
        await wait_for(handle, "scheduled")
        names = [f"Item {n}" for n in range(6)]
        await asyncio.gather(
            *(
                handle.execute_update(MeetingCycleWorkflow.execute, item(name, fired))
                for name in names
            )
        )
        latest: Handle = dev_env.client.get_workflow_handle_for(MeetingCycleWorkflow.run, handle.id)
        state = await assert_state_is_fold(store, latest, durham, meeting_on)
        assert sorted(state.agenda_items) == names
        assert (await latest.describe()).run_id != handle.first_execution_run_id
        await latest.terminate("test over")
