"""Joint committee formation end to end: Temporal's time-skipping server, a real event store.

DCC Cabinet 2022 (14 Sep 2022): a Joint Committee co-produced with the ICB, in
shadow form from October 2022, fully operational from April 2023 (§6); delegated authority agreed
by all partners, in particular the ICB and the Council (§17); membership at least the list of §19;
guidance awaited may change the plan (7(c), §29). P3 policy: a missed target date is escalated in
writing to the milestone's owner and the partnership's executive.
"""

import asyncio
import email
import email.policy
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.contracts import Appended, AppendRequest
from activities.delivery import DeliveryActivities
from activities.store import StoreActivities
from domain.aggregates.committee import CommitteeState, fold, initial_state
from domain.bodies import BodyKind
from domain.committee_plans import PlanMilestone, shift_plan
from domain.events import (
    CommitteeEstablished,
    CommitteeMemberConfirmed,
    FormationStarted,
    MilestoneAgreed,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MilestoneSlipped,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
)
from domain.notices import content_hash
from domain.organisations import Sector
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.committee_membership import MinimumCategory as C
from domain.rules.committee_membership import ProposedSeat
from eventstore.store import EventStore
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, stream_events
from workflows import search_attributes
from workflows.committee import (
    AgreementRequest,
    CommitteeInput,
    CommitteeResult,
    CommitteeWorkflow,
    GuidanceRequest,
    MeetRequest,
    MembershipRequest,
    ReplanRequest,
)
from workflows.ids import committee_workflow_id

Handle = WorkflowHandle[CommitteeWorkflow, CommitteeResult]
ACTOR = "officer@concordat.test"
STREAM = committee_workflow_id("county-durham", "joint-committee")
PARTNERS = ("icb", "dcc", "cddft", "tewv", "hdft", "pcns", "durham-community-action", "healthwatch")


def seat(
    name: str, organisation: str | None, sector: Sector, *covers: C, chair: bool = False
) -> ProposedSeat:
    return ProposedSeat(
        seat=name,
        role=name.replace("-", " ").capitalize(),
        organisation=organisation,
        sector=sector,
        covers=covers,
        chair=chair,
    )


FULL_MEMBERSHIP = (
    seat("independent-chair", None, Sector.OTHER, chair=True),
    seat("icb-director-of-place", "icb", Sector.HEALTH, C.ICB_OFFICER),
    seat("dcc-director-adults", "dcc", Sector.SOCIAL_CARE, C.ADULT_CARE),
    seat("dcc-director-children", "dcc", Sector.SOCIAL_CARE, C.CHILDREN_AND_YOUNG_PEOPLE),
    seat("director-of-public-health", "dcc", Sector.HEALTH, C.PUBLIC_HEALTH),
    seat("pcn-clinical-director", "pcns", Sector.HEALTH, C.PRIMARY_CARE_CLINICIAN),
    seat("cddft-medical-director", "cddft", Sector.HEALTH, C.COMMUNITY_CARE_CLINICIAN,
         C.SECONDARY_CARE_CLINICIAN),
    seat("tewv-chief-executive", "tewv", Sector.HEALTH, C.NHS_TRUST_OFFICER),
    seat("durham-community-action", "durham-community-action", Sector.OTHER, C.VOLUNTARY_SECTOR),
    seat("healthwatch-chair", "healthwatch", Sector.OTHER, C.PATIENTS_AND_SERVICE_USERS),
)  # fmt: skip

PLAN = load_partnership("county-durham").committee_plan("joint-committee")
# Agreements each milestone needs before it can be met (the plan's `needs_agreement_of`).
AGREEMENTS = {m.milestone_id: m.needs_agreement_of for m in PLAN.milestones}
ORDER = tuple(m.milestone_id for m in PLAN.milestones)


@pytest.fixture
def county_durham() -> Partnership:
    return load_partnership("county-durham")


@pytest.fixture
async def worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with committee_worker(temporal, task_queue, store, delivery) as running:
        yield running


