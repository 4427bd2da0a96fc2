"""The partnership workflow after the MoU is effective: the annual review on its timer and
partner exits, run as child workflows whose results the partnership records.

CDCP MoU §24 (reviewed at least annually), §27 (a leaving partner notifies
the others in writing; the MoU is amended and the review date revised).
"""

import asyncio
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from domain.aggregates.exit import NotifyExit
from domain.aggregates.partnership import (
    PartnershipState,
    RequestReview,
    StartCommittee,
    fold,
    initial_state,
)
from domain.aggregates.review import RecordResponse
from domain.events import MembershipEnded, MouAmended, ProcessEnded, ProcessKind, ReviewDateRevised
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.dates import add_months, review_opens_on
from domain.streams import exit_stream, partnership_stream, review_stream
from eventstore.store import EventStore
from tests.people import signed
from tests.replay.histories import save_history
from tests.workflows.conftest import stream_events
from tests.workflows.test_committee import ORDER, form, plan_from
from tests.workflows.through_partnership import (
    effective_partnership as signed_partnership,
    own_slug,
    result_of,
    sign_mou,
    start_process,
)
from worker import build_worker
from workflows.committee import CommitteeWorkflow
from workflows.contracts.committee import CommitteeResult
from workflows.contracts.exit import ExitResult
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.review import ReviewResult
from workflows.exit import ExitWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

Handle = WorkflowHandle[PartnershipWorkflow, PartnershipState]


async def effective_partnership(
    env: WorkflowEnvironment, config: Partnership, task_queue: str
) -> tuple[Handle, date]:
    """A partnership whose partners all signed today, with a unique slug for this test."""
    today = (await env.get_current_time()).date()
    handle = await signed_partnership(env.client, own_slug(config), task_queue, today)
    return handle, today


async def open_process_id(
    handle: Handle, kind: ProcessKind, subject: str | None = None
) -> str | None:
    """The workflow id of the partnership's open process of `kind`, as its state records it."""
    state = await handle.query(PartnershipWorkflow.state)
    found = state.open_process(kind, subject)
    return found.process_id if found is not None else None


async def eventually(
    env: WorkflowEnvironment, check: Callable[[], Any], step_days: int = 1
) -> None:
    """Lets workflow time pass a day at a time until `check()` is true (at most a year)."""
    for _ in range(366):
        if await check():
            return
        await env.sleep(timedelta(days=step_days))
    raise AssertionError("the condition never held")


async def assert_state_is_fold(store: EventStore, handle: Handle, config: Partnership) -> None:
    state = await handle.query(PartnershipWorkflow.state)
    events = await stream_events(store, partnership_stream(state.slug))
    assert fold(initial_state(state.config), events) == state


@pytest.fixture
def county_durham() -> Partnership:
    return load_partnership("county-durham")


