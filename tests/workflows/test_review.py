"""The annual MoU review end to end: Temporal's time-skipping server, a real event store.

CDCP MoU §24 (reviewed at least annually, MSE MoU 2020 §1.5), §25 and MSE MoU 2020 §10.1
(varied only by written agreement of all signatories), §27 (a leaver is no longer asked).
"""

import asyncio
import email
import json
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.store import StoreActivities
from domain.aggregates.review import ReviewState, fold, initial_state
from domain.events import (
    DomainEvent,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
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
from domain.partnerships_config import load_partnership
from domain.rules.dates import add_months
from eventstore.store import EventStore
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, stream_events
from workflows import search_attributes
from workflows.ids import review_workflow_id
from workflows.review import (
    AgreementRequest,
    RefusalRequest,
    ResponseRequest,
    ReviewInput,
    ReviewResult,
    ReviewWorkflow,
    SignatoryLeft,
    VariationRequest,
)

ASKED = ("icb", "dcc", "tewv")
STAFF = "officer@concordat.test"
Handle = WorkflowHandle[ReviewWorkflow, ReviewResult]
T = TypeVar("T")


@pytest.fixture
def county_durham() -> Partnership:
    return load_partnership("county-durham")


def review_worker(
    client: Client, task_queue: str, store: EventStore, delivery: DeliveryActivities, **kw: Any
) -> Worker:
    activities: list[Any] = kw.pop("activities", None) or [StoreActivities(store).append_events]
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ReviewWorkflow],
        activities=[*activities, delivery.deliver_notice],
        **kw,
    )


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with review_worker(temporal, task_queue, store, delivery) as running:
        yield running


class Review:
    """One review under test: its handle, its stream, its dates."""

    def __init__(
        self, client: Client, handle: Handle, config: Partnership, review_id: str, opened_on: date
    ):
        # `handle` (from the start) follows continue-as-new to the result; commands, queries
        # and signals go to the latest run, wherever continue-as-new has taken it.
        self.handle = handle
        self.latest = client.get_workflow_handle_for(ReviewWorkflow.run, handle.id)
        self.config = config
        self.review_id = review_id
        self.opened_on = opened_on
        self.deadline = opened_on + timedelta(days=config.review_policy.response_days)
        self.variation_id = f"{review_id}-variation"

    @property
    def stream_id(self) -> str:
        return review_workflow_id(self.config.slug, self.review_id)

    async def events(self, store: EventStore) -> list[DomainEvent]:
        return await stream_events(store, self.stream_id)

    async def assert_state_is_fold_of_stream(self, store: EventStore) -> ReviewState:
        state = await self.latest.query(ReviewWorkflow.state)
        assert fold(initial_state(self.config.slug), await self.events(store)) == state
        return state

    async def opened(self) -> "Review":
        """Waits until the requests are out: updates sent earlier would meet an unopened review."""
        for _ in range(200):
            state = await self.latest.query(ReviewWorkflow.state)
            if state.status != "not_opened":
                return self
            await asyncio.sleep(0.05)
        raise AssertionError("the review never opened")

    def respond(
        self, organisation: str, confirms: bool = True, on: date | None = None
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.latest.execute_update(
            ReviewWorkflow.respond,
            ResponseRequest(
                organisation=organisation,
                received_on=on or self.opened_on,
                confirms_unchanged=confirms,
                actor=STAFF,
            ),
        )

    def propose(
        self, by: str = "dcc", summary: str = "Add Schedule 3: data sharing"
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.latest.execute_update(
            ReviewWorkflow.propose_variation,
            VariationRequest(
                proposed_by=by, summary=summary, proposed_on=self.opened_on, actor=STAFF
            ),
        )

    def agree(
        self, organisation: str, variation_id: str | None = None
    ) -> Coroutine[Any, Any, ReviewState]:
        return self.latest.execute_update(
            ReviewWorkflow.agree_variation,
            AgreementRequest(
                organisation=organisation,
                variation_id=variation_id or self.variation_id,
                agreed_on=self.opened_on,
                actor=STAFF,
            ),
        )

    def refuse(self, organisation: str) -> Coroutine[Any, Any, ReviewState]:
        return self.latest.execute_update(
            ReviewWorkflow.refuse_variation,
            RefusalRequest(
                organisation=organisation,
                variation_id=self.variation_id,
                refused_on=self.opened_on,
                reason="not agreed by our board",
                actor=STAFF,
            ),
        )


async def start(
    client: Client,
    env: WorkflowEnvironment,
    config: Partnership,
    task_queue: str,
    **overrides: Any,
) -> Review:
    # A unique review per test: the dev server is shared by the whole session.
    review_id = f"2023-08-23-{uuid.uuid4().hex[:6]}"
    opened_on = (await env.get_current_time()).date()
    review_input = ReviewInput(
        config=config,
        review_id=review_id,
        due_on=opened_on + timedelta(days=config.review_policy.lead_time_days),
        opened_on=opened_on,
        mou_version=1,
        signatories=ASKED,
        actor="timer:annual-review",
        **overrides,
    )
    handle = await client.start_workflow(
        ReviewWorkflow.run,
        review_input,
        id=review_workflow_id(config.slug, review_id),
        task_queue=task_queue,
    )
    return await Review(client, handle, config, review_id, opened_on).opened()


def of_type(events: list[DomainEvent], kind: type[T]) -> list[T]:
    return [e for e in events if isinstance(e, kind)]


def assert_notices_delivered(events: list[DomainEvent], outbox: Path) -> None:
    """Every notice issued was delivered once, and the outbox holds exactly the recorded text."""
    issued = of_type(events, NoticeIssued)
    receipts = {d.notice_id: d for d in of_type(events, NoticeDelivered)}
    assert len(receipts) == len(of_type(events, NoticeDelivered)) == len(issued)
    for notice in issued:
        assert notice.content_hash == content_hash(notice.subject, notice.body)
        eml = Path(receipts[notice.notice_id].reference)
        assert eml.is_relative_to(outbox) and eml.exists()
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
    county_durham: Partnership,
) -> None:
    """CDCP MoU §24: every current signatory is asked in writing; all confirm; the MoU stands."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
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
    actors = {e.type: e.metadata["actor"] for e in recorded}
    assert actors["ReviewOpened"] == "timer:annual-review"
    assert actors["ResponseReceived"] == actors["ReviewConcluded"] == STAFF
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
    county_durham: Partnership,
) -> None:
    """CDCP MoU §25, MSE MoU 2020 §10.1: circulated to every signatory; agreed by all, it is
    adopted."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
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
    county_durham: Partnership,
) -> None:
    """CDCP MoU §25, MSE MoU 2020 §10.1: one refusal and the MoU stands unchanged, at once."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
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
    county_durham: Partnership,
) -> None:
    """CDCP MoU §25: two of three agreements at the deadline are not enough; reminders go only
    to the signatory still owing its decision (P1 policy, weekly)."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
    await review.propose()
    await review.agree("icb")
    await review.agree("dcc")
    result = await review.handle.result()  # time skips to the deadline
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
    assert all("agreement or refusal of variation" in n.body for n in notes)
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
    county_durham: Partnership,
) -> None:
    """P1 policy: weekly reminders to signatories who have not responded, until the deadline;
    CDCP MoU §24: the review concludes at the deadline with the MoU unchanged."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
    await review.respond("icb")
    await time_skipping_env.sleep(timedelta(days=8))
    await review.respond("dcc", on=review.opened_on + timedelta(days=8))
    result = await review.handle.result()
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
    county_durham: Partnership,
) -> None:
    """CDCP MoU §27, §25: a leaver is no longer asked; the remaining signatories' agreement
    suffices. A second signal for the same leaver changes nothing."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
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
    county_durham: Partnership,
    command: str,
    reason: str,
) -> None:
    """CDCP MoU §24: each signatory responds once; only signatories respond; §25 agreement is
    given before the deadline, to the variation actually before the signatories."""
    review = await start(temporal, time_skipping_env, county_durham, worker.task_queue)
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
    await review.handle.terminate("test over")


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
    worker = review_worker(
        temporal, task_queue, store, delivery, activities=[append_then_fail_once]
    )
    async with worker:
        review = await start(temporal, time_skipping_env, county_durham, task_queue)
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


