"""The clerk sets, moves and cancels a meeting, its attendance is recorded with its quorum, and
the minutes it approves go to every partner: the CDCPE on Temporal's time-skipping server with a
real event store (docs/rules.md P5.7-P5.9; CDCPE ToR §3, §5, §10)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from domain.events import (
    AttendanceRecorded,
    MeetingArranged,
    MeetingCancelled,
    MinutesApproved,
    NoticeIssued,
    NoticeKind,
)
from domain.meetings import (
    ApproveMinutes,
    CancelMeeting,
    MeetingState,
    MoveMeeting,
    RecordAttendance,
    SetMeeting,
    fold,
    initial_state,
    member_organisations,
)
from domain.partnership import Partnership
from domain.streams import meeting_stream
from eventstore.store import EventStore
from tests.people import shipped, signed
from tests.replay.histories import save_history
from tests.schedules.test_meeting_cycle import new_worker
from tests.workflows.conftest import stream_events
from workflows.contracts.meeting_cycle import MeetingCycleInput, MeetingCycleResult, MeetingUpdate
from workflows.contracts.process import Command
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.recording import DOMAIN_REJECTED

BODY = "cdcpe"
Handle = WorkflowHandle[MeetingCycleWorkflow, MeetingCycleResult]

AFTER_CHRISTMAS: dict[int, tuple[date, date, date]] = {
    # January's first Thursday meeting: (the meeting, its agenda deadline, its request deadline).
    # 2027: New Year's Day is a Friday, so the three working days are 4-6 January and the agenda
    # goes out on Thursday 31 December; requests by Thursday 24 December (Christmas Day and the
    # weekend before the 11th day back).
    2027: (date(2027, 1, 7), date(2026, 12, 31), date(2026, 12, 24)),
    # 2028: 3 January is New Year's substitute day; 27 and 28 December Christmas's.
    2028: (date(2028, 1, 6), date(2027, 12, 30), date(2027, 12, 24)),
    # 2029: New Year's Day is a Monday.
    2029: (date(2029, 1, 4), date(2028, 12, 28), date(2028, 12, 22)),
}

PRESENT = (
    "icb-director-place-based-delivery",
    "cddft-chief-executive",
    "dcc-director-adults-health",
    "tewv-chief-executive",
)
"""Three members and, for TEWV's chief executive, a nominated deputy (CDCPE ToR §3, §10)."""


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with new_worker(temporal, store, task_queue, delivery) as running:
        yield running


def execute(handle: Handle, command: MeetingUpdate) -> Command[MeetingUpdate]:
    return signed(shipped("county-durham"), command)


async def start(client: Client, config: Partnership, task_queue: str, meeting_on: date) -> Handle:
    return await client.start_workflow(
        MeetingCycleWorkflow.run,
        MeetingCycleInput(config=config, body=BODY, meeting_on=meeting_on),
        id=f"meeting:{config.slug}:{BODY}-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )


async def settled(handle: Handle, status: str) -> MeetingState:
    for _ in range(200):
        state = await handle.query(MeetingCycleWorkflow.state)
        if state.status == status and len(state.notices_delivered) == len(state.notices_issued):
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"the cycle never reached {status}")


async def sleep_until(env: WorkflowEnvironment, day: date, hour: int) -> None:
    now = await env.get_current_time()
    target = datetime.combine(day, time(hour), tzinfo=now.tzinfo)
    await env.sleep(target - now)


