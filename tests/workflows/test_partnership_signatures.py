"""MoU signature collection end to end: Temporal's time-skipping server, a real event store.

MSE MoU 2020 §15.3: the MoU is effective only when every partner has executed a
counterpart; CDCP MoU §24: it commences on the date of signature.
"""

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from domain.aggregates.partnership import PartnershipState, SignMou, fold, initial_state
from domain.events import MouEffective, MouSigned, ProcessStarted
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.people import email_of, representative, shipped, signed, who
from tests.replay.histories import save_history
from tests.workflows.conftest import AppendActivity, stream_events
from worker import WORKFLOW_RUNNER
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.process import Command
from workflows.partnership import PartnershipWorkflow
from workflows.registry import ALL_WORKFLOWS

SIGNED_ON = date(2022, 8, 23)


LATE_BECAUSE = "the 2022 counterparts, entered from the signed paper"


def signature(
    organisation: str,
    signed_on: date = SIGNED_ON,
    partnership: str = "county-durham",
    reason: str | None = LATE_BECAUSE,
) -> Command[SignMou]:
    return signed(
        shipped(partnership),
        SignMou(
            organisation=organisation,
            signatory_name=f"Chief Executive of {organisation}",
            signatory_role="Chief Executive",
            signed_on=signed_on,
        ),
        reason=reason,
    )


async def start(
    client: Client, config: Partnership, task_queue: str
) -> WorkflowHandle[PartnershipWorkflow, PartnershipState]:
    # The partnership workflow lives as long as the partnership, so each test terminates its own.
    return await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(config.slug),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


async def assert_state_is_fold_of_stream(
    store: EventStore, state: PartnershipState, config: Partnership, recorded: int
) -> None:
    # Only the first `recorded` events: once effective, the overdue review's timer may already
    # have recorded its start behind the update's answer.
    events = await stream_events(store, partnership_stream(config.slug))
    assert fold(initial_state(config), events[:recorded]) == state


@pytest.fixture
def county_durham() -> Partnership:
    # A slug of its own per test, so ids never meet whichever server the test runs on.
    config = load_partnership("county-durham")
    return config.model_copy(update={"slug": f"county-durham-{uuid.uuid4().hex[:6]}"})