async def test_worker_restarted_mid_review_completes(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
) -> None:
    """A review outlives its worker: a new worker picks it up, its timers and its commands."""
    # No sticky cache on the first worker: on the time-skipping server the sticky queue's
    # timeout would never elapse while the clock is locked, so the task must go to the queue.
    async with review_worker(temporal, task_queue, store, delivery, max_cached_workflows=0):
        review = await start(temporal, time_skipping_env, county_durham, task_queue)
        await review.respond("icb")
    async with review_worker(temporal, task_queue, store, delivery):
        await review.respond("dcc")
        result = await review.handle.result()  # the deadline passes on the new worker
        await review.assert_state_is_fold_of_stream(store)
    assert result.outcome is ReviewOutcome.CONFIRMED_UNCHANGED
    events = await review.events(store)
    assert [e.organisation for e in of_type(events, ResponseReceived)] == ["icb", "dcc"]
    assert {r.organisation for r in of_type(events, ReminderSent)} == {"tewv"}


async def test_continue_as_new_with_commands_around_it_loses_nothing(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    """State and stream cross continue-as-new; commands sent around the boundary all land."""
    review = await start(
        dev_env.client,
        dev_env,
        county_durham,
        dev_worker.task_queue,
        continue_as_new_after_events=25,
    )
    await review.propose()
    await asyncio.gather(review.respond("icb"), review.respond("dcc"), review.agree("icb"))
    await asyncio.gather(review.agree("dcc"), review.respond("tewv"))
    await review.agree("tewv")
    result = await review.handle.result()
    assert result.outcome is ReviewOutcome.VARIED
    events = await review.events(store)
    assert len(of_type(events, ResponseReceived)) == 3
    assert len(of_type(events, VariationAgreed)) == 3
    assert len(of_type(events, VariationProposed)) == 1
    assert len(of_type(events, ReviewConcluded)) == 1
    await review.assert_state_is_fold_of_stream(store)
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
