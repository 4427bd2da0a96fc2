"""Mid and South Essex's Partnership Board through a meeting, as the County Durham CDCPE's in
test_meeting_arrangements.py: set for a real Thursday and moved once, its agenda deadlines on the
right working day around Easter, a deputy's attendance recorded under its rule, and the minutes
approved there sent to every partner (docs/rules.md P5.6-P5.9, P5.12; MSE MoU 2020 §6.5 and, where
the MoU is silent, the policy its file declares). Temporal's time-skipping server, a real store."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from domain.events import (
    AttendanceRecorded,
    DecisionRecorded,
    MeetingArranged,
    MinutesApproved,
    NoticeIssued,
    NoticeKind,
)
from domain.meeting_proceedings import OpenMeeting, RecordDecision
from domain.meetings import (
    ApproveMinutes,
    MeetingState,
    MoveMeeting,
    RecordAttendance,
    RequestItem,
    SetMeeting,
    member_organisations,
)
from domain.partnership import Partnership
from domain.streams import meeting_stream
from eventstore.store import EventStore
from tests.people import shipped, signed
from tests.schedules.test_meeting_cycle import new_worker
from tests.workflows.conftest import stream_events
from workflows.contracts.meeting_cycle import MeetingCycleInput, MeetingCycleResult, MeetingUpdate
from workflows.contracts.process import Command
from workflows.meeting_cycle import MeetingCycleWorkflow

SLUG = "mid-south-essex"
BODY = "partnership-board"
Handle = WorkflowHandle[MeetingCycleWorkflow, MeetingCycleResult]
ITEM = "Priorities for NHS capital investment 2027/28"

AFTER_EASTER: dict[int, tuple[date, date, date]] = {
    # The Thursday after Easter Monday: (the meeting, its agenda deadline, its request deadline),
    # five and ten clear days before it, moved back off Good Friday and the weekend.
    2027: (date(2027, 4, 1), date(2027, 3, 25), date(2027, 3, 19)),
    2028: (date(2028, 4, 20), date(2028, 4, 13), date(2028, 4, 7)),
    2029: (date(2029, 4, 5), date(2029, 3, 29), date(2029, 3, 23)),
}

PRESENT = (
    "essex-cc",
    "southend-bc",
    "thurrock-council",
    "basildon-brentwood-ccg",
    "mid-essex-ccg",
    "southend-ccg",
    "thurrock-ccg",
    "eeast",
    "eput",
    "msft",
    "nhs-england",
    "healthwatch-essex",
)
"""Eleven members, and EPUT's seat attended by a deputy: the MoU names no deputies, so the deputy
is recorded and not counted, and the eleven make the Board's quorum (policy: a majority)."""


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with new_worker(temporal, store, task_queue, delivery) as running:
        yield running


def execute(command: MeetingUpdate) -> Command[MeetingUpdate]:
    return signed(shipped(SLUG), command)


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
    await env.sleep(datetime.combine(day, time(hour), tzinfo=now.tzinfo) - now)


async def test_mse_board_set_for_a_thursday_moved_past_easter_minutes_to_every_partner(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    mse = shipped(SLUG)
    today = (await time_skipping_env.get_current_time()).date()
    year = min(y for y in AFTER_EASTER if date(y, 3, 1) > today)
    held_on, agenda_by, requests_by = AFTER_EASTER[year]
    nominal = date(year, 4, 15)
    handle = await start(temporal, mse, worker.task_queue, nominal)
    await settled(handle, "scheduled")

    first = SetMeeting(
        held_on=held_on + timedelta(days=7), starts_at=time(14, 0), venue="Civic Centre, Basildon"
    )
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(first))
    moved = MoveMeeting(
        held_on=held_on,
        starts_at=time(10, 0),
        venue="Civic Centre, Basildon",
        link="https://meet.example.org/mse-board",
        reason="to meet in public before the new financial year's first SLE",
    )
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(moved))
    item = RequestItem(item=ITEM, requested_by="essex-cc", requested_on=today)
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(item))
    state = await settled(handle, "scheduled")
    assert held_on.weekday() == 3 and state.held_on == held_on
    assert (state.agenda_requests_due_on, state.agenda_issue_by) == (requests_by, agenda_by)
    # The MoU sets no deadline: each date cites the policy the file declares, and why.
    assert all("policy; MSE MoU 2020 §6" in c for c in state.deadline_citations)
    assert not any("CDCPE" in c for c in state.deadline_citations)

    await sleep_until(time_skipping_env, agenda_by, 12)
    state = await settled(handle, "agenda_issued")
    assert state.agenda_issued_on == agenda_by

    await sleep_until(time_skipping_env, held_on, 13)
    attendance = RecordAttendance(
        present=PRESENT, by_deputy=("eput",), apologies=("nelft", "provide-cic")
    )
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(attendance))
    opened = OpenMeeting(declarations_confirmed=PRESENT)
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(opened))
    decision = RecordDecision(item=ITEM, decision="Agreed, by consensus (MSE MoU 2020 §8.1).")
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(decision))
    approval = ApproveMinutes(approved_on=held_on, reference="MSE/PB/minutes/4")
    await handle.execute_update(MeetingCycleWorkflow.execute, execute(approval))
    result = await handle.result()
    assert result.status == "closed" and result.minutes_approved

    events = await stream_events(store, meeting_stream(SLUG, BODY, nominal))
    arranged = [e for e in events if isinstance(e, MeetingArranged)]
    assert [(a.held_on, a.moved_from) for a in arranged] == [
        (held_on + timedelta(days=7), None),
        (held_on, held_on + timedelta(days=7)),
    ]
    (recorded,) = [e for e in events if isinstance(e, AttendanceRecorded)]
    assert recorded.by_deputy == ("eput",)
    assert recorded.counted == tuple(s for s in PRESENT if s != "eput")
    assert recorded.quorate and recorded.quorum == "quorate"
    assert recorded.clause is not None and recorded.clause.startswith("policy: the MoU sets no")
    (decided,) = [e for e in events if isinstance(e, DecisionRecorded)]
    # The deputy is recorded but, under the Board's rule, does not decide.
    assert decided.item == ITEM and decided.deciding == recorded.counted
    (approved,) = [e for e in events if isinstance(e, MinutesApproved)]
    # The Board meets four times a year: these are the minutes of the meeting three months back.
    assert (approved.approved_on, approved.minutes_of) == (held_on, date(year, 1, 15))

    notices = [e for e in events if isinstance(e, NoticeIssued)]
    told = [n for n in notices if n.kind is NoticeKind.MEETING_NOTICE]
    assert sorted(n.recipient for n in told) == sorted(member_organisations(mse, BODY) * 2)
    minutes = [n for n in notices if n.kind is NoticeKind.MINUTES]
    assert sorted(n.recipient for n in minutes) == sorted(mse.signatories)
    assert len(minutes) == 21