async def test_mou_becomes_effective_on_the_last_signature(
    temporal: Client, worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    handle = await start(temporal, county_durham, worker.task_queue)
    signatories = county_durham.signatories
    for offset, organisation in enumerate(signatories):
        progress = await handle.execute_update(
            PartnershipWorkflow.execute,
            signature(organisation, SIGNED_ON - timedelta(days=len(signatories) - 1 - offset)),
        )
        last = organisation == signatories[-1]
        assert (progress.effective_on is not None) == last
        assert progress.outstanding_signatures == signatories[offset + 1 :]
        answered_for = offset + 1 + last
        if last:
            # Once effective, the overdue review's timer may record its start behind the
            # update's answer: the answer is compared with the fold of what it answered for.
            events = await stream_events(store, partnership_stream(county_durham.slug))
            folded = fold(initial_state(county_durham), events[:answered_for])
            assert progress.effective_on == folded.effective_on == SIGNED_ON
            assert progress.mou_version == folded.mou_version == 1
        else:
            state = await handle.query(PartnershipWorkflow.state)
            await assert_state_is_fold_of_stream(store, state, county_durham, answered_for)

    final = await handle.query(PartnershipWorkflow.state)
    assert final.effective_on == SIGNED_ON
    assert final.mou_version == 1
    # Signed in 2022, its first review (due a year later) is long overdue: the timer opens it.
    for _ in range(200):
        events = await stream_events(store, partnership_stream(county_durham.slug))
        if len(events) > len(signatories) + 1:
            break
        await asyncio.sleep(0.05)
    assert [type(e) for e in events] == (
        [MouSigned] * len(signatories) + [MouEffective, ProcessStarted]
    )
    assert [e.organisation for e in events if isinstance(e, MouSigned)] == list(signatories)
    recorded = await store.read_stream(partnership_stream(county_durham.slug))
    assert {who(e.metadata) for e in recorded[:-1]} == {
        email_of(representative(shipped("county-durham"), o)) for o in signatories
    }
    assert recorded[-1].metadata["actor"] == "timer:annual-review"
    assert {e.metadata["workflow_id"] for e in recorded} == {handle.id}
    assert (await store.verify()).intact
    await save_history(handle, "partnership-signatures")
    await handle.terminate("test over")


async def test_not_effective_while_one_partner_has_not_signed(
    temporal: Client, worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    """MSE MoU 2020 §15.3: seven of eight signatures do not make the MoU effective."""
    handle = await start(temporal, county_durham, worker.task_queue)
    for organisation in county_durham.signatories[:-1]:
        await handle.execute_update(PartnershipWorkflow.execute, signature(organisation))
    state = await handle.query(PartnershipWorkflow.state)
    assert not state.is_effective
    assert state.outstanding_signatures == (county_durham.signatories[-1],)
    await handle.terminate("test over")


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (signature("nhs-leeds"), "'nhs-leeds' is not an organisation of county-durham"),
        (signature("healthwatch"), "healthwatch is not a signatory"),
        (signature("tewv"), "tewv has already signed the MoU (on 2022-08-23)"),
    ],
)
async def test_bad_signatures_are_refused_and_write_nothing(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    request_: Command[SignMou],
    reason: str,
) -> None:
    # healthwatch is an organisation of the partnership but, here, not a signatory.
    config = county_durham.model_copy(
        update={"signatories": tuple(s for s in county_durham.signatories if s != "healthwatch")}
    )
    handle = await start(temporal, config, worker.task_queue)
    await handle.execute_update(PartnershipWorkflow.execute, signature("tewv"))
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(PartnershipWorkflow.execute, request_)
    assert reason in str(caught.value.cause)
    events = await stream_events(store, partnership_stream(county_durham.slug))
    assert len(events) == 1
    state = await handle.query(PartnershipWorkflow.state)
    assert [s.organisation for s in state.signatures] == ["tewv"]
    await handle.terminate("test over")


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    county_durham: Partnership,
    append_then_fail_once: AppendActivity,
    delivery: DeliveryActivities,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append commits, then fails."""
    # Signed today, so that no overdue review opens while the worker is being stopped.
    today = (await time_skipping_env.get_current_time()).date()
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
        handle = await start(temporal, county_durham, task_queue)
        for organisation in county_durham.signatories:
            await handle.execute_update(
                PartnershipWorkflow.execute, signature(organisation, signed_on=today)
            )
        final = await handle.query(PartnershipWorkflow.state)
        await handle.terminate("test over")

    recorded = await store.read_stream(partnership_stream(county_durham.slug))
    assert len(recorded) == len(county_durham.signatories) + 1
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert {e.metadata["attempt"] for e in recorded} == {1}
    await assert_state_is_fold_of_stream(store, final, county_durham, len(recorded))
    assert (await store.verify()).intact


async def test_a_signature_dated_2999_is_refused_and_the_mou_is_not_made_effective(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """R9: nine NENC partners sign today; the tenth's 2999-12-31 (or 0001-01-01) is refused
    naming the date, nothing is written, and its signature today makes the MoU effective."""
    config = load_partnership("nenc-ics")
    config = config.model_copy(update={"slug": f"nenc-ics-{uuid.uuid4().hex[:6]}"})
    today = (await time_skipping_env.get_current_time()).date()
    handle = await start(temporal, config, worker.task_queue)
    *first, last = config.signatories
    for organisation in first:
        await handle.execute_update(
            PartnershipWorkflow.execute, signature(organisation, today, "nenc-ics")
        )
    for wrong, rule in [
        (date(2999, 12, 31), f"that is after today ({today.isoformat()})"),
        (date(1, 1, 1), "that is before the earliest governance date"),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await handle.execute_update(
                PartnershipWorkflow.execute, signature(last, wrong, "nenc-ics")
            )
        assert f"signature cannot be dated {wrong.isoformat()}: {rule}" in str(caught.value.cause)
    events = await stream_events(store, partnership_stream(config.slug))
    assert [type(e) for e in events] == [MouSigned] * len(first)
    assert not (await handle.query(PartnershipWorkflow.state)).is_effective
    state = await handle.execute_update(
        PartnershipWorkflow.execute, signature(last, today, "nenc-ics")
    )
    assert state.effective_on == today
    await handle.terminate("test over")


async def test_a_signature_entered_late_needs_a_reason_and_the_trail_shows_both_r12(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """R12: signed eight days ago and entered today, a signature needs a reason; refused
    without one (nothing written), recorded with one (the trail's flag: test_trail_unit)."""
    handle = await start(temporal, county_durham, worker.task_queue)
    today = (await time_skipping_env.get_current_time()).date()
    week_ago, eight_days_ago = today - timedelta(days=7), today - timedelta(days=8)
    await handle.execute_update(
        PartnershipWorkflow.execute, signature("icb", week_ago, reason=None)
    )
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            PartnershipWorkflow.execute, signature("dcc", eight_days_ago, reason=None)
        )
    assert isinstance(refused.value.cause, ApplicationError)
    assert refused.value.cause.message == (
        f"MouSigned dated {eight_days_ago.isoformat()} is entered 8 days later "
        f"({today.isoformat()}): an entry more than 7 days late needs a reason, recorded with it"
    )
    assert len(await store.read_stream(partnership_stream(county_durham.slug))) == 1

    await handle.execute_update(
        PartnershipWorkflow.execute,
        signature("dcc", eight_days_ago, reason="posted to the wrong office"),
    )
    recorded = await store.read_stream(partnership_stream(county_durham.slug))
    assert recorded[-1].metadata["provenance"]["reason"] == "posted to the wrong office"
    await handle.terminate("test over")