def committee_worker(
    temporal: Client,
    task_queue: str,
    store: EventStore,
    delivery: DeliveryActivities,
    append: Callable[[AppendRequest], Awaitable[Appended]] | None = None,
    **options: Any,
) -> Worker:
    return Worker(
        temporal,
        task_queue=task_queue,
        workflows=[CommitteeWorkflow],
        activities=[append or StoreActivities(store).append_events, delivery.deliver_notice],
        **options,
    )


async def plan_from(env: WorkflowEnvironment, days_ahead: int = 3) -> tuple[PlanMilestone, ...]:
    """The County Durham plan, moved so that its first target is `days_ahead` of the server's
    clock (time-skipping moves that clock ahead of the wall clock), intervals kept."""
    now = (await env.get_current_time()).date()
    return shift_plan(PLAN.milestones, now + timedelta(days=days_ahead))


async def start(
    client: Client,
    config: Partnership,
    task_queue: str,
    plan: tuple[PlanMilestone, ...],
    **options: Any,
) -> Handle:
    return await client.start_workflow(
        CommitteeWorkflow.run,
        CommitteeInput(
            config=config, committee="joint-committee", name="County Durham Joint Committee",
            preferred_option=PLAN.preferred_option, plan=plan, reports_to=PLAN.reports_to,
            actor=ACTOR, **options,
        ),
        id=f"{STREAM}:{uuid.uuid4().hex[:6]}",
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )  # fmt: skip


def targets(plan: tuple[PlanMilestone, ...]) -> dict[str, date]:
    return {m.milestone_id: m.target_on for m in plan}


async def meet(handle: Handle, milestone: str, on: date, evidence: str = "") -> CommitteeState:
    for organisation in AGREEMENTS[milestone]:
        await handle.execute_update(
            CommitteeWorkflow.record_agreement,
            AgreementRequest(
                milestone=milestone, agreed_by=organisation, agreed_on=on, actor=ACTOR
            ),
        )
    return await handle.execute_update(
        CommitteeWorkflow.meet_milestone,
        MeetRequest(milestone=milestone, met_on=on, evidence=evidence or f"minute of {on}",
                    actor=ACTOR),
    )  # fmt: skip


async def confirm_membership(handle: Handle, on: date) -> CommitteeState:
    return await handle.execute_update(
        CommitteeWorkflow.confirm_membership,
        MembershipRequest(seats=FULL_MEMBERSHIP, confirmed_on=on, actor=ACTOR),
    )


async def form(
    handle: Handle, plan: tuple[PlanMilestone, ...], milestones: tuple[str, ...]
) -> None:
    """Meets `milestones` in order on their target dates, confirming the membership on the way."""
    on = targets(plan)
    for milestone in milestones:
        if milestone == "membership-confirmed":
            await confirm_membership(handle, on[milestone])
        await meet(handle, milestone, on[milestone])


async def assert_state_is_fold_of_stream(store: EventStore, state: CommitteeState) -> None:
    assert fold(initial_state("county-durham"), await stream_events(store, STREAM)) == state


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached")


async def raw_description(client: Client, handle: Handle) -> DescribeWorkflowExecutionResponse:
    """The latest run's description, unparsed (see `raw_search_attributes`)."""
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )


async def raw_search_attributes(client: Client, handle: Handle) -> dict[str, Any]:
    """The search attributes as stored: the test server keeps an unset datetime as empty, which
    `describe()` cannot parse, so they are read from the raw description."""
    raw = await raw_description(client, handle)
    fields = raw.workflow_execution_info.search_attributes.indexed_fields
    return {name: json.loads(p.data) if p.data else None for name, p in fields.items()}


async def refused(handle: Handle, update: Any, request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, request)
    return str(caught.value.cause)


# ------------------------------------------------------------------------------ happy path


