"""Partner exit notification end to end: Temporal's time-skipping server, a real event store.

CDCP MoU §27 (DCC Cabinet 2019 MoU §23): a partner leaving notifies the other signatory
organisations in writing; on the effective date it leaves the partnership and every body, whose
quorum may suffer (docs/rules.md P2). Policy: acknowledgements with reminders until a deadline,
withdrawal before the effective date.
"""

import asyncio
import email
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from domain.aggregates.exit import (
    AcknowledgeNotice,
    ExitState,
    NotifyExit,
    WithdrawExit,
    fold,
    initial_state,
)
from domain.events import (
    ExitNotified,
    ExitWithdrawn,
    MembershipEnded,
    NoticeAcknowledged,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
    ReminderSent,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.exits import without_organisations
from domain.streams import exit_stream, partnership_stream
from eventstore.store import EventStore
from tests.people import email_of, entitled_actor, representative, secretary, shipped, signed, who
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, stream_events
from tests.workflows.through_partnership import (
    PartnershipHandle,
    effective_partnership,
    own_slug,
    result_of,
    start_process,
)
from worker import WORKFLOW_RUNNER
from workflows import search_attributes
from workflows.contracts.exit import ExitInput, ExitResult, ExitUpdate
from workflows.contracts.process import Command
from workflows.exit import ExitWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.recording import DOMAIN_REJECTED
from workflows.registry import ALL_WORKFLOWS

LEAVER = "tewv"


# A partnership from which five partners have already left: TEWV's exit then leaves two boards
# unable to be quorate, and two recipients keep the reminder tests readable.
SMALL = ("icb", "dcc", "tewv")

ExitHandle = WorkflowHandle[ExitWorkflow, ExitResult]


@pytest.fixture
def county_durham() -> Partnership:
    return own_slug(load_partnership("county-durham"))


def stream(config: Partnership, notified_on: date) -> str:
    return exit_stream(config.slug, LEAVER, notified_on)


async def today(env: WorkflowEnvironment) -> date:
    """The server's date, which a time-skipping server moves ahead of the wall clock."""
    return (await env.get_current_time()).date()


def notice(notified_on: date, effective_in_days: int = 60) -> NotifyExit:
    return NotifyExit(
        organisation=LEAVER,
        notified_on=notified_on,
        effective_on=notified_on + timedelta(days=effective_in_days),
        signatory_name="Brent Kilmurray, Chief Executive",
        reason="services transferring to a neighbouring trust",
    )


async def start(
    client: Client,
    config: Partnership,
    task_queue: str,
    exit_notice: NotifyExit,
    signatories: tuple[str, ...] | None = None,
    continue_as_new_after_events: int | None = None,
) -> ExitHandle:
    """The notice given through the partnership, every signatory having signed that day."""
    if signatories is not None:
        # The others have left: their seats are gone from every body (CDCP MoU §27).
        gone = [s for s in config.signatories if s not in signatories]
        bodies = tuple(without_organisations(b, gone) for b in config.bodies)
        config = config.model_copy(update={"signatories": signatories, "bodies": bodies})
    partnership = await effective_partnership(
        client,
        config,
        task_queue,
        exit_notice.notified_on,
        continue_as_new_after_events=continue_as_new_after_events,
    )
    started = await start_process(partnership, exit_notice)
    return client.get_workflow_handle_for(ExitWorkflow.run, started.process_id)


def ack(recipient: str, on: date) -> Command[AcknowledgeNotice]:
    return signed(
        shipped("county-durham"),
        AcknowledgeNotice(
            recipient=recipient, acknowledged_on=on, acknowledged_by=f"Clerk of {recipient}"
        ),
    )


async def wait_for_notices(handle: ExitHandle) -> ExitState:
    """The notices are issued and delivered by the workflow's first steps."""
    for _ in range(200):
        state = await handle.query(ExitWorkflow.state)
        if state.notices and all(n.delivered_on for n in state.notices):
            return state
        await asyncio.sleep(0.05)
    raise AssertionError("the exit notices were never delivered")


async def search_attributes_of(handle: ExitHandle) -> dict[str, object]:
    """The search attributes as last upserted, read from the history: the time-skipping server
    cannot describe a workflow with a datetime attribute set."""
    values: dict[str, object] = {}
    async for event in handle.fetch_history_events():
        if event.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            for key, payload in fields.indexed_fields.items():
                values[key] = json.loads(payload.data) if payload.data else None
    return values


async def assert_state_is_fold_of_stream(store: EventStore, state: ExitState) -> None:
    """The workflow's state is the fold of its stream from the partnership it was given."""
    assert state.exit_id is not None
    events = await stream_events(store, state.exit_id)
    assert fold(initial_state(state.config, state.signatories), events) == state


async def test_happy_path_notice_to_every_other_signatory_then_membership_ends_000_s27(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    outbox: Path,
) -> None:
    """CDCP MoU §27: written notice to each other signatory; the exit takes effect on its date."""
    notified_on = await today(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, notice(notified_on))
    state = await wait_for_notices(handle)
    others = tuple(s for s in county_durham.signatories if s != LEAVER)
    assert state.recipients == others
    assert sorted(await handle.query(ExitWorkflow.unacknowledged)) == sorted(others)
    assert state.notices[0].acknowledge_by == notified_on + timedelta(days=28)

    for recipient in others:
        progress = await handle.execute_update(ExitWorkflow.execute, ack(recipient, notified_on))
        assert recipient not in progress.unacknowledged
        state = await handle.query(ExitWorkflow.state)
        await assert_state_is_fold_of_stream(store, state)
    assert await handle.query(ExitWorkflow.unacknowledged) == []
    attributes = await search_attributes_of(handle)
    assert attributes[search_attributes.STATUS.name] == "awaiting-effective-date"
    assert attributes[search_attributes.PROCESS.name] == "exit"
    assert attributes[search_attributes.PARTNERSHIP.name] == county_durham.slug

    result = await result_of(time_skipping_env, handle)
    assert result.outcome == "ended"
    assert result.exit_id == stream(county_durham, notified_on)
    assert result.ended_on == notified_on + timedelta(days=60)
    assert result.bodies_affected == ("cdcpe", "cyp-board", "mhld-board")
    assert result.cannot_be_quorate == ()

    events = await stream_events(store, stream(county_durham, notified_on))
    assert [type(e) for e in events] == (
        [ExitNotified]
        + [NoticeIssued] * 7
        + [NoticeDelivered] * 7
        + [NoticeAcknowledged] * 7
        + [MembershipEnded]
    )
    final = await handle.query(ExitWorkflow.state)
    assert final.status == "ended"
    await assert_state_is_fold_of_stream(store, final)
    recorded = await store.read_stream(stream(county_durham, notified_on))
    assert recorded[-1].metadata["actor"] == "timer:exit-effective-date"
    leaver = representative(shipped("county-durham"), notice(notified_on).organisation)
    assert {who(e.metadata) for e in recorded[:-1]} == {
        email_of(leaver),
        email_of(secretary(shipped("county-durham"))),
    }
    assert (await store.verify()).intact
    attributes = await search_attributes_of(handle)
    assert attributes[search_attributes.STATUS.name] == "ended"
    assert attributes[search_attributes.NEXT_DEADLINE.name] is None

    # The written notices: one .eml per recipient, with the recorded text and hash.
    issued = [e for e in events if isinstance(e, NoticeIssued)]
    files = sorted((outbox / county_durham.slug).glob("*.eml"))
    assert len(files) == 7
    for notice_event in issued:
        assert notice_event.content_hash == content_hash(notice_event.subject, notice_event.body)
        (file,) = [f for f in files if notice_event.content_hash[:16] in f.name]
        message = email.message_from_bytes(file.read_bytes())
        assert message["X-Concordat-Content-Hash"] == notice_event.content_hash
        assert (
            "Tees, Esk and Wear Valleys NHS Foundation Trust has given notice" in notice_event.body
        )

    await Replayer(
        workflows=[ExitWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await handle.fetch_history())
    await save_history(handle, "exit-happy-path")


async def test_exit_reports_bodies_that_can_no_longer_be_quorate_000_s27(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27 / P2: the membership and quorum of the boards change; flag those not quorate.

    No acknowledgement arrives: reminders go until the deadline, and the exit still takes effect.
    """
    notified_on = await today(time_skipping_env)
    handle = await start(
        temporal, county_durham, worker.task_queue, notice(notified_on), signatories=SMALL
    )
    result = await result_of(time_skipping_env, handle)
    assert result.outcome == "ended"
    assert result.cannot_be_quorate == ("cyp-board", "mhld-board")
    flagged = {b.body: b for b in result.bodies}
    assert flagged["mhld-board"].voting_after < (flagged["mhld-board"].quorum_minimum or 0)
    final = await handle.query(ExitWorkflow.state)
    await assert_state_is_fold_of_stream(store, final)


async def test_reminders_weekly_until_the_acknowledgement_deadline_policy(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """P2 policy: reminders every 7 days to those who have not acknowledged, until the 28-day
    deadline; none to a recipient that acknowledged; each reminder is a delivered notice."""
    notified_on = await today(time_skipping_env)
    handle = await start(
        temporal, county_durham, worker.task_queue, notice(notified_on), signatories=SMALL
    )
    await wait_for_notices(handle)
    await handle.execute_update(ExitWorkflow.execute, ack("dcc", notified_on))
    await result_of(time_skipping_env, handle)

    events = await stream_events(store, stream(county_durham, notified_on))
    reminders = [e for e in events if isinstance(e, ReminderSent)]
    assert [(r.organisation, r.sent_on) for r in reminders] == [
        ("icb", notified_on + timedelta(days=days)) for days in (7, 14, 21, 28)
    ]
    assert {r.deadline for r in reminders} == {notified_on + timedelta(days=28)}
    letters = [e for e in events if isinstance(e, NoticeIssued) and e.kind is NoticeKind.REMINDER]
    assert [n.recipient for n in letters] == ["icb"] * 4
    delivered = {e.notice_id for e in events if isinstance(e, NoticeDelivered)}
    assert {n.notice_id for n in letters} <= delivered
    recorded = await store.read_stream(stream(county_durham, notified_on))
    assert {e.metadata["actor"] for e in recorded if e.type == "ReminderSent"} == {
        "timer:exit-reminder"
    }


async def test_no_reminder_after_acknowledgement_policy(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """P2 policy: a recipient that acknowledges after two reminders gets no third."""
    notified_on = await today(time_skipping_env)
    handle = await start(
        temporal, county_durham, worker.task_queue, notice(notified_on), signatories=SMALL
    )
    await wait_for_notices(handle)
    await handle.execute_update(ExitWorkflow.execute, ack("dcc", notified_on))
    await time_skipping_env.sleep(timedelta(days=15))
    assert await handle.query(ExitWorkflow.unacknowledged) == ["icb"]
    await handle.execute_update(ExitWorkflow.execute, ack("icb", notified_on + timedelta(days=15)))
    attributes = await search_attributes_of(handle)
    assert attributes[search_attributes.STATUS.name] == "awaiting-effective-date"
    await result_of(time_skipping_env, handle)
    events = await stream_events(store, stream(county_durham, notified_on))
    assert [(e.organisation, e.sent_on) for e in events if isinstance(e, ReminderSent)] == [
        ("icb", notified_on + timedelta(days=7)),
        ("icb", notified_on + timedelta(days=14)),
    ]


async def test_withdrawal_before_the_effective_date_ends_the_process_policy(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """P2 policy: a notice may be withdrawn before the effective date; the membership stays."""
    notified_on = await today(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, notice(notified_on))
    await wait_for_notices(handle)
    # The day notice was given: a withdrawal is not dated ahead of the workflow's today (R9).
    withdrawn_on = notified_on
    progress = await handle.execute_update(
        ExitWorkflow.execute,
        signed(
            shipped("county-durham"),
            WithdrawExit(withdrawn_on=withdrawn_on, reason="services stay"),
        ),
    )
    assert progress.status == "withdrawn"
    result = await result_of(time_skipping_env, handle)
    assert (result.outcome, result.withdrawn_on, result.ended_on) == (
        "withdrawn",
        withdrawn_on,
        None,
    )
    events = await stream_events(store, stream(county_durham, notified_on))
    assert isinstance(events[-1], ExitWithdrawn)
    assert not any(isinstance(e, MembershipEnded | ReminderSent) for e in events)
    await assert_state_is_fold_of_stream(store, await handle.query(ExitWorkflow.state))
    attributes = await search_attributes_of(handle)
    assert attributes[search_attributes.STATUS.name] == "withdrawn"


async def assert_refused(
    handle: ExitHandle, store: EventStore, request: Command[ExitUpdate], reason: str
) -> None:
    before = await store.digest()
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(ExitWorkflow.execute, request)
    assert reason in str(caught.value.cause)
    assert getattr(caught.value.cause, "type", None) == DOMAIN_REJECTED
    assert await store.digest() == before, "a refused command wrote to the log"


async def test_bad_commands_are_refused_and_write_nothing(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27: the recipients are the OTHER signatories; one acknowledgement each;
    P2 policy: no withdrawal on or after the effective date."""
    notified_on = await today(time_skipping_env)
    exit_notice = notice(notified_on)
    handle = await start(temporal, county_durham, worker.task_queue, exit_notice)
    await wait_for_notices(handle)
    await handle.execute_update(ExitWorkflow.execute, ack("dcc", notified_on))

    await assert_refused(handle, store, ack(LEAVER, notified_on), "tewv is not a recipient")
    await assert_refused(handle, store, ack("nhs-leeds", notified_on), "not a recipient")
    await assert_refused(
        handle,
        store,
        ack("dcc", notified_on),
        "dcc has already acknowledged",
    )
    for on in (exit_notice.effective_on, exit_notice.effective_on + timedelta(days=1)):
        await assert_refused(
            handle,
            store,
            signed(shipped("county-durham"), WithdrawExit(withdrawn_on=on)),
            "before the withdrawal date",
        )
    state = await handle.query(ExitWorkflow.state)
    assert state.status == "notified"
    await assert_state_is_fold_of_stream(store, state)
    await handle.terminate("test over")


async def test_notice_from_a_non_signatory_is_refused_having_written_nothing(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27 concerns a signatory leaving: a notice from anyone else is refused."""
    notified_on = await today(time_skipping_env)
    config = county_durham.model_copy(update={"signatories": ("icb", "dcc")})
    partnership = await effective_partnership(temporal, config, worker.task_queue, notified_on)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(partnership, notice(notified_on))
    assert "tewv is not a signatory" in str(caught.value.cause)
    assert await store.read_stream(stream(county_durham, notified_on)) == []
    state = await partnership.query(PartnershipWorkflow.state)
    assert state.processes == ()
    await partnership.terminate("test over")


async def test_one_notice_open_at_a_time_and_a_new_notice_after_withdrawal_has_its_own_stream(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """A second notice while the first is open is refused, writing nothing; once the first is
    withdrawn, a new notice the same day is a process of its own on a stream of its own (the
    notice, withdrawal and notice again were once lost to a stream id made from the date)."""
    notified_on = await today(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, notice(notified_on))
    await wait_for_notices(handle)
    partnership: PartnershipHandle = temporal.get_workflow_handle_for(
        PartnershipWorkflow.run, partnership_stream(county_durham.slug)
    )
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(partnership, notice(notified_on, effective_in_days=90))
    assert "tewv has already given notice" in str(caught.value.cause)
    withdrawn: Command[WithdrawExit] = signed(
        shipped("county-durham"), WithdrawExit(withdrawn_on=notified_on)
    )
    await handle.execute_update(ExitWorkflow.execute, withdrawn)
    await result_of(time_skipping_env, handle)
    for _ in range(100):  # the partnership records the end once it has the exit's result
        state = await partnership.query(PartnershipWorkflow.state)
        if state.open_process(ProcessKind.EXIT) is None:
            break
        await asyncio.sleep(0.05)
    assert state.processes[0].outcome == "withdrawn"

    again = await start_process(partnership, notice(notified_on, effective_in_days=90))
    assert again.process_id == f"{stream(county_durham, notified_on)}-2"
    second: ExitHandle = temporal.get_workflow_handle_for(ExitWorkflow.run, again.process_id)
    renewed = await wait_for_notices(second)
    assert renewed.status == "notified" and renewed.exit_id == again.process_id
    first_events = await stream_events(store, stream(county_durham, notified_on))
    second_events = await stream_events(store, again.process_id)
    assert sum(isinstance(e, ExitNotified) for e in first_events) == 1
    assert sum(isinstance(e, ExitNotified) for e in second_events) == 1
    state = await partnership.query(PartnershipWorkflow.state)
    assert [p.process_id for p in state.open_processes] == [again.process_id]
    await partnership.terminate("test over")


async def test_an_exit_started_other_than_by_its_partnership_fails_having_written_nothing(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """Only the partnership starts an exit, so that its own stream records it as open."""
    notified_on = await today(time_skipping_env)
    process_id = stream(county_durham, notified_on)
    handle = await temporal.start_workflow(
        ExitWorkflow.run,
        ExitInput(
            config=county_durham,
            process_id=process_id,
            signatories=county_durham.signatories,
            notice=notice(notified_on).model_copy(update={"exit_id": process_id}),
            actor=entitled_actor(county_durham, notice(notified_on)),
        ),
        id=process_id,
        task_queue=worker.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as caught:
        await result_of(time_skipping_env, handle)
    assert "is started by the" in str(caught.value.cause)
    assert await store.read_stream(process_id) == []


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
    append_then_fail_once: AppendActivity,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append commits, then fails."""
    notified_on = await today(time_skipping_env)
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=list(ALL_WORKFLOWS),
        workflow_runner=WORKFLOW_RUNNER,
        activities=[
            append_then_fail_once,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
            SchedulesActivities(temporal, task_queue).ensure_schedules,
        ],
    ):
        handle = await start(
            temporal, county_durham, task_queue, notice(notified_on), signatories=SMALL
        )
        await wait_for_notices(handle)
        await handle.execute_update(ExitWorkflow.execute, ack("dcc", notified_on))
        result = await result_of(time_skipping_env, handle)
        final = await handle.query(ExitWorkflow.state)

    assert result.outcome == "ended"
    recorded = await store.read_stream(stream(county_durham, notified_on))
    # Notified, 2 notices, 2 receipts, 1 acknowledgement, 4 x (reminder, letter, receipt), ended.
    assert len(recorded) == 1 + 2 + 2 + 1 + 4 * 3 + 1
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)
    assert {e.metadata["attempt"] for e in recorded} == {1}
    await assert_state_is_fold_of_stream(store, final)
    assert (await store.verify()).intact


async def test_worker_restarted_mid_process_completes_it(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
) -> None:
    """A worker stopped while the exit waits for acknowledgements; a new worker finishes it."""

    def new_worker() -> Worker:
        return Worker(
            temporal,
            task_queue=task_queue,
            workflows=list(ALL_WORKFLOWS),
            workflow_runner=WORKFLOW_RUNNER,
            activities=[
                StoreActivities(store).append_events,
                StoreActivities(store).read_stream,
                delivery.deliver_notice,
                NoticeActivities(delivery, store).deliver_notices,
                SchedulesActivities(temporal, task_queue).ensure_schedules,
            ],
            # No sticky cache: the test server would keep routing tasks to the stopped worker's
            # sticky queue until a timeout measured in its (frozen) virtual time.
            max_cached_workflows=0,
        )

    notified_on = await today(time_skipping_env)
    async with new_worker():
        handle = await start(
            temporal, county_durham, task_queue, notice(notified_on), signatories=SMALL
        )
        await wait_for_notices(handle)
        await handle.execute_update(ExitWorkflow.execute, ack("dcc", notified_on))
    async with new_worker():
        await handle.execute_update(ExitWorkflow.execute, ack("icb", notified_on))
        result = await result_of(time_skipping_env, handle)
        final = await handle.query(ExitWorkflow.state)
    assert result.outcome == "ended"
    events = await stream_events(store, stream(county_durham, notified_on))
    assert sum(isinstance(e, NoticeAcknowledged) for e in events) == 2
    assert not any(isinstance(e, ReminderSent) for e in events)
    await assert_state_is_fold_of_stream(store, final)


async def test_continue_as_new_with_acknowledgements_arriving_around_it(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    """The state is carried to the new run; no acknowledgement is lost or doubled. On the dev
    server (`dev_env`), whose clock is the wall clock, so the exit is checked before it ends."""
    temporal = dev_env.client
    notified_on = await today(dev_env)
    handle = await start(
        temporal,
        county_durham,
        dev_worker.task_queue,
        notice(notified_on),
        continue_as_new_after_events=30,
    )
    first_run_id = (await handle.describe()).run_id
    await wait_for_notices(handle)
    others = [s for s in county_durham.signatories if s != LEAVER]
    await handle.execute_update(ExitWorkflow.execute, ack(others[0], notified_on))
    await asyncio.gather(
        *(handle.execute_update(ExitWorkflow.execute, ack(r, notified_on)) for r in others[1:4])
    )
    for recipient in others[4:]:
        await handle.execute_update(ExitWorkflow.execute, ack(recipient, notified_on))
    assert await handle.query(ExitWorkflow.unacknowledged) == []
    first_run = temporal.get_workflow_handle(handle.id, run_id=first_run_id)
    history = await first_run.fetch_history()
    assert history.events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    events = await stream_events(store, stream(county_durham, notified_on))
    acknowledged = [e.recipient for e in events if isinstance(e, NoticeAcknowledged)]
    assert sorted(acknowledged) == sorted(others)
    await assert_state_is_fold_of_stream(store, await handle.query(ExitWorkflow.state))
    # The dev server keeps the wall clock: the effective date is weeks away.
    await handle.terminate("test over")


@pytest.mark.parametrize("path", sorted(FOLDER.glob("exit-*.json")), ids=lambda p: p.stem)
async def test_recorded_exit_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[ExitWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
