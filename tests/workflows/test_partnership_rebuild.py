"""The log is the record (docs/architecture.md principle 8): a partnership whose workflow was
terminated with a review and an exit open is started again from its stream alone, knows its
signatories, MoU version and review date, and carries on both processes from their own streams,
losing and repeating nothing; one reset behind its stream catches up on it.

On the dev server: terminating a workflow there also terminates its children (the parent-close
policy), as in production; the time-skipping test server leaves them running."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, ResetReapplyType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates.exit import AcknowledgeNotice, NotifyExit, WithdrawExit
from domain.aggregates.partnership import (
    PartnershipState,
    RequestReview,
    fold,
    initial_state,
)
from domain.aggregates.review import RecordResponse
from domain.events import DomainEvent, MouSigned, ProcessKind, ReviewOutcome
from domain.partnership import Partnership
from domain.rules.dates import add_months
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.people import shipped, signed
from tests.replay.histories import save_history
from tests.workflows.conftest import stream_events
from tests.workflows.through_partnership import (
    county_durham,
    effective_partnership,
    sign_mou,
    start_process,
)
from workflows.contracts.exit import ExitResult
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.process import Command
from workflows.contracts.review import ReviewResult
from workflows.exit import ExitWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

LEAVER = "tewv"
PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]


async def wait_until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def restart(client: Client, config: Partnership, task_queue: str) -> PartnershipHandle:
    """The partnership's workflow started again as `concordat partnerships start` does."""
    return await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(config.slug),
        task_queue=task_queue,
    )


def repeated(events: list[DomainEvent]) -> list[object]:
    """Anything recorded twice: the same event type about the same subject."""
    keys = Counter(
        (
            type(e).__name__,
            getattr(e, "recipient", None),
            getattr(e, "organisation", None),
            getattr(e, "process_id", None),
        )
        for e in events
        if type(e).__name__ not in ("ReminderSent", "NoticeIssued", "NoticeDelivered")
    )
    return [key for key, count in keys.items() if count > 1]


async def test_terminated_partnership_is_rebuilt_from_the_log_and_resumes_its_processes(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore
) -> None:
    client = dev_env.client
    config = county_durham()
    today = (await dev_env.get_current_time()).date()
    partnership = await effective_partnership(client, config, dev_worker.task_queue, today)

    review = await start_process(partnership, RequestReview())
    review_handle: WorkflowHandle[ReviewWorkflow, ReviewResult] = client.get_workflow_handle_for(
        ReviewWorkflow.run, review.process_id
    )
    await wait_until(
        lambda: _review_open(review_handle), "the review asks the signatories to respond"
    )
    await review_handle.execute_update(
        ReviewWorkflow.execute,
        signed(
            shipped("county-durham"),
            RecordResponse(organisation="icb", received_on=today, confirms_unchanged=True),
        ),
    )
    notice = NotifyExit(
        organisation=LEAVER,
        notified_on=today,
        effective_on=today + timedelta(days=60),
        signatory_name="Chief Executive",
    )
    exit_started = await start_process(partnership, notice)
    exit_handle: WorkflowHandle[ExitWorkflow, ExitResult] = client.get_workflow_handle_for(
        ExitWorkflow.run, exit_started.process_id
    )
    await wait_until(lambda: _notices_delivered(exit_handle), "the exit's notices go out")
    await exit_handle.execute_update(ExitWorkflow.execute, _acknowledged("dcc", today))
    before = await partnership.query(PartnershipWorkflow.state)
    assert {p.process for p in before.open_processes} == {ProcessKind.REVIEW, ProcessKind.EXIT}

    # Temporal forgets the partnership; its children are terminated with it.
    await partnership.terminate("operator error")
    partnership = await restart(client, config, dev_worker.task_queue)
    await wait_until(lambda: _loaded(partnership), "the partnership reads its stream")
    after = await partnership.query(PartnershipWorkflow.state)
    assert after == before
    assert after.is_effective and after.mou_version == 1
    assert after.review_due_on == before.review_due_on

    # Both processes carry on from their streams: what they had recorded is there.
    review_handle = client.get_workflow_handle_for(ReviewWorkflow.run, review.process_id)
    exit_handle = client.get_workflow_handle_for(ExitWorkflow.run, exit_started.process_id)
    await wait_until(lambda: _review_open(review_handle), "the review resumes")
    resumed_review = await review_handle.query(ReviewWorkflow.state)
    assert "icb" not in resumed_review.awaiting
    resumed_exit = await exit_handle.query(ExitWorkflow.state)
    assert "dcc" not in resumed_exit.unacknowledged

    for organisation in resumed_review.awaiting:
        await review_handle.execute_update(
            ReviewWorkflow.execute,
            signed(
                shipped("county-durham"),
                RecordResponse(
                    organisation=organisation, received_on=today, confirms_unchanged=True
                ),
            ),
        )
    await exit_handle.execute_update(ExitWorkflow.execute, _acknowledged("icb", today))
    # The effective date is weeks away on the wall clock: the partner withdraws instead.
    await exit_handle.execute_update(
        ExitWorkflow.execute,
        signed(shipped("county-durham"), WithdrawExit(withdrawn_on=today, reason="merger off")),
    )
    assert (await review_handle.result()).outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    assert (await exit_handle.result()).outcome == "withdrawn"

    async def both_ended() -> bool:
        state = await partnership.query(PartnershipWorkflow.state)
        return not state.open_processes

    await wait_until(both_ended, "the partnership records both ends")
    final = await partnership.query(PartnershipWorkflow.state)
    assert [(p.process, p.outcome) for p in final.processes] == [
        (ProcessKind.REVIEW, ReviewOutcome.CONFIRMED_UNCHANGED.value),
        (ProcessKind.EXIT, "withdrawn"),
    ]
    assert LEAVER in final.signatories and final.mou_version == 1
    assert final.review_due_on == add_months(today, 12), "the review concluded today"
    for stream_id in (partnership_stream(config.slug), review.process_id, exit_started.process_id):
        events = await stream_events(store, stream_id)
        assert repeated(events) == [], stream_id
    recorded = await store.read_stream(exit_started.process_id)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert (await store.verify()).intact
    await save_history(partnership, "partnership-rebuilt-from-log")
    await partnership.terminate("test over")


