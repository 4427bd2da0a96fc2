"""The log is the record (docs/architecture.md principle 8): a partnership whose workflow was
terminated with a review and an exit open is started again from its stream alone, knows its
signatories, MoU version and review date, and carries on both processes from their own streams,
losing and repeating nothing.

On the dev server: terminating a workflow there also terminates its children (the parent-close
policy), as in production; the time-skipping test server leaves them running."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates.exit import AcknowledgeNotice, NotifyExit, WithdrawExit
from domain.aggregates.partnership import PartnershipState, RequestReview
from domain.aggregates.review import RecordResponse
from domain.events import DomainEvent, ProcessKind, ReviewOutcome
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


async def wait_until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def restart(
    client: Client, config: Partnership, task_queue: str
) -> WorkflowHandle[PartnershipWorkflow, PartnershipState]:
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


async def _loaded(handle: WorkflowHandle[PartnershipWorkflow, PartnershipState]) -> bool:
    return (await handle.query(PartnershipWorkflow.state)).is_effective