async def test_committee_is_established_when_the_last_milestone_is_met_002(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """Cabinet 14 Sep 2022 → shadow form October 2022 → operational April 2023 (DCC Cabinet 2022 §6,
    7(b)), rehearsed with the plan's intervals from a few days ahead."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    assert (on["operational"] - on["preferred-option"]).days == 199
    assert (on["shadow-form"] - on["preferred-option"]).days == 47

    state = await meet(
        handle, "preferred-option", on["preferred-option"], "Cabinet minute 14 Sep 2022"
    )
    assert state.status == "forming"
    await form(handle, plan, ORDER[1:-1])
    statuses = await handle.query(CommitteeWorkflow.milestones)
    assert [s.status for s in statuses] == ["met"] * 8 + ["planned"]
    assert statuses[-1].dependencies_outstanding == ()
    await assert_state_is_fold_of_stream(store, await handle.query(CommitteeWorkflow.state))
    await meet(handle, "operational", on["operational"])

    result = await handle.result()
    assert result.committee == "joint-committee"
    assert result.established_on == on["operational"]
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    assert result.milestones[0].met_on == on["preferred-option"]
    body = result.body
    assert body.kind is BodyKind.JOINT_COMMITTEE and body.slug == "joint-committee"
    assert body.chair == "independent-chair"
    assert [m.seat for m in body.members] == [s.seat for s in FULL_MEMBERSHIP]
    assert body.answers_to == ("icb", "hwbb", "cabinet")  # DCC Cabinet 2022 §17

    events = await stream_events(store, STREAM)
    assert [type(e) for e in events[:10]] == [FormationStarted] + [MilestonePlanned] * 9
    assert sum(isinstance(e, MilestoneAgreed) for e in events) == 1 + 1 + len(PARTNERS)
    assert [e.milestone_id for e in events if isinstance(e, MilestoneMet)] == list(ORDER)
    assert sum(isinstance(e, CommitteeMemberConfirmed) for e in events) == len(FULL_MEMBERSHIP)
    assert isinstance(events[-1], CommitteeEstablished)
    met = next(e for e in events if isinstance(e, MilestoneMet))
    assert met.evidence == "Cabinet minute 14 Sep 2022"
    final = await handle.query(CommitteeWorkflow.state)
    assert final.status == "established"
    await assert_state_is_fold_of_stream(store, final)
    recorded = await store.read_stream(STREAM)
    assert {e.metadata["actor"] for e in recorded} == {ACTOR}
    assert (await store.verify()).intact
    attributes = await raw_search_attributes(temporal, handle)
    assert attributes[search_attributes.PARTNERSHIP.name] == "county-durham"
    assert attributes[search_attributes.PROCESS.name] == "committee"
    assert attributes[search_attributes.STATUS.name] == "established"
    assert attributes.get(search_attributes.NEXT_DEADLINE.name) is None
    await save_history(handle, "committee-happy-path")


# ---------------------------------------------------------------------------------- rules


async def test_milestone_cannot_be_met_before_its_dependencies_p3(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """P3: co-production with the ICB (DCC Cabinet 2022 §6(a)) waits for Cabinet's preferred option
    (7(b))."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    await handle.execute_update(
        CommitteeWorkflow.record_agreement,
        AgreementRequest(milestone="co-production", agreed_by="icb", agreed_on=on["co-production"],
                         actor=ACTOR),
    )  # fmt: skip
    before = await stream_events(store, STREAM)
    reason = await refused(
        handle,
        CommitteeWorkflow.meet_milestone,
        MeetRequest(milestone="co-production", met_on=on["co-production"], evidence="ICB letter",
                    actor=ACTOR),
    )  # fmt: skip
    assert "cannot be met before 'preferred-option'" in reason
    assert await stream_events(store, STREAM) == before
    await handle.terminate("test over")