async def test_review_opens_on_its_timer_and_its_outcome_sets_the_next_due_date(
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """CDCP MoU §24: reviewed at least annually; P1 policy: opened 8 weeks before it is due."""
    handle, signed_on = await effective_partnership(
        time_skipping_env, county_durham, worker.task_queue
    )
    state = await handle.query(PartnershipWorkflow.state)
    assert state.review_due_on == add_months(signed_on, 12)
    opens_on = review_opens_on(state.review_due_on, county_durham.review_policy.lead_time_days)

    async def review_open() -> bool:
        return await open_process_id(handle, ProcessKind.REVIEW) is not None

    await time_skipping_env.sleep(timedelta(days=(opens_on - signed_on).days - 1))
    assert not await review_open(), "the review opened before its lead time"
    await eventually(time_skipping_env, review_open)
    opened_on = (await time_skipping_env.get_current_time()).date()
    assert opened_on == opens_on

    review_id = await open_process_id(handle, ProcessKind.REVIEW)
    assert review_id is not None and review_id.startswith(review_stream(state.slug, ""))
    review: WorkflowHandle[ReviewWorkflow, ReviewResult] = (
        time_skipping_env.client.get_workflow_handle_for(ReviewWorkflow.run, review_id)
    )
    for organisation in state.signatories:
        response = RecordResponse(
            organisation=organisation, received_on=opened_on, confirms_unchanged=True
        )
        await review.execute_update(ReviewWorkflow.execute, signed(review.id, response))
    result = await result_of(time_skipping_env, review)

    async def outcome_recorded() -> bool:
        return await open_process_id(handle, ProcessKind.REVIEW) is None

    await eventually(time_skipping_env, outcome_recorded)
    after = await handle.query(PartnershipWorkflow.state)
    assert after.review_due_on == result.next_review_due_on == add_months(result.concluded_on, 12)
    assert after.mou_version == 1, "confirmed unchanged: no new version"
    await assert_state_is_fold(store, handle, county_durham)
    await save_history(handle, "partnership-annual-review")
    await handle.terminate("test over")


async def test_exit_through_the_partnership_ends_membership_amends_mou_and_revises_review(
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27: the leaver is removed from the signatories and every body; the MoU is
    amended and the annual review date revised accordingly."""
    handle, today = await effective_partnership(time_skipping_env, county_durham, worker.task_queue)
    slug = (await handle.query(PartnershipWorkflow.state)).slug
    notice = NotifyExit(
        organisation="tewv",
        notified_on=today,
        effective_on=today + timedelta(days=90),
        signatory_name="Chief Executive",
        reason="merger",
    )
    started = await start_process(handle, notice)
    exit_id = started.process_id
    assert exit_id == exit_stream(slug, "tewv", today)
    assert "tewv" not in started.recipients and len(started.recipients) == 7
    assert started.effect is not None and started.effect.organisations == ("tewv",)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(handle, notice)
    assert "tewv has already given notice" in str(caught.value.cause)

    async def membership_ended() -> bool:
        return "tewv" not in (await handle.query(PartnershipWorkflow.state)).signatories

    await eventually(time_skipping_env, membership_ended)
    exit_handle: WorkflowHandle[ExitWorkflow, ExitResult] = (
        time_skipping_env.client.get_workflow_handle_for(ExitWorkflow.run, exit_id)
    )
    result = await result_of(time_skipping_env, exit_handle)
    assert result.outcome == "ended" and result.ended_on == notice.effective_on
    state = await handle.query(PartnershipWorkflow.state)
    assert state.mou_version == 2
    # Due 12 months after the MoU took effect, later than the exit policy allows: brought
    # forward to within 90 days of the exit (CDCP MoU §27, policy).
    within = timedelta(days=county_durham.exit_policy.review_within_days)
    assert state.review_due_on == notice.effective_on + within < add_months(today, 12)
    assert all(m.organisation != "tewv" for b in state.bodies for m in b.members)
    events = await stream_events(store, partnership_stream(slug))
    assert [type(e) for e in events[-4:]] == [
        MembershipEnded,
        MouAmended,
        ReviewDateRevised,
        ProcessEnded,
    ]
    await assert_state_is_fold(store, handle, county_durham)
    assert await open_process_id(handle, ProcessKind.EXIT) is None
    await save_history(handle, "partnership-exit")
    await handle.terminate("test over")


async def test_exit_notice_refused_with_nothing_written(
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    handle, today = await effective_partnership(time_skipping_env, county_durham, worker.task_queue)
    slug = (await handle.query(PartnershipWorkflow.state)).slug
    before = await stream_events(store, partnership_stream(slug))
    bad = [
        ("nhs-leeds", today, today + timedelta(days=30), "not a signatory"),
        ("tewv", today, today - timedelta(days=1), "before the"),
        ("tewv", today + timedelta(days=1), today + timedelta(days=30), "a date still to come"),
    ]
    for organisation, notified_on, effective_on, reason in bad:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await start_process(
                handle,
                NotifyExit(
                    organisation=organisation,
                    notified_on=notified_on,
                    effective_on=effective_on,
                    signatory_name="CEO",
                ),
            )
        assert reason in str(caught.value.cause)
    assert await stream_events(store, partnership_stream(slug)) == before
    assert await open_process_id(handle, ProcessKind.EXIT) is None
    await handle.terminate("test over")


async def test_partner_leaving_during_a_review_is_no_longer_asked(
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """P1: a signatory who leaves during a review is no longer asked (CDCP MoU §27)."""
    handle, today = await effective_partnership(time_skipping_env, county_durham, worker.task_queue)
    review_id = (await start_process(handle, RequestReview())).process_id
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(handle, RequestReview())
    assert "a review is already open" in str(caught.value.cause)
    review: WorkflowHandle[ReviewWorkflow, ReviewResult] = (
        time_skipping_env.client.get_workflow_handle_for(ReviewWorkflow.run, review_id)
    )
    # The review writes its requests a moment after the update that started it returns.
    for _ in range(200):
        if "hdft" in await review.query(ReviewWorkflow.awaiting):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the review never asked hdft")

    await start_process(
        handle,
        NotifyExit(
            organisation="hdft",
            notified_on=today,
            effective_on=today + timedelta(days=1),
            signatory_name="CEO",
        ),
    )

    async def hdft_not_asked() -> bool:
        return "hdft" not in await review.query(ReviewWorkflow.awaiting)

    await eventually(time_skipping_env, hdft_not_asked)
    state = await handle.query(PartnershipWorkflow.state)
    assert "hdft" not in state.signatories
    await handle.terminate("test over")


async def test_continue_as_new_with_signatures_arriving_around_it(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    """docs/architecture.md principle 6: the state crosses the boundary and no command is lost."""
    config = county_durham.model_copy(update={"slug": f"cdcp-{uuid.uuid4().hex[:6]}"})
    today = (await dev_env.get_current_time()).date()
    handle = await dev_env.client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config, continue_as_new_after_events=12),
        id=partnership_stream(config.slug),
        task_queue=dev_worker.task_queue,
    )
    first_run = handle.first_execution_run_id

    await sign_mou(handle, config, config.signatories[0], today)
    await asyncio.gather(*(sign_mou(handle, config, o, today) for o in config.signatories[1:]))

    latest: Handle = dev_env.client.get_workflow_handle_for(PartnershipWorkflow.run, handle.id)
    state = await latest.query(PartnershipWorkflow.state)
    assert state.is_effective
    assert {s.organisation for s in state.signatures} == set(config.signatories)
    description = await latest.describe()
    assert description.run_id != first_run, "the workflow never continued as new"
    events = await stream_events(store, partnership_stream(config.slug))
    assert len(events) == len(config.signatories) + 1
    assert fold(initial_state(config), events) == state
    await latest.terminate("test over")


async def test_worker_restarted_mid_exit_and_the_partnership_completes_it(
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    county_durham: Partnership,
    delivery: DeliveryActivities,
) -> None:
    """Nothing lost across a worker restart: the exit notified before it takes effect after."""

    def new_worker() -> Worker:
        # No sticky cache, so the server hands the next task to whichever worker is running.
        return build_worker(
            time_skipping_env.client, store, task_queue, delivery, max_cached_workflows=0
        )

    async with new_worker():
        handle, today = await effective_partnership(time_skipping_env, county_durham, task_queue)
        await start_process(
            handle,
            NotifyExit(
                organisation="pcns",
                notified_on=today,
                effective_on=today + timedelta(days=30),
                signatory_name="Clinical Director",
            ),
        )
    async with new_worker():

        async def left() -> bool:
            return "pcns" not in (await handle.query(PartnershipWorkflow.state)).signatories

        # One long sleep past the effective date: with no workflow cache every query replays the
        # whole history, so polling day by day would only slow the test down.
        await time_skipping_env.sleep(timedelta(days=31))
        await eventually(time_skipping_env, left)
        await assert_state_is_fold(store, handle, county_durham)
        await handle.terminate("test over")


async def test_established_joint_committee_becomes_a_body_of_the_partnership(
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    """DCC Cabinet 2022 §6(c): fully operational once every milestone is met; §17 its delegated
    authority."""
    handle, _ = await effective_partnership(time_skipping_env, county_durham, worker.task_queue)
    plan = await plan_from(time_skipping_env)
    start = StartCommittee(
        committee="joint-committee", name="County Durham Joint Committee", plan=plan
    )
    committee_id = (await start_process(handle, start)).process_id
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(handle, StartCommittee(committee="joint-committee", name="Again"))
    assert "already under way" in str(caught.value.cause)

    committee: WorkflowHandle[CommitteeWorkflow, CommitteeResult] = (
        time_skipping_env.client.get_workflow_handle_for(CommitteeWorkflow.run, committee_id)
    )
    await form(committee, plan, ORDER)

    async def established() -> bool:
        state = await handle.query(PartnershipWorkflow.state)
        return any(b.slug == "joint-committee" for b in state.bodies)

    await eventually(time_skipping_env, established)
    state = await handle.query(PartnershipWorkflow.state)
    body = state.body("joint-committee")
    assert {m.organisation for m in body.members} >= {"icb", "dcc"}
    assert await open_process_id(handle, ProcessKind.COMMITTEE) is None
    await assert_state_is_fold(store, handle, county_durham)
    await handle.terminate("test over")