async def test_cdcpe_set_for_a_thursday_moved_once_quorate_minutes_to_every_partner(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """Set for the second Thursday of January, moved to the first: the agenda deadline is the
    working day before New Year's Day and the Christmas bank holidays; three members and a
    deputy make four, quorate under ToR §10; the minutes approved there go to all eight
    partners."""
    durham = shipped("county-durham")
    today = (await time_skipping_env.get_current_time()).date()
    year = min(y for y in AFTER_CHRISTMAS if date(y - 1, 12, 10) > today)
    held_on, agenda_by, requests_by = AFTER_CHRISTMAS[year]
    nominal = date(year, 1, 15)
    handle = await start(temporal, durham, worker.task_queue, nominal)
    await settled(handle, "scheduled")

    first = SetMeeting(
        held_on=held_on + timedelta(days=7),
        starts_at=time(14, 0),
        venue="Committee Room 2, County Hall, Durham",
    )
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, first))
    moved = MoveMeeting(
        held_on=held_on,
        starts_at=time(10, 30),
        venue="Committee Room 2, County Hall, Durham",
        link="https://meet.example.org/cdcpe",
        reason="the chair is at the ICB board on the 14th",
    )
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, moved))
    state = await settled(handle, "scheduled")
    assert held_on.weekday() == 3 and state.held_on == held_on
    assert (state.agenda_requests_due_on, state.agenda_issue_by) == (requests_by, agenda_by)
    assert all("CDCPE ToR §5" in c for c in state.deadline_citations)

    await sleep_until(time_skipping_env, agenda_by, 12)
    state = await settled(handle, "agenda_issued")
    assert state.agenda_issued_on == agenda_by

    # Recorded before the meeting is held: refused, nothing written.
    stream_id = meeting_stream(durham.slug, BODY, nominal)
    before = len(await store.read_stream(stream_id))
    attendance = RecordAttendance(
        present=PRESENT,
        by_deputy=("tewv-chief-executive",),
        apologies=("hdft-chief-executive", "healthwatch-chair"),
    )
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, attendance))
    assert getattr(early.value.cause, "type", None) == DOMAIN_REJECTED
    assert len(await store.read_stream(stream_id)) == before

    await sleep_until(time_skipping_env, held_on, 13)
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, attendance))
    approval = ApproveMinutes(approved_on=held_on, reference="CDCPE/minutes/12")
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, approval))
    result = await handle.result()
    assert result.status == "closed" and result.minutes_approved

    events = await stream_events(store, stream_id)
    arranged = [e for e in events if isinstance(e, MeetingArranged)]
    assert [(a.held_on, a.moved_from) for a in arranged] == [
        (held_on + timedelta(days=7), None),
        (held_on, held_on + timedelta(days=7)),
    ]
    (recorded,) = [e for e in events if isinstance(e, AttendanceRecorded)]
    assert recorded.quorate and recorded.quorum == "quorate"
    assert recorded.counted == PRESENT and recorded.held_on == held_on
    assert recorded.clause is not None and "CDCPE ToR §10" in recorded.clause
    (approved,) = [e for e in events if isinstance(e, MinutesApproved)]
    assert approved.approved_on == held_on

    notices = [e for e in events if isinstance(e, NoticeIssued)]
    members = sorted(member_organisations(durham, BODY))
    told = [n for n in notices if n.kind is NoticeKind.MEETING_NOTICE]
    assert sorted(n.recipient for n in told) == sorted(members * 2)
    move_notice = next(n for n in told if "moved" in n.subject)
    assert "10:30 (Europe/London time)" in move_notice.body
    assert "the chair is at the ICB board" in move_notice.body
    minutes = [n for n in notices if n.kind is NoticeKind.MINUTES]
    assert sorted(n.recipient for n in minutes) == sorted(durham.signatories)
    assert fold(initial_state(durham, BODY, nominal), events) == await handle.query(
        MeetingCycleWorkflow.state
    )

    await Replayer(
        workflows=[MeetingCycleWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await handle.fetch_history())
    await save_history(handle, "meetingcycle-arranged")


async def test_a_meeting_not_quorate_approves_no_minutes_and_a_cancelled_one_closes(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """Three present is not quorate (ToR §10): approving minutes is refused, writing nothing.
    A meeting cancelled tells its members and ends its cycle."""
    durham = shipped("county-durham")
    today = (await time_skipping_env.get_current_time()).date()
    held_on = today + timedelta(days=21)
    handle = await start(temporal, durham, worker.task_queue, held_on)
    await settled(handle, "scheduled")
    venue = SetMeeting(held_on=held_on, starts_at=time(9, 0), link="https://meet.example.org/x")
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, venue))
    await sleep_until(time_skipping_env, held_on, 12)
    await settled(handle, "agenda_issued")
    three = RecordAttendance(present=PRESENT[:3])
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(handle, three))
    stream_id = meeting_stream(durham.slug, BODY, held_on)
    before = len(await store.read_stream(stream_id))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            MeetingCycleWorkflow.execute,
            execute(handle, ApproveMinutes(approved_on=held_on, reference="CDCPE/minutes/x")),
        )
    assert "was not quorate" in str(refused.value.cause)
    assert len(await store.read_stream(stream_id)) == before

    other = await start(temporal, durham, worker.task_queue, held_on + timedelta(days=28))
    await settled(other, "scheduled")
    cancel = CancelMeeting(reason="no business this month")
    await other.execute_update(MeetingCycleWorkflow.execute, execute(other, cancel))
    result = await other.result()
    assert result.status == "closed" and not result.minutes_approved
    events = await stream_events(store, result.stream_id)
    assert any(isinstance(e, MeetingCancelled) for e in events)
    cancelled = [
        e for e in events if isinstance(e, NoticeIssued) and e.kind is NoticeKind.MEETING_NOTICE
    ]
    assert sorted(n.recipient for n in cancelled) == sorted(member_organisations(durham, BODY))
    assert all("no business this month" in n.body for n in cancelled)