async def test_delegated_authority_needs_the_icb_and_the_council_002_s17(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """DCC Cabinet 2022 §17: levels of delegated authority need the agreement of all partners,
    "especially the statutory bodies of the ICB and the Council"."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    await form(handle, plan, ORDER[:4])
    day = on["delegation-agreed"]
    for organisation in PARTNERS[2:]:
        await handle.execute_update(
            CommitteeWorkflow.record_agreement,
            AgreementRequest(milestone="delegation-agreed", agreed_by=organisation, agreed_on=day,
                             actor=ACTOR),
        )  # fmt: skip
    meeting = MeetRequest(milestone="delegation-agreed", met_on=day, evidence="MoU", actor=ACTOR)
    reason = await refused(handle, CommitteeWorkflow.meet_milestone, meeting)
    assert "still needs the agreement of icb, dcc (DCC Cabinet 2022 §17)" in reason
    await handle.execute_update(
        CommitteeWorkflow.record_agreement,
        AgreementRequest(
            milestone="delegation-agreed", agreed_by="icb", agreed_on=day, actor=ACTOR
        ),
    )
    reason = await refused(handle, CommitteeWorkflow.meet_milestone, meeting)
    assert "still needs the agreement of dcc (DCC Cabinet 2022 §17)" in reason
    await handle.execute_update(
        CommitteeWorkflow.record_agreement,
        AgreementRequest(
            milestone="delegation-agreed", agreed_by="dcc", agreed_on=day, actor=ACTOR
        ),
    )
    state = await handle.execute_update(CommitteeWorkflow.meet_milestone, meeting)
    assert state.milestone("delegation-agreed").met_on == day
    await assert_state_is_fold_of_stream(store, state)
    await handle.terminate("test over")


async def test_membership_short_of_the_minimum_list_is_refused_002_s19(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """DCC Cabinet 2022 §19 (a)-(g): a membership without patients and service users or a secondary
    care clinician is refused, naming what is missing; the committee cannot be established without a
    confirmed membership."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    await form(handle, plan, ORDER[:6])
    short = tuple(
        s.model_copy(
            update={"covers": tuple(c for c in s.covers if c != C.SECONDARY_CARE_CLINICIAN)}
        )
        for s in FULL_MEMBERSHIP
        if s.seat != "healthwatch-chair"
    )
    before = await stream_events(store, STREAM)
    request = MembershipRequest(seats=short, confirmed_on=on["membership-confirmed"], actor=ACTOR)
    reason = await refused(handle, CommitteeWorkflow.confirm_membership, request)
    assert "does not meet the minimum list of DCC Cabinet 2022 §19" in reason
    assert "(d) a clinical leader from secondary care; (g) patients and service users" in reason
    stranger = (*FULL_MEMBERSHIP, seat("leeds-gp", "nhs-leeds", Sector.HEALTH))
    request = MembershipRequest(
        seats=stranger, confirmed_on=on["membership-confirmed"], actor=ACTOR
    )
    reason = await refused(handle, CommitteeWorkflow.confirm_membership, request)
    assert "'nhs-leeds' is not an organisation of county-durham" in reason
    assert await stream_events(store, STREAM) == before

    # Every milestone but the last met, with no membership confirmed: establishment is refused.
    for milestone in ("membership-confirmed", "constitution-reviewed"):
        await meet(handle, milestone, on[milestone])
    last = MeetRequest(milestone="operational", met_on=on["operational"], evidence="go-live",
                       actor=ACTOR)  # fmt: skip
    reason = await refused(handle, CommitteeWorkflow.meet_milestone, last)
    assert (
        "before its membership is confirmed against the minimum list of DCC Cabinet 2022 §19"
        in reason
    )
    state = await handle.query(CommitteeWorkflow.state)
    assert state.milestone("operational").met_on is None
    await confirm_membership(handle, on["operational"])
    await handle.execute_update(CommitteeWorkflow.meet_milestone, last)
    assert (await handle.result()).body.chair == "independent-chair"
    await assert_state_is_fold_of_stream(store, await handle.query(CommitteeWorkflow.state))


@pytest.mark.parametrize(
    ("update", "request_", "reason"),
    [
        (
            CommitteeWorkflow.meet_milestone,
            MeetRequest(milestone="launch", met_on=date(2030, 1, 1), evidence="x", actor=ACTOR),
            "no milestone 'launch'",
        ),
        (
            CommitteeWorkflow.record_agreement,
            AgreementRequest(milestone="shadow-form", agreed_by="icb", agreed_on=date(2030, 1, 1),
                             actor=ACTOR),
            "does not need the agreement of icb",
        ),
        (
            CommitteeWorkflow.replan_milestone,
            ReplanRequest(milestone="shadow-form", new_target=date(2099, 1, 1), reason="late",
                          actor=ACTOR),
            "re-planned only once Government guidance is published (DCC Cabinet 2022 7(c), §29)",
        ),
        (
            CommitteeWorkflow.publish_guidance,
            GuidanceRequest(summary="x", published_on=date(2030, 1, 1), new_preferred_option="",
                            actor=ACTOR),
            "must name the new one",
        ),
    ],
)  # fmt: skip
async def test_bad_commands_are_refused_and_write_nothing(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
    update: Any,
    request_: Any,
    reason: str,
) -> None:
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    await eventually(lambda: _has_events(store, 10))
    assert reason in await refused(handle, update, request_)
    assert len(await stream_events(store, STREAM)) == 10
    await handle.terminate("test over")


async def _has_events(store: EventStore, count: int) -> bool:
    return len(await stream_events(store, STREAM)) >= count


# ------------------------------------------------------------------------------ deadlines


def notices_of(events: list[Any]) -> list[NoticeIssued]:
    return [e for e in events if isinstance(e, NoticeIssued)]


def assert_delivered_to_outbox(outbox: Path, notices: list[NoticeIssued]) -> None:
    files = sorted((outbox / "county-durham").glob("*.eml"))
    assert len(files) == len(notices)
    for notice in notices:
        assert notice.content_hash == content_hash(notice.subject, notice.body)
        found = [
            m
            for f in files
            if (m := email.message_from_bytes(f.read_bytes(), policy=email.policy.default))[
                "X-Concordat-Notice"
            ]
            == notice.notice_id
        ]
        assert len(found) == 1
        assert found[0]["X-Concordat-Content-Hash"] == notice.content_hash
        assert found[0]["Subject"] == notice.subject


async def test_missed_target_raises_slippage_notices_to_owner_and_executive_p3(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
    outbox: Path,
) -> None:
    """P3 policy: the preferred option (owner: the Council) not agreed by its target date is
    escalated in writing to the Council and to the CDCP Executive (CDCPE ToR §2); once slipped
    the owner may re-plan it, and the timer watches the new date."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    await eventually(lambda: _has_events(store, 10))
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(search_attributes.STATUS) == "forming"
    deadline = attributes.get(search_attributes.NEXT_DEADLINE)
    assert deadline is not None and deadline.date() == on["preferred-option"] + timedelta(days=1)

    await time_skipping_env.sleep(timedelta(days=4))
    await eventually(lambda: _has_events(store, 10 + 1 + 2 + 2))
    events = (await stream_events(store, STREAM))[10:]
    assert [type(e) for e in events] == [MilestoneSlipped, NoticeIssued, NoticeIssued,
                                         NoticeDelivered, NoticeDelivered]  # fmt: skip
    slipped = events[0]
    assert isinstance(slipped, MilestoneSlipped)
    assert (slipped.milestone_id, slipped.owner) == ("preferred-option", "dcc")
    assert slipped.target_on == on["preferred-option"]
    notices = notices_of(events)
    assert [n.recipient for n in notices] == ["dcc", "cdcpe"]
    assert {n.kind for n in notices} == {NoticeKind.SLIPPAGE}
    assert "Durham County Council" in notices[0].body
    assert_delivered_to_outbox(outbox, notices)
    recorded = await store.read_stream(STREAM)
    assert {e.metadata["actor"] for e in recorded[10:]} == {"timer:slippage"}
    state = await handle.query(CommitteeWorkflow.state)
    assert state.status == "slipping"
    await assert_state_is_fold_of_stream(store, state)
    statuses = {s.milestone_id: s for s in await handle.query(CommitteeWorkflow.milestones)}
    assert statuses["preferred-option"].status == "slipped"
    assert statuses["preferred-option"].agreements_outstanding == ("cabinet",)

    # The owner re-plans the slipped milestone: a new target, and a new timer for it.
    now = (await time_skipping_env.get_current_time()).date()
    new_target = now + timedelta(days=5)
    state = await handle.execute_update(
        CommitteeWorkflow.replan_milestone,
        ReplanRequest(milestone="preferred-option", new_target=new_target,
                      reason="Cabinet meeting moved", actor=ACTOR),
    )  # fmt: skip
    assert state.status == "forming"
    statuses = {s.milestone_id: s for s in await handle.query(CommitteeWorkflow.milestones)}
    assert statuses["preferred-option"].status == "replanned"
    await time_skipping_env.sleep(timedelta(days=6))
    await eventually(lambda: _has_events(store, 16 + 5))
    again = (await stream_events(store, STREAM))[-5:]
    assert isinstance(again[0], MilestoneSlipped) and again[0].target_on == new_target
    assert_delivered_to_outbox(outbox, notices_of(await stream_events(store, STREAM)))
    await save_history(handle, "committee-slippage")
    await handle.terminate("test over")


async def test_guidance_published_lets_the_owner_replan_and_resets_the_timer_002_s29(
    temporal: Client,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """DCC Cabinet 2022 7(c), §29: Government guidance "may be published which would have an impact
    on the preferred option"; once it is, the owner re-plans and the slippage timer moves with
    it."""
    plan = await plan_from(time_skipping_env)
    handle = await start(temporal, county_durham, worker.task_queue, plan)
    on = targets(plan)
    now = (await time_skipping_env.get_current_time()).date()
    state = await handle.execute_update(
        CommitteeWorkflow.publish_guidance,
        GuidanceRequest(summary="Place-based partnership guidance", published_on=now,
                        new_preferred_option="Committee of the ICB (DCC Cabinet 2022 §11(c))",
                        actor=ACTOR),
    )  # fmt: skip
    assert state.preferred_option == "Committee of the ICB (DCC Cabinet 2022 §11(c))"
    new_target = on["preferred-option"] + timedelta(days=30)
    await handle.execute_update(
        CommitteeWorkflow.replan_milestone,
        ReplanRequest(milestone="preferred-option", new_target=new_target,
                      reason="guidance changes the option", actor=ACTOR),
    )  # fmt: skip
    attributes = (await handle.describe()).typed_search_attributes
    deadline = attributes.get(search_attributes.NEXT_DEADLINE)
    assert deadline is not None and deadline.date() == on["co-production"] + timedelta(days=1)

    # The old target passes with no slippage: the timer was reset.
    await time_skipping_env.sleep(timedelta(days=5))
    await asyncio.sleep(0.5)
    events = await stream_events(store, STREAM)
    assert not [e for e in events if isinstance(e, MilestoneSlipped)]
    assert isinstance(events[-1], MilestoneReplanned)

    # Past the new target both it and the (unmoved) co-production milestone have slipped.
    await time_skipping_env.sleep(timedelta(days=30))
    await eventually(lambda: _slipped(store, 2))
    slipped = [e for e in await stream_events(store, STREAM) if isinstance(e, MilestoneSlipped)]
    assert {(e.milestone_id, e.target_on) for e in slipped} == {
        ("preferred-option", new_target),
        ("co-production", on["co-production"]),
    }
    await handle.terminate("test over")


async def _slipped(store: EventStore, count: int) -> bool:
    events = await stream_events(store, STREAM)
    return sum(isinstance(e, NoticeDelivered) for e in events) >= 2 * count - 1 and (
        sum(isinstance(e, MilestoneSlipped) for e in events) >= count
    )


# ---------------------------------------------------------------------------- resilience


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    county_durham: Partnership,
    delivery: DeliveryActivities,
    time_skipping_env: WorkflowEnvironment,
    append_then_fail_once: AppendActivity,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append commits, then fails."""
    plan = await plan_from(time_skipping_env)
    async with committee_worker(temporal, task_queue, store, delivery, append_then_fail_once):
        handle = await start(temporal, county_durham, task_queue, plan)
        await form(handle, plan, ORDER)
        result = await handle.result()

    recorded = await store.read_stream(STREAM)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)
    assert {e.metadata["attempt"] for e in recorded} == {1}
    events = await stream_events(store, STREAM)
    assert [e.milestone_id for e in events if isinstance(e, MilestoneMet)] == list(ORDER)
    assert sum(isinstance(e, CommitteeEstablished) for e in events) == 1
    assert result.established_on == targets(plan)["operational"]
    assert (await store.verify()).intact