def _acknowledged(recipient: str, on: date) -> Command[AcknowledgeNotice]:
    return signed(
        shipped("county-durham"),
        AcknowledgeNotice(recipient=recipient, acknowledged_on=on, acknowledged_by="Clerk"),
    )


async def _review_open(handle: WorkflowHandle[ReviewWorkflow, object]) -> bool:
    try:
        state = await handle.query(ReviewWorkflow.state)
    except Exception:  # not yet started again
        return False
    return state.status == "open"


async def _notices_delivered(handle: WorkflowHandle[ExitWorkflow, object]) -> bool:
    state = await handle.query(ExitWorkflow.state)
    return bool(state.notices) and all(n.delivered_on for n in state.notices)


async def _loaded(handle: PartnershipHandle) -> bool:
    return (await handle.query(PartnershipWorkflow.state)).is_effective


async def test_a_partnership_reset_behind_its_stream_catches_up_and_loses_no_signature(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore
) -> None:
    """An operator resets the workflow to the task that took the second signature: the new run
    has folded only the first, while the log holds both. The next signature finds the stream
    moved on, the run catches up on it and signs after it; nothing is refused, lost or doubled."""
    client = dev_env.client
    config = county_durham()
    today = (await dev_env.get_current_time()).date()
    first, second, third = config.signatories[:3]
    handle = await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(config.slug),
        task_queue=dev_worker.task_queue,
    )

    async def sign(organisation: str) -> None:
        # The latest run: after the reset, not the run `handle` was started as.
        latest: PartnershipHandle = client.get_workflow_handle_for(
            PartnershipWorkflow.run, handle.id
        )
        await sign_mou(latest, config, organisation, today)

    await sign(first)
    await sign(second)
    events = (await handle.fetch_history()).events
    accepted = [
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    took_second = max(
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and e.event_id < accepted[1]
    )
    await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=handle.id),
            reason="operator reset in a test",
            workflow_task_finish_event_id=took_second,
            request_id=str(uuid.uuid4()),
            reset_reapply_type=ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
        )
    )
    latest: PartnershipHandle = client.get_workflow_handle_for(PartnershipWorkflow.run, handle.id)
    assert [s.organisation for s in (await latest.query(PartnershipWorkflow.state)).signatures] == [
        first
    ], "the reset run has folded only the first signature"

    await sign(third)

    state = await latest.query(PartnershipWorkflow.state)
    assert [s.organisation for s in state.signatures] == [first, second, third]
    logged = await stream_events(store, partnership_stream(config.slug))
    assert [e.organisation for e in logged if isinstance(e, MouSigned)] == [first, second, third]
    assert fold(initial_state(config), logged) == state
    recorded = await store.read_stream(partnership_stream(config.slug))
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert (await store.verify()).intact
    await latest.terminate("test over")
