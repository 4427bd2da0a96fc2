"""The annual MoU review end to end: Temporal's time-skipping server, a real event store.

CDCP MoU §24 (reviewed at least annually, MSE MoU 2020 §1.5), §25 and MSE MoU 2020 §10.1
(varied only by written agreement of all signatories), §27 (a leaver is no longer asked).
Every review is started as staff start it: through its partnership's workflow.
"""

import asyncio
import contextlib
import email
import hashlib
import json
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from domain.aggregates.partnership import RequestReview
from domain.aggregates.review import (
    AgreeVariation,
    OpenReview,
    ProposeVariation,
    RecordResponse,
    RefuseVariation,
    ReviewState,
    SendReviewReminder,
    fold,
    initial_state,
)
from domain.events import (
    DomainEvent,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    ProcessEnded,
    ReminderSent,
    ResponseReceived,
    ReviewConcluded,
    ReviewOpened,
    ReviewOutcome,
    ReviewSignatoryRemoved,
    VariationAgreed,
    VariationProposed,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.rules.dates import add_months, first_review_due
from domain.streams import partnership_stream, review_stream
from eventstore.codec import to_new_event
from eventstore.store import EventStore
from tests.people import email_of, entitled_actor, representative, secretary, shipped, signed, who
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, DeliverActivity, stream_events
from tests.workflows.through_partnership import (
    county_durham,
    effective_partnership,
    start_process,
)
from worker import WORKFLOW_RUNNER, build_worker
from workflows import search_attributes
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.review import ReviewInput, ReviewResult, ReviewUpdate, SignatoryLeft
from workflows.partnership import PartnershipWorkflow
from workflows.registry import ALL_WORKFLOWS
from workflows.review import REMINDER_ACTOR, ReviewWorkflow, decide as review_decide

ASKED = ("icb", "dcc", "tewv")
Handle = WorkflowHandle[ReviewWorkflow, ReviewResult]
T = TypeVar("T")


class Review:
    """One review under test: its partnership, its handle, its stream, its dates."""

    def __init__(
        self,
        client: Client,
        partnership: WorkflowHandle[Any, Any],
        process_id: str,
        config: Partnership,
        opened_on: date,
    ):
        # Without a run id the handle follows continue-as-new to the result, and commands,
        # queries and signals go to the latest run.
        self.partnership = partnership
        self.handle: Handle = client.get_workflow_handle_for(ReviewWorkflow.run, process_id)
        self.latest = self.handle
        self.config = config
        self.stream_id = process_id
        self.review_id = process_id.removeprefix(review_stream(config.slug, ""))
        self.opened_on = opened_on
        self.deadline = opened_on + timedelta(days=config.review_policy.response_days)
        self.variation_id = f"{self.review_id}-variation"

    async def events(self, store: EventStore) -> list[DomainEvent]:
        return await stream_events(store, self.stream_id)

    async def assert_state_is_fold_of_stream(self, store: EventStore) -> ReviewState:
        state = await self.latest.query(ReviewWorkflow.state)
        assert fold(initial_state(self.config.slug), await self.events(store)) == state
        return state

    async def opened(self) -> "Review":
        """Waits until the requests are out: updates sent earlier would meet an unopened review."""
        for _ in range(200):
            # The partnership answers once it has recorded the start, a moment before the
            # review's workflow exists.
            with contextlib.suppress(RPCError):
                state = await self.latest.query(ReviewWorkflow.state)
                if state.status != "not_opened":
                    return self
            await asyncio.sleep(0.05)
        raise AssertionError("the review never opened")

    def send(self, command: ReviewUpdate) -> Coroutine[Any, Any, ReviewState]:
        return self.latest.execute_update(ReviewWorkflow.execute, signed(self.latest.id, command))

    def respond(
        self, organisation: str, confirms: bool = True, on: date | None = None
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.send(
            RecordResponse(
                organisation=organisation,
                received_on=on or self.opened_on,
                confirms_unchanged=confirms,
            )
        )

    def propose(
        self, by: str = "dcc", summary: str = "Add Schedule 3: data sharing"
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.send(
            ProposeVariation(proposed_by=by, summary=summary, proposed_on=self.opened_on)
        )

    def agree(
        self, organisation: str, variation_id: str | None = None
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.send(
            AgreeVariation(
                organisation=organisation,
                variation_id=variation_id or self.variation_id,
                agreed_on=self.opened_on,
            )
        )

    def refuse(self, organisation: str) -> Coroutine[Any, Any, ReviewState]:
        return self.send(
            RefuseVariation(
                organisation=organisation,
                variation_id=self.variation_id,
                refused_on=self.opened_on,
                reason="not agreed by our board",
            )
        )


async def start(
    client: Client, env: WorkflowEnvironment, task_queue: str, **partnership_input: Any
) -> Review:
    """A review of County Durham (under a slug of its own) signed by ASKED only, opened by
    staff through the partnership on the server's date."""
    config = county_durham(ASKED)
    opened_on = (await env.get_current_time()).date()
    partnership = await effective_partnership(
        client, config, task_queue, opened_on, **partnership_input
    )
    started = await start_process(partnership, RequestReview())
    return await Review(client, partnership, started.process_id, config, opened_on).opened()


async def result_after_deadline(review: Review, env: WorkflowEnvironment) -> ReviewResult:
    """The review's result once its response deadline has passed. The test client skips time
    only for a workflow it started, and a review is started by its partnership."""
    now = (await env.get_current_time()).date()
    await env.sleep(timedelta(days=(review.deadline - now).days + 2))
    return await review.handle.result()


def of_type(events: list[DomainEvent], kind: type[T]) -> list[T]:
    return [e for e in events if isinstance(e, kind)]


def assert_notices_delivered(events: list[DomainEvent], outbox: Path) -> None:
    """Every notice issued was delivered once, and the outbox holds exactly the recorded text."""
    issued = of_type(events, NoticeIssued)
    receipts = {d.notice_id: d for d in of_type(events, NoticeDelivered)}
    assert len(receipts) == len(of_type(events, NoticeDelivered)) == len(issued)
    for notice in issued:
        assert notice.content_hash == content_hash(notice.subject, notice.body)
        where, _, digest = receipts[notice.notice_id].reference.rpartition(" sha256=")
        eml = Path(where)
        assert eml.is_relative_to(outbox) and eml.exists()
        assert hashlib.sha256(eml.read_bytes()).hexdigest() == digest
        message = email.message_from_bytes(eml.read_bytes())
        assert message["X-Concordat-Content-Hash"] == notice.content_hash
        assert message["Subject"] == notice.subject


async def describe(client: Client, workflow_id: str) -> DescribeWorkflowExecutionResponse:
    """Raw gRPC describe: the test server returns an unset datetime search attribute in a form
    the SDK's decoding rejects, and a concluded review unsets its next deadline."""
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )


async def assert_status(client: Client, handle: Handle, expected: str) -> None:
    """The STATUS search attribute reaches `expected` (upserts land with the workflow task)."""
    status = None
    for _ in range(100):
        info = (await describe(client, handle.id)).workflow_execution_info
        payload = info.search_attributes.indexed_fields.get(search_attributes.STATUS.name)
        status = json.loads(payload.data) if payload is not None else None
        if status == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"status {status!r}, expected {expected!r}")


async def test_happy_path_every_signatory_confirms_unchanged_000_s24(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    outbox: Path,
) -> None:
    """CDCP MoU §24: every current signatory is asked in writing; all confirm; the MoU stands."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    assert await review.latest.query(ReviewWorkflow.awaiting) == ASKED
    await assert_status(temporal, review.handle, "awaiting-responses")
    for organisation in ASKED:
        state = await review.respond(organisation)
        await review.assert_state_is_fold_of_stream(store)
    assert state.status == "concluded"

    result = await review.handle.result()
    assert result == ReviewResult(
        review_id=review.review_id,
        outcome=ReviewOutcome.CONFIRMED_UNCHANGED,
        concluded_on=review.opened_on,
        next_review_due_on=add_months(review.opened_on, 12),
    )
    events = await review.events(store)
    (opened,) = of_type(events, ReviewOpened)
    assert opened.signatories == ASKED and opened.response_deadline == review.deadline
    requests = [n for n in of_type(events, NoticeIssued) if n.kind is NoticeKind.REVIEW_REQUEST]
    assert [n.recipient for n in requests] == list(ASKED)
    assert {n.respond_by for n in requests} == {review.deadline}
    outcomes = [n for n in of_type(events, NoticeIssued) if n.kind is NoticeKind.OUTCOME]
    assert [n.recipient for n in outcomes] == list(ASKED)
    assert "confirmed unchanged" in outcomes[0].body
    assert not of_type(events, ReminderSent)
    assert_notices_delivered(events, outbox)
    await review.assert_state_is_fold_of_stream(store)
    recorded = await store.read_stream(review.stream_id)
    actors = {e.type: who(e.metadata) for e in recorded}
    secretariat = email_of(secretary(shipped("county-durham")))
    assert actors["ReviewOpened"] == secretariat
    # The last response concludes the review: both recorded as its sender.
    last = email_of(representative(shipped("county-durham"), ASKED[-1]))
    assert actors["ResponseReceived"] == actors["ReviewConcluded"] == last
    assert {e.metadata["workflow_id"] for e in recorded} == {review.handle.id}
    await assert_status(temporal, review.handle, "concluded")
    assert (await store.verify()).intact
    await save_history(review.handle, "review-happy-path")


async def test_variation_agreed_in_writing_by_all_is_adopted_000_s25(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    outbox: Path,
) -> None:
    """CDCP MoU §25, MSE MoU 2020 §10.1: circulated to every signatory; agreed by all, it is
    adopted."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.propose()
    await assert_status(temporal, review.handle, "awaiting-agreement")
    await review.respond("icb")  # a response does not stand in for the written agreement
    assert await review.latest.query(ReviewWorkflow.awaiting) == ASKED
    for organisation in ASKED:
        await review.agree(organisation)
    result = await review.handle.result()
    assert result.outcome is ReviewOutcome.VARIED
    assert result.variation_summary == "Add Schedule 3: data sharing"
    events = await review.events(store)
    variations = [n for n in of_type(events, NoticeIssued) if n.kind is NoticeKind.VARIATION]
    assert [n.recipient for n in variations] == list(ASKED)
    assert "Add Schedule 3: data sharing" in variations[0].body
    assert len(of_type(events, VariationAgreed)) == 3
    assert_notices_delivered(events, outbox)
    await review.assert_state_is_fold_of_stream(store)


async def test_one_refusal_means_the_variation_is_not_adopted_000_s25_003_s10_1(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """CDCP MoU §25, MSE MoU 2020 §10.1: one refusal and the MoU stands unchanged, at once."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.propose()
    await review.agree("dcc")
    state = await review.refuse("tewv")
    assert state.status == "concluded"
    result = await review.handle.result()
    assert result.outcome is ReviewOutcome.LAPSED
    assert result.variation_summary is None
    assert result.concluded_on == review.opened_on
    (concluded,) = of_type(await review.events(store), ReviewConcluded)
    assert concluded.not_agreed_by == ("icb", "tewv")
    await review.assert_state_is_fold_of_stream(store)


async def test_one_agreement_missing_at_the_deadline_lapses_000_s25(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    outbox: Path,
) -> None:
    """CDCP MoU §25: two of three agreements at the deadline are not enough; reminders go only
    to the signatory still owing its decision (P1 policy, weekly)."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.propose()
    await review.agree("icb")
    await review.agree("dcc")
    result = await result_after_deadline(review, time_skipping_env)
    assert result.outcome is ReviewOutcome.LAPSED
    assert result.concluded_on == review.deadline + timedelta(days=1)
    events = await review.events(store)
    (concluded,) = of_type(events, ReviewConcluded)
    assert concluded.not_agreed_by == ("tewv",)
    reminders = of_type(events, ReminderSent)
    assert {r.organisation for r in reminders} == {"tewv"}
    assert [r.sent_on for r in reminders] == [
        review.opened_on + timedelta(days=d) for d in (7, 14, 21, 28)
    ]
    notes = [n for n in of_type(events, NoticeIssued) if n.kind is NoticeKind.REMINDER]
    assert all("agreement to, or refusal of, the proposed variation" in n.body for n in notes)
    assert_notices_delivered(events, outbox)
    recorded = await store.read_stream(review.stream_id)
    actors = {e.type: e.metadata["actor"] for e in recorded}
    assert actors["ReminderSent"] == "timer:review-reminder"
    assert actors["ReviewConcluded"] == "timer:review-deadline"
    await review.assert_state_is_fold_of_stream(store)
    await save_history(review.handle, "review-variation-lapsed-at-deadline")


async def test_reminders_weekly_to_non_responders_only_none_after_deadline_p1(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """P1 policy: weekly reminders to signatories who have not responded, until the deadline;
    CDCP MoU §24: the review concludes at the deadline with the MoU unchanged."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.respond("icb")
    await time_skipping_env.sleep(timedelta(days=8))
    await review.respond("dcc", on=review.opened_on + timedelta(days=8))
    result = await result_after_deadline(review, time_skipping_env)
    assert result.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    events = await review.events(store)
    reminders = [(r.organisation, r.sent_on) for r in of_type(events, ReminderSent)]
    week = [review.opened_on + timedelta(days=d) for d in (7, 14, 21, 28)]
    assert reminders == [("dcc", week[0])] + [("tewv", on) for on in week]
    assert max(sent_on for _, sent_on in reminders) <= review.deadline
    (concluded,) = of_type(events, ReviewConcluded)
    assert concluded.not_responded == ("tewv",)
    await review.assert_state_is_fold_of_stream(store)


async def test_signatory_who_leaves_is_not_asked_and_unanimity_is_over_the_rest_000_s27(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """CDCP MoU §27, §25: a leaver is no longer asked; the remaining signatories' agreement
    suffices. A second signal for the same leaver changes nothing."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.propose()
    left = SignatoryLeft(organisation="tewv", left_on=review.opened_on)
    await review.latest.signal(ReviewWorkflow.signatory_left, left)
    await review.latest.signal(ReviewWorkflow.signatory_left, left)
    await review.agree("icb")
    assert await review.latest.query(ReviewWorkflow.awaiting) == ("dcc",)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await review.agree("tewv")
    assert "tewv is not a signatory" in str(caught.value.cause)
    await review.agree("dcc")
    result = await review.handle.result()
    assert result.outcome is ReviewOutcome.VARIED
    events = await review.events(store)
    assert len(of_type(events, ReviewSignatoryRemoved)) == 1
    outcomes = [n for n in of_type(events, NoticeIssued) if n.kind is NoticeKind.OUTCOME]
    assert [n.recipient for n in outcomes] == ["icb", "dcc"]
    await review.assert_state_is_fold_of_stream(store)


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("second-response", "icb has already responded to review"),
        ("non-signatory", "hdft is not a signatory asked to respond"),
        ("after-deadline", "is after the response deadline"),
        ("unknown-variation", "variation v9 is not before the signatories"),
        ("second-variation", "is already before the signatories"),
    ],
)
async def test_bad_commands_are_refused_and_write_nothing_p1(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    command: str,
    reason: str,
) -> None:
    """CDCP MoU §24: each signatory responds once; only signatories respond; §25 agreement is
    given before the deadline, to the variation actually before the signatories."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.respond("icb")
    await review.propose()
    before = len(await review.events(store))
    late = review.deadline + timedelta(days=1)
    bad: Callable[[], Coroutine[Any, Any, ReviewState]] = {
        "second-response": lambda: review.respond("icb"),
        "non-signatory": lambda: review.respond("hdft"),
        "after-deadline": lambda: review.respond("dcc", on=late),
        "unknown-variation": lambda: review.agree("dcc", variation_id="v9"),
        "second-variation": lambda: review.propose(by="tewv"),
    }[command]
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await bad()
    assert reason in str(caught.value.cause)
    assert len(await review.events(store)) == before
    await review.assert_state_is_fold_of_stream(store)
    await review.partnership.terminate("test over")


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    append_then_fail_once: AppendActivity,
    deliver_then_fail_once: DeliverActivity,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append, and of every delivery
    of a decision's notices with their receipts, commits, then fails."""
    worker = Worker(
        temporal,
        task_queue=task_queue,
        workflows=list(ALL_WORKFLOWS),
        activities=[
            append_then_fail_once,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            deliver_then_fail_once,
            SchedulesActivities(temporal, task_queue).ensure_schedules,
        ],
        workflow_runner=WORKFLOW_RUNNER,
    )
    async with worker:
        review = await start(temporal, time_skipping_env, task_queue)
        await review.propose()
        for organisation in ASKED:
            await review.agree(organisation)
        result = await review.handle.result()
        await review.assert_state_is_fold_of_stream(store)  # queries need a worker
    assert result.outcome is ReviewOutcome.VARIED
    recorded = await store.read_stream(review.stream_id)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)
    assert {e.metadata["attempt"] for e in recorded} == {1}
    events = await review.events(store)
    assert len(of_type(events, NoticeIssued)) == 3 + 3 + 3  # requests, variation, outcome
    assert len(of_type(events, VariationAgreed)) == 3
    assert (await store.verify()).intact


async def test_a_log_that_moved_on_past_the_workflow_is_caught_up_on_and_decided_again(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    worker: Worker,
    outbox: Path,
) -> None:
    """A workflow is its stream's one writer, yet the log can hold more than it has folded:
    after an operator reset it to an earlier workflow task, or Temporal's database was restored
    from an older backup. Here the run that recorded them is gone: a reminder to DCC with its
    notice, undelivered, then DCC's response. The next command finds the stream moved on, folds
    what it holds, delivers the notice, and is decided again on that state, rather than being
    refused, with every command after it, for a version the workflow never reaches."""
    review = await start(temporal, time_skipping_env, task_queue)
    await review.respond("icb")
    state = await review.latest.query(ReviewWorkflow.state)
    reminder = review_decide(
        review.config, state, SendReviewReminder(organisation="dcc", sent_on=review.opened_on)
    )
    response = review_decide(
        review.config,
        fold(state, reminder),
        RecordResponse(organisation="dcc", received_on=review.opened_on, confirms_unchanged=True),
    )
    version = len(await review.events(store))
    gone_run = [
        to_new_event(e, event_id=uuid.uuid4(), occurred_at=datetime.now(UTC), actor=REMINDER_ACTOR)
        for e in reminder + response
    ]
    await store.append(review.stream_id, version, gone_run)

    await review.respond("tewv")
    result = await review.handle.result()

    assert result.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    events = await review.events(store)
    assert [e.organisation for e in of_type(events, ResponseReceived)] == ["icb", "dcc", "tewv"]
    assert [r.organisation for r in of_type(events, ReminderSent)] == ["dcc"]
    assert_notices_delivered(events, outbox)
    await review.assert_state_is_fold_of_stream(store)
    recorded = await store.read_stream(review.stream_id)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert (await store.verify()).intact
    await review.partnership.terminate("test over")


async def test_worker_restarted_mid_review_completes(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
) -> None:
    """A review outlives its worker: a new worker picks it up, its timers and its commands."""
    # No sticky cache on the first worker: on the time-skipping server the sticky queue's
    # timeout would never elapse while the clock is locked, so the task must go to the queue.
    async with build_worker(temporal, store, task_queue, delivery, max_cached_workflows=0):
        review = await start(temporal, time_skipping_env, task_queue)
        await review.respond("icb")
    async with build_worker(temporal, store, task_queue, delivery):
        await review.respond("dcc")
        result = await result_after_deadline(review, time_skipping_env)  # on the new worker
        await review.assert_state_is_fold_of_stream(store)
    assert result.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    events = await review.events(store)
    assert [e.organisation for e in of_type(events, ResponseReceived)] == ["icb", "dcc"]
    assert {r.organisation for r in of_type(events, ReminderSent)} == {"tewv"}


async def test_a_review_started_on_its_own_fails_having_written_nothing_p1(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    """The partnership records the reviews it opens: one started directly on Temporal, not as
    the partnership's child, is refused before it writes anything."""
    config = county_durham(ASKED)
    on = (await time_skipping_env.get_current_time()).date()
    process_id = review_stream(config.slug, f"{on.isoformat()}-direct")
    opening = OpenReview(
        review_id=process_id.removeprefix(review_stream(config.slug, "")),
        opened_on=on,
        due_on=first_review_due(on),
        response_deadline=on + timedelta(days=config.review_policy.response_days),
        mou_version=1,
        signatories=ASKED,
    )
    handle = await temporal.start_workflow(
        ReviewWorkflow.run,
        ReviewInput(
            config=config,
            process_id=process_id,
            opening=opening,
            actor=entitled_actor(config, RequestReview()),
        ),
        id=process_id,
        task_queue=worker.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    assert getattr(caught.value.cause, "type", None) == "NotStartedByPartnership"
    assert await store.read_stream(process_id) == []


async def wait_for_status(
    handle: WorkflowHandle[Any, Any], wanted: WorkflowExecutionStatus
) -> None:
    for _ in range(200):
        with contextlib.suppress(RPCError):  # not started yet
            if (await handle.describe()).status is wanted:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never reached {wanted.name}")


async def test_rebuilt_from_the_log_the_review_carries_on_to_its_end(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    outbox: Path,
) -> None:
    """Temporal's record lost mid-review (the partnership's workflow and the review's both
    terminated): the partnership started again from its log resumes the review, which carries
    on from its own stream, with nothing lost or written twice."""
    review = await start(temporal, time_skipping_env, worker.task_queue)
    await review.respond("icb")
    await review.partnership.terminate("Temporal's record lost")
    with contextlib.suppress(RPCError):  # the partnership's close policy got there first
        await review.handle.terminate("Temporal's record lost")
    await wait_for_status(review.handle, WorkflowExecutionStatus.TERMINATED)

    await temporal.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=review.config),
        id=partnership_stream(review.config.slug),
        task_queue=worker.task_queue,
    )
    await wait_for_status(review.handle, WorkflowExecutionStatus.RUNNING)
    state = await (await review.opened()).assert_state_is_fold_of_stream(store)
    assert state.awaiting == ("dcc", "tewv")
    await review.respond("dcc")
    concluded = await review.respond("tewv")
    assert concluded.status == "concluded"

    result = await review.handle.result()
    assert result.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    events = await review.events(store)
    assert len(of_type(events, ReviewOpened)) == 1
    assert [e.organisation for e in of_type(events, ResponseReceived)] == list(ASKED)
    assert len(of_type(events, ReviewConcluded)) == 1
    assert len(of_type(events, NoticeIssued)) == 3 + 3  # requests, outcome
    assert_notices_delivered(events, outbox)
    await review.assert_state_is_fold_of_stream(store)
    # The partnership records the end once the review's result reaches it, a moment after.
    for _ in range(200):
        partnership_events = await stream_events(store, review.partnership.id)
        if of_type(partnership_events, ProcessEnded):
            break
        await asyncio.sleep(0.05)
    (ended,) = of_type(partnership_events, ProcessEnded)
    assert (ended.process_id, ended.outcome) == (review.stream_id, "confirmed_unchanged")
    assert (await store.verify()).intact


@workflow.defn(name="StandInPartnership", sandboxed=False)
class StandInPartnership:
    """Runs one review as its child under the partnership's workflow id, with the history
    limit the partnership does not pass on, so a test can make the review continue as new."""

    @workflow.run
    async def run(self, input: ReviewInput) -> ReviewResult:
        return await workflow.execute_child_workflow(ReviewWorkflow.run, input, id=input.process_id)


async def test_continue_as_new_with_commands_around_it_loses_nothing(
    dev_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
) -> None:
    """State and stream cross continue-as-new; commands sent around the boundary all land."""
    config = county_durham(ASKED)
    on = (await dev_env.get_current_time()).date()
    process_id = review_stream(config.slug, f"{on.isoformat()}-can")
    opening = OpenReview(
        review_id=process_id.removeprefix(review_stream(config.slug, "")),
        opened_on=on,
        due_on=first_review_due(on),
        response_deadline=on + timedelta(days=config.review_policy.response_days),
        mou_version=1,
        signatories=ASKED,
    )
    review_input = ReviewInput(
        config=config,
        process_id=process_id,
        opening=opening,
        actor=entitled_actor(config, RequestReview()),
        continue_as_new_after_events=25,
    )
    stores = StoreActivities(store)
    async with Worker(
        dev_env.client,
        task_queue=task_queue,
        workflows=[StandInPartnership, ReviewWorkflow],
        activities=[
            stores.append_events,
            stores.read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
        workflow_runner=WORKFLOW_RUNNER,
    ):
        parent = await dev_env.client.start_workflow(
            StandInPartnership.run,
            review_input,
            id=partnership_stream(config.slug),
            task_queue=task_queue,
        )
        review = Review(dev_env.client, parent, process_id, config, on)
        await wait_for_status(review.handle, WorkflowExecutionStatus.RUNNING)
        await review.opened()
        await review.propose()
        await asyncio.gather(review.respond("icb"), review.respond("dcc"), review.agree("icb"))
        await asyncio.gather(review.agree("dcc"), review.respond("tewv"))
        await review.agree("tewv")
        result = await parent.result()
        await review.assert_state_is_fold_of_stream(store)
    assert result.outcome is ReviewOutcome.VARIED
    events = await review.events(store)
    assert len(of_type(events, ResponseReceived)) == 3
    assert len(of_type(events, VariationAgreed)) == 3
    assert len(of_type(events, VariationProposed)) == 1
    assert len(of_type(events, ReviewConcluded)) == 1
    recorded = await store.read_stream(review.stream_id)
    assert len({e.metadata["run_id"] for e in recorded}) > 1, "no run continued as new"


HISTORIES = sorted(FOLDER.glob("review-*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    """A change to ReviewWorkflow that would break reviews in flight fails here."""
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[ReviewWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


def test_a_review_history_is_recorded() -> None:
    assert HISTORIES, (
        "record one: CONCORDAT_RECORD_HISTORIES=1 pytest tests/workflows/test_review.py"
    )
