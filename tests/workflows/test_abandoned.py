"""R11: a process whose workflow is ended from outside is recorded as abandoned, saying how, by
whom and why, so the partnership's record never holds a process open that no workflow runs."""

import asyncio
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from audit.trail import Names, sentence
from domain.aggregates.exit_commands import NotifyExit
from domain.events import Abandonment, ProcessEnded, ProcessStarted
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.workflows.conftest import stream_events
from tests.workflows.through_partnership import county_durham, effective_partnership, start_process
from workflows.partnership import PartnershipWorkflow


async def test_a_terminated_exit_is_recorded_as_abandoned_by_whoever_terminated_it(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore
) -> None:
    # The dev server: the time-skipping one does not tell a parent its child was terminated.
    temporal = dev_env.client
    config = county_durham()
    today = (await dev_env.get_current_time()).date()
    partnership = await effective_partnership(temporal, config, dev_worker.task_queue, today)
    started = await start_process(
        partnership,
        NotifyExit(
            organisation="hdft",
            notified_on=today,
            effective_on=today + timedelta(days=90),
            signatory_name="Chief Executive of hdft",
            reason="services transferring",
        ),
    )
    await temporal.get_workflow_handle(started.process_id).terminate(
        reason="opened against the wrong partner"
    )

    stream = partnership_stream(config.slug)
    for _ in range(200):
        events = await stream_events(store, stream)
        if isinstance(events[-1], ProcessEnded):
            break
        await asyncio.sleep(0.05)
    ended = events[-1]
    assert isinstance(ended, ProcessEnded) and ended.process_id == started.process_id
    assert ended.abandoned == Abandonment(
        how="terminated", by=temporal.identity, reason="opened against the wrong partner"
    )
    assert [e.process_id for e in events if isinstance(e, ProcessStarted)] == [started.process_id]
    state = await partnership.query(PartnershipWorkflow.state)
    assert state.open_processes == ()
    line = sentence(ended, Names.of(config))
    assert line == (
        f"exit {started.process_id} was abandoned: its workflow was terminated by "
        f"{temporal.identity} (opened against the wrong partner)"
    )
    # The partnership carries on: the same partner may give notice again.
    again = await start_process(
        partnership,
        NotifyExit(
            organisation="hdft",
            notified_on=today,
            effective_on=today + timedelta(days=90),
            signatory_name="Chief Executive of hdft",
            reason="services transferring",
        ),
    )
    assert again.process_id != started.process_id
    await partnership.terminate("test over")