async def test_a_restarted_worker_completes_the_formation(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    county_durham: Partnership,
    delivery: DeliveryActivities,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    # No sticky cache: the test server does not hand a dead worker's sticky tasks on, and the
    # new worker must rebuild the workflow from its history, as after a real restart.
    plan = await plan_from(time_skipping_env)
    async with committee_worker(temporal, task_queue, store, delivery, max_cached_workflows=0):
        handle = await start(temporal, county_durham, task_queue, plan)
        await form(handle, plan, ORDER[:4])
    async with committee_worker(temporal, task_queue, store, delivery, max_cached_workflows=0):
        await form(handle, plan, ORDER[4:])
        result = await handle.result()
        final = await handle.query(CommitteeWorkflow.state)
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    await assert_state_is_fold_of_stream(store, final)


async def test_continue_as_new_with_commands_around_it_loses_nothing(
    dev_env: WorkflowEnvironment, dev_worker: Worker, store: EventStore, county_durham: Partnership
) -> None:
    """The formation continues as new past a small history; agreements sent side by side around
    the boundary are all recorded, once, and the state carried over equals the stream's fold."""
    temporal = dev_env.client
    plan = await plan_from(dev_env)
    handle = await start(
        temporal, county_durham, dev_worker.task_queue, plan, continue_as_new_after_events=40
    )
    await form(handle, plan, ORDER[:4])
    day = targets(plan)["delegation-agreed"]
    await asyncio.gather(
        *(
            handle.execute_update(
                CommitteeWorkflow.record_agreement,
                AgreementRequest(milestone="delegation-agreed", agreed_by=o, agreed_on=day,
                                 actor=ACTOR),
            )
            for o in PARTNERS
        )
    )  # fmt: skip
    await handle.execute_update(
        CommitteeWorkflow.meet_milestone,
        MeetRequest(milestone="delegation-agreed", met_on=day, evidence="MoU", actor=ACTOR),
    )
    await form(handle, plan, ORDER[5:])
    result = await handle.result()

    latest = await raw_description(temporal, handle)
    assert latest.workflow_execution_info.execution.run_id != handle.first_execution_run_id
    events = await stream_events(store, STREAM)
    agreed = [e for e in events if isinstance(e, MilestoneAgreed)]
    delegation = [e.agreed_by for e in agreed if e.milestone_id == "delegation-agreed"]
    assert sorted(delegation) == sorted(PARTNERS)
    assert len(agreed) == 2 + len(PARTNERS)
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    final = await temporal.get_workflow_handle(handle.id).query(CommitteeWorkflow.state)
    await assert_state_is_fold_of_stream(store, final)


async def test_recorded_committee_histories_replay() -> None:
    histories = sorted(FOLDER.glob("committee-*.json"))
    assert histories, "record with CONCORDAT_RECORD_HISTORIES=1"
    replayer = Replayer(workflows=[CommitteeWorkflow], data_converter=pydantic_data_converter)
    for path in histories:
        history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
        await replayer.replay_workflow(history)
