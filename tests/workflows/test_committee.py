"""Joint committee formation end to end: Temporal's time-skipping server, a real event store.

DCC Cabinet 2022 (14 Sep 2022): a Joint Committee co-produced with the ICB, in
shadow form from October 2022, fully operational from April 2023 (§6); delegated authority agreed
by all partners, in particular the ICB and the Council (§17); membership at least the list of §19;
guidance awaited may change the plan (7(c), §29). P3 policy: a missed target date is escalated in
writing to the milestone's owner and the partnership's executive. The formation runs only as its
partnership's child: each test starts it through an effective partnership.
"""

import asyncio
import email
import email.policy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from domain.aggregates.committee import CommitteeState, fold, initial_state
from domain.aggregates.committee_commands import (
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    ReplanMilestone,
    StartFormation,
)
from domain.aggregates.partnership import StartCommittee
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
    ProcessStarted,
)
from domain.notices import content_hash
from domain.organisations import Sector
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.committee_membership import MinimumCategory as C, ProposedSeat
from domain.streams import committee_stream, partnership_stream
from eventstore.store import EventStore
from tests.people import email_of, entitled_actor, secretary, shipped, signed, who
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, stream_events
from tests.workflows.through_partnership import (
    PartnershipHandle,
    county_durham,
    effective_partnership,
    on_the_day,
    start_process,
)
from worker import WORKFLOW_RUNNER, build_worker
from workflows import search_attributes
from workflows.committee import CommitteeWorkflow
from workflows.contracts.committee import CommitteeInput, CommitteeResult, CommitteeUpdate
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.process import Command
from workflows.partnership import PartnershipWorkflow
from workflows.recording import DOMAIN_REJECTED

Handle = WorkflowHandle[CommitteeWorkflow, CommitteeResult]
JC = "joint-committee"
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

PLAN = load_partnership("county-durham").committee_plan(JC)
# Agreements each milestone needs before it can be met (the plan's `needs_agreement_of`).
AGREEMENTS = {m.milestone_id: m.needs_agreement_of for m in PLAN.milestones}
ORDER = tuple(m.milestone_id for m in PLAN.milestones)


@dataclass(frozen=True)
class Formation:
    """A formation started through its partnership, on a partnership of its own."""

    config: Partnership
    partnership: PartnershipHandle
    handle: Handle

    @property
    def stream(self) -> str:
        return self.handle.id


async def server_today(env: WorkflowEnvironment) -> date:
    """The server's date, which a time-skipping server moves ahead of the wall clock."""
    return (await env.get_current_time()).date()


async def plan_from(env: WorkflowEnvironment, days_ahead: int = 3) -> tuple[PlanMilestone, ...]:
    """The County Durham plan, moved so that its first target is `days_ahead` of the server's
    clock (time-skipping moves that clock ahead of the wall clock), intervals kept."""
    return shift_plan(PLAN.milestones, await server_today(env) + timedelta(days=days_ahead))


async def start(
    env: WorkflowEnvironment, task_queue: str, plan: tuple[PlanMilestone, ...]
) -> Formation:
    """County Durham, effective, asked by staff to start forming its joint committee to `plan`."""
    config = county_durham()
    partnership = await effective_partnership(
        env.client, config, task_queue, await server_today(env)
    )
    started = await start_process(
        partnership, StartCommittee(committee=JC, name="County Durham Joint Committee", plan=plan)
    )
    handle: Handle = env.client.get_workflow_handle_for(CommitteeWorkflow.run, started.process_id)
    return Formation(config=config, partnership=partnership, handle=handle)


def targets(plan: tuple[PlanMilestone, ...]) -> dict[str, date]:
    return {m.milestone_id: m.target_on for m in plan}


def command(update: CommitteeUpdate) -> Command[CommitteeUpdate]:
    return signed(shipped("county-durham"), update)


async def execute(handle: Handle, update: CommitteeUpdate) -> CommitteeState:
    """Sends `update` as staff would: on or after the day it speaks of (R9 refuses a date after
    today), so the server's clock first reaches that day."""
    day = next(
        (getattr(update, f) for f in ("met_on", "agreed_on", "confirmed_on") if hasattr(update, f)),
        None,
    )
    if day is not None:
        await on_the_day(day)
    return await handle.execute_update(CommitteeWorkflow.execute, command(update))


async def meet(handle: Handle, milestone: str, on: date, evidence: str = "") -> CommitteeState:
    for organisation in AGREEMENTS[milestone]:
        await execute(
            handle,
            RecordMilestoneAgreement(milestone_id=milestone, agreed_by=organisation, agreed_on=on),
        )
    return await execute(
        handle,
        MeetMilestone(milestone_id=milestone, met_on=on, evidence=evidence or f"minute of {on}"),
    )


async def confirm_membership(handle: Handle, on: date) -> CommitteeState:
    return await execute(handle, ConfirmMembership(seats=FULL_MEMBERSHIP, confirmed_on=on))


async def form(
    handle: Handle,
    plan: tuple[PlanMilestone, ...],
    milestones: tuple[str, ...],
    day: date | None = None,
) -> None:
    """Meets `milestones` in order on their target dates (or all on `day`), confirming the
    membership on the way."""
    on = targets(plan)
    for milestone in milestones:
        if milestone == "membership-confirmed":
            await confirm_membership(handle, day or on[milestone])
        await meet(handle, milestone, day or on[milestone])


async def assert_state_is_fold_of_stream(store: EventStore, state: CommitteeState) -> None:
    assert state.committee_id is not None
    events = await stream_events(store, committee_stream(state.partnership, state.committee_id))
    assert fold(initial_state(state.partnership), events) == state


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


async def refused(handle: Handle, update: CommitteeUpdate) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await execute(handle, update)
    assert getattr(caught.value.cause, "type", None) == DOMAIN_REJECTED
    return str(caught.value.cause)


async def has_events(store: EventStore, stream: str, count: int) -> bool:
    return len(await stream_events(store, stream)) >= count


# ------------------------------------------------------------------------------ happy path


async def test_committee_is_established_when_the_last_milestone_is_met_002(
    temporal: Client, worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """Cabinet 14 Sep 2022 → shadow form October 2022 → operational April 2023 (DCC Cabinet 2022 §6,
    7(b)), rehearsed with the plan's intervals from a few days ahead."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle = formation.handle
    assert handle.id == committee_stream(formation.config.slug, JC)
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
    assert result.committee == JC
    assert result.established_on == on["operational"]
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    assert result.milestones[0].met_on == on["preferred-option"]
    body = result.body
    assert body.kind is BodyKind.JOINT_COMMITTEE and body.slug == JC
    assert body.chair == "independent-chair"
    assert [m.seat for m in body.members] == [s.seat for s in FULL_MEMBERSHIP]
    assert body.answers_to == ("icb", "hwbb", "cabinet")  # DCC Cabinet 2022 §17

    events = await stream_events(store, formation.stream)
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
    recorded = await store.read_stream(formation.stream)
    assert {who(e.metadata) for e in recorded} == {email_of(secretary(shipped("county-durham")))}
    assert (await store.verify()).intact
    attributes = await raw_search_attributes(temporal, handle)
    assert attributes[search_attributes.PARTNERSHIP.name] == formation.config.slug
    assert attributes[search_attributes.PROCESS.name] == "committee"
    assert attributes[search_attributes.STATUS.name] == "established"
    assert attributes.get(search_attributes.NEXT_DEADLINE.name) is None

    # The partnership adds the established committee to its bodies (DCC Cabinet 2022 §16-§19).
    async def established() -> bool:
        state = await formation.partnership.query(PartnershipWorkflow.state)
        return any(b.slug == JC for b in state.bodies)

    await eventually(established)
    await save_history(handle, "committee-happy-path")


async def test_started_other_than_by_its_partnership_fails_having_written_nothing(
    temporal: Client, worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """A formation is recorded by the partnership that starts it (docs/architecture.md principle
    8): one started on its own fails before writing anything."""
    config = county_durham()
    stream = committee_stream(config.slug, JC)
    handle = await temporal.start_workflow(
        CommitteeWorkflow.run,
        CommitteeInput(
            config=config,
            process_id=stream,
            plan=PLAN,
            start=StartFormation(
                committee_id=JC,
                name=PLAN.name,
                preferred_option=PLAN.preferred_option,
                started_on=await server_today(time_skipping_env),
            ),
            actor=entitled_actor(config, StartCommittee(committee=JC)),
        ),
        id=stream,
        task_queue=worker.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    assert getattr(caught.value.cause, "type", None) == "NotStartedByPartnership"
    assert await store.read_stream(stream) == []


# ---------------------------------------------------------------------------------- rules


async def test_milestone_cannot_be_met_before_its_dependencies_p3(
    worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """P3: co-production with the ICB (DCC Cabinet 2022 §6(a)) waits for Cabinet's preferred option
    (7(b))."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle = formation.handle
    # Ahead of every target, so no slippage is recorded meanwhile.
    today = await server_today(time_skipping_env)
    await execute(
        handle,
        RecordMilestoneAgreement(milestone_id="co-production", agreed_by="icb", agreed_on=today),
    )
    before = await stream_events(store, formation.stream)
    reason = await refused(
        handle, MeetMilestone(milestone_id="co-production", met_on=today, evidence="ICB")
    )
    assert "cannot be met before 'preferred-option'" in reason
    assert await stream_events(store, formation.stream) == before
    await handle.terminate("test over")


async def test_delegated_authority_needs_the_icb_and_the_council_002_s17(
    worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """DCC Cabinet 2022 §17: levels of delegated authority need the agreement of all partners,
    "especially the statutory bodies of the ICB and the Council"."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle = formation.handle
    on = targets(plan)
    await form(handle, plan, ORDER[:4])
    day = on["delegation-agreed"]

    def agreement(organisation: str) -> RecordMilestoneAgreement:
        return RecordMilestoneAgreement(
            milestone_id="delegation-agreed", agreed_by=organisation, agreed_on=day
        )

    for organisation in PARTNERS[2:]:
        await execute(handle, agreement(organisation))
    meeting = MeetMilestone(milestone_id="delegation-agreed", met_on=day, evidence="MoU")
    reason = await refused(handle, meeting)
    assert "still needs the agreement of icb, dcc (DCC Cabinet 2022 §17)" in reason
    await execute(handle, agreement("icb"))
    reason = await refused(handle, meeting)
    assert "still needs the agreement of dcc (DCC Cabinet 2022 §17)" in reason
    await execute(handle, agreement("dcc"))
    state = await execute(handle, meeting)
    assert state.milestone("delegation-agreed").met_on == day
    await assert_state_is_fold_of_stream(store, state)
    await handle.terminate("test over")


async def test_membership_short_of_the_minimum_list_is_refused_002_s19(
    worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """DCC Cabinet 2022 §19 (a)-(g): a membership without patients and service users or a secondary
    care clinician is refused, naming what is missing; the committee cannot be established without a
    confirmed membership, nor can the milestone that stands for it be met."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle = formation.handle
    on = targets(plan)
    await form(handle, plan, ORDER[:6])
    short = tuple(
        s.model_copy(
            update={"covers": tuple(c for c in s.covers if c != C.SECONDARY_CARE_CLINICIAN)}
        )
        for s in FULL_MEMBERSHIP
        if s.seat != "healthwatch-chair"
    )
    before = await stream_events(store, formation.stream)
    confirmed_on = on["membership-confirmed"]
    reason = await refused(handle, ConfirmMembership(seats=short, confirmed_on=confirmed_on))
    assert "does not meet the minimum list of DCC Cabinet 2022 §19" in reason
    assert "(d) a clinical leader from secondary care; (g) patients and service users" in reason
    stranger = (*FULL_MEMBERSHIP, seat("leeds-gp", "nhs-leeds", Sector.HEALTH))
    reason = await refused(handle, ConfirmMembership(seats=stranger, confirmed_on=confirmed_on))
    assert f"'nhs-leeds' is not an organisation of {formation.config.slug}" in reason
    assert await stream_events(store, formation.stream) == before

    # The milestone that stands for the membership cannot be met while none is confirmed.
    nothing = MeetMilestone(
        milestone_id="membership-confirmed", met_on=confirmed_on, evidence="nothing"
    )
    reason = await refused(handle, nothing)
    assert (
        "the membership of County Durham Joint Committee has not been confirmed against the "
        "minimum list of DCC Cabinet 2022 §19 (a)-(g)" in reason
    )
    assert await stream_events(store, formation.stream) == before
    await confirm_membership(handle, confirmed_on)
    await execute(handle, nothing)
    for milestone in ("constitution-reviewed", "operational"):
        await meet(handle, milestone, on[milestone])
    assert (await handle.result()).body.chair == "independent-chair"
    await assert_state_is_fold_of_stream(store, await handle.query(CommitteeWorkflow.state))


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (
            lambda today: MeetMilestone(milestone_id="launch", met_on=today, evidence="x"),
            "no milestone 'launch'",
        ),
        (
            lambda today: RecordMilestoneAgreement(milestone_id="shadow-form", agreed_by="icb",
                                                   agreed_on=today),
            "does not need the agreement of icb",
        ),
        (
            lambda today: MeetMilestone(milestone_id="preferred-option",
                                        met_on=today + timedelta(days=1), evidence="x"),
            "is after today",
        ),
        (
            lambda today: ReplanMilestone(milestone_id="shadow-form",
                                          new_target_on=date(2099, 1, 1), reason="late"),
            "re-planned only once Government guidance is published (DCC Cabinet 2022 7(c), §29)",
        ),
        (
            lambda today: PublishGuidance(title="x", published_on=today,
                                          changes_preferred_option=True, new_preferred_option=""),
            "must name the new one",
        ),
    ],
)  # fmt: skip
async def test_bad_commands_are_refused_and_write_nothing(
    worker: Worker,
    store: EventStore,
    time_skipping_env: WorkflowEnvironment,
    update: Callable[[date], CommitteeUpdate],
    reason: str,
) -> None:
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    await eventually(lambda: has_events(store, formation.stream, 10))
    today = await server_today(time_skipping_env)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        # Straight to the workflow: a refused command must not wait for its day to come.
        await formation.handle.execute_update(CommitteeWorkflow.execute, command(update(today)))
    assert reason in str(caught.value.cause)
    assert len(await stream_events(store, formation.stream)) == 10
    await formation.handle.terminate("test over")


# ------------------------------------------------------------------------------ deadlines


def notices_of(events: list[Any]) -> list[NoticeIssued]:
    return [e for e in events if isinstance(e, NoticeIssued)]


def assert_delivered_to_outbox(outbox: Path, slug: str, notices: list[NoticeIssued]) -> None:
    files = sorted((outbox / slug).glob("*.eml"))
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
    time_skipping_env: WorkflowEnvironment,
    outbox: Path,
) -> None:
    """P3 policy: the preferred option (owner: the Council) not agreed by its target date is
    escalated in writing to the Council and to the CDCP Executive (CDCPE ToR §2); once slipped
    the owner may re-plan it, and the timer watches the new date."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle, stream, slug = formation.handle, formation.stream, formation.config.slug
    on = targets(plan)
    await eventually(lambda: has_events(store, formation.stream, 10))

    async def published() -> bool:
        # The status the formation has before its start is recorded is published first.
        attributes = await raw_search_attributes(temporal, handle)
        return attributes.get(search_attributes.STATUS.name) == "forming"

    await eventually(published)
    attributes = (await handle.describe()).typed_search_attributes
    deadline = attributes.get(search_attributes.NEXT_DEADLINE)
    assert deadline is not None and deadline.date() == on["preferred-option"] + timedelta(days=1)

    await time_skipping_env.sleep(timedelta(days=4))
    await eventually(lambda: has_events(store, formation.stream, 10 + 1 + 2 + 2))
    events = (await stream_events(store, stream))[10:]
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
    assert_delivered_to_outbox(outbox, slug, notices)
    recorded = await store.read_stream(stream)
    assert {e.metadata["actor"] for e in recorded[10:]} == {"timer:slippage"}
    state = await handle.query(CommitteeWorkflow.state)
    assert state.status == "slipping"
    await assert_state_is_fold_of_stream(store, state)
    statuses = {s.milestone_id: s for s in await handle.query(CommitteeWorkflow.milestones)}
    assert statuses["preferred-option"].status == "slipped"
    assert statuses["preferred-option"].agreements_outstanding == ("cabinet",)

    # The owner re-plans the slipped milestone: a new target, and a new timer for it.
    new_target = await server_today(time_skipping_env) + timedelta(days=5)
    state = await execute(
        handle,
        ReplanMilestone(milestone_id="preferred-option", new_target_on=new_target,
                        reason="Cabinet meeting moved"),
    )  # fmt: skip
    assert state.status == "forming"
    statuses = {s.milestone_id: s for s in await handle.query(CommitteeWorkflow.milestones)}
    assert statuses["preferred-option"].status == "replanned"
    await time_skipping_env.sleep(timedelta(days=6))
    await eventually(lambda: has_events(store, formation.stream, 16 + 5))
    again = (await stream_events(store, stream))[-5:]
    assert isinstance(again[0], MilestoneSlipped) and again[0].target_on == new_target
    assert_delivered_to_outbox(outbox, slug, notices_of(await stream_events(store, stream)))
    await save_history(handle, "committee-slippage")
    await handle.terminate("test over")


async def test_guidance_published_lets_the_owner_replan_and_resets_the_timer_002_s29(
    worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """DCC Cabinet 2022 7(c), §29: Government guidance "may be published which would have an impact
    on the preferred option"; once it is, the owner re-plans and the slippage timer moves with
    it."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    handle = formation.handle
    on = targets(plan)
    state = await execute(
        handle,
        PublishGuidance(title="Place-based partnership guidance",
                        published_on=await server_today(time_skipping_env),
                        changes_preferred_option=True,
                        new_preferred_option="Committee of the ICB (DCC Cabinet 2022 §11(c))"),
    )  # fmt: skip
    assert state.preferred_option == "Committee of the ICB (DCC Cabinet 2022 §11(c))"
    new_target = on["preferred-option"] + timedelta(days=30)
    await execute(
        handle,
        ReplanMilestone(milestone_id="preferred-option", new_target_on=new_target,
                        reason="guidance changes the option"),
    )  # fmt: skip
    attributes = (await handle.describe()).typed_search_attributes
    deadline = attributes.get(search_attributes.NEXT_DEADLINE)
    assert deadline is not None and deadline.date() == on["co-production"] + timedelta(days=1)

    # The old target passes with no slippage: the timer was reset.
    await time_skipping_env.sleep(timedelta(days=5))
    await asyncio.sleep(0.5)
    events = await stream_events(store, formation.stream)
    assert not [e for e in events if isinstance(e, MilestoneSlipped)]
    assert isinstance(events[-1], MilestoneReplanned)

    # Past the new target both it and the (unmoved) co-production milestone have slipped.
    await time_skipping_env.sleep(timedelta(days=30))
    await eventually(lambda: slipped_count(store, formation, 2))
    slipped = [
        e for e in await stream_events(store, formation.stream) if isinstance(e, MilestoneSlipped)
    ]
    assert {(e.milestone_id, e.target_on) for e in slipped} == {
        ("preferred-option", new_target),
        ("co-production", on["co-production"]),
    }
    await handle.terminate("test over")


async def slipped_count(store: EventStore, formation: Formation, count: int) -> bool:
    events = await stream_events(store, formation.stream)
    return sum(isinstance(e, NoticeDelivered) for e in events) >= 2 * count - 1 and (
        sum(isinstance(e, MilestoneSlipped) for e in events) >= count
    )


# ---------------------------------------------------------------------------- resilience


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    time_skipping_env: WorkflowEnvironment,
    append_then_fail_once: AppendActivity,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append commits, then fails."""
    plan = await plan_from(time_skipping_env)
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=[PartnershipWorkflow, CommitteeWorkflow],
        workflow_runner=WORKFLOW_RUNNER,
        activities=[
            append_then_fail_once,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
            SchedulesActivities(temporal, task_queue).ensure_schedules,
        ],
    ):
        formation = await start(time_skipping_env, task_queue, plan)
        await form(formation.handle, plan, ORDER)
        result = await formation.handle.result()

    recorded = await store.read_stream(formation.stream)
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)
    assert {e.metadata["attempt"] for e in recorded} == {1}
    events = await stream_events(store, formation.stream)
    assert [e.milestone_id for e in events if isinstance(e, MilestoneMet)] == list(ORDER)
    assert sum(isinstance(e, CommitteeEstablished) for e in events) == 1
    assert result.established_on == targets(plan)["operational"]
    assert (await store.verify()).intact


async def test_a_restarted_worker_completes_the_formation(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    # No sticky cache: the test server does not hand a dead worker's sticky tasks on, and the
    # new worker must rebuild the workflow from its history, as after a real restart.
    plan = await plan_from(time_skipping_env)
    async with build_worker(temporal, store, task_queue, delivery, max_cached_workflows=0):
        formation = await start(time_skipping_env, task_queue, plan)
        await form(formation.handle, plan, ORDER[:4])
    async with build_worker(temporal, store, task_queue, delivery, max_cached_workflows=0):
        await form(formation.handle, plan, ORDER[4:])
        result = await formation.handle.result()
        final = await formation.handle.query(CommitteeWorkflow.state)
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    await assert_state_is_fold_of_stream(store, final)


async def test_rebuilt_from_the_log_when_its_workflows_are_lost(
    temporal: Client, worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    """docs/architecture.md principle 8: the log is the record. The partnership's workflow (and
    with it the formation, its child) is terminated mid-way; started again with the same input it
    reads its stream, finds the formation open and starts it again, which reads its own stream
    and carries on to its end, nothing lost or recorded twice."""
    plan = await plan_from(time_skipping_env)
    formation = await start(time_skipping_env, worker.task_queue, plan)
    await form(formation.handle, plan, ORDER[:4])
    first_run = (await formation.handle.describe()).run_id
    # The partnership first: terminated while it runs, the formation would be recorded as ended.
    await formation.partnership.terminate("Temporal's database lost")
    await formation.handle.terminate("Temporal's database lost")

    await temporal.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=formation.config),
        id=partnership_stream(formation.config.slug),
        task_queue=worker.task_queue,
    )

    async def resumed() -> bool:
        # A new run of the formation that has read its stream.
        described = await formation.handle.describe()
        if described.run_id == first_run or described.status is not WorkflowExecutionStatus.RUNNING:
            return False
        return bool(await formation.handle.query(CommitteeWorkflow.milestones))

    await eventually(resumed)
    statuses = await formation.handle.query(CommitteeWorkflow.milestones)
    assert [s.status for s in statuses] == ["met"] * 4 + ["planned"] * 5
    await form(formation.handle, plan, ORDER[4:])
    result = await formation.handle.result()
    assert [m.milestone_id for m in result.milestones] == list(ORDER)

    events = await stream_events(store, formation.stream)
    assert sum(isinstance(e, FormationStarted) for e in events) == 1
    assert sum(isinstance(e, MilestonePlanned) for e in events) == len(ORDER)
    assert [e.milestone_id for e in events if isinstance(e, MilestoneMet)] == list(ORDER)
    await assert_state_is_fold_of_stream(
        store, await formation.handle.query(CommitteeWorkflow.state)
    )
    started = [
        e
        for e in await stream_events(store, partnership_stream(formation.config.slug))
        if isinstance(e, ProcessStarted)
    ]
    assert [e.process_id for e in started] == [formation.stream]


@workflow.defn(sandboxed=False)
class StandInPartnership:
    """Starts a formation as its partnership would, under the partnership's workflow id, with the
    history limit the partnership does not pass on to its children: continue-as-new is then
    crossed after a few dozen events rather than thousands."""

    @workflow.run
    async def run(self, input: CommitteeInput) -> CommitteeResult:
        return await workflow.execute_child_workflow(
            CommitteeWorkflow.run, input, id=input.process_id
        )


@pytest.fixture
async def stand_in_worker(
    dev_env: WorkflowEnvironment, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with Worker(
        dev_env.client,
        task_queue=task_queue,
        workflows=[StandInPartnership, CommitteeWorkflow],
        activities=[
            StoreActivities(store).append_events,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
        ],
    ) as running:
        yield running


async def test_continue_as_new_with_commands_around_it_loses_nothing(
    dev_env: WorkflowEnvironment, stand_in_worker: Worker, store: EventStore
) -> None:
    """The formation continues as new past a small history; agreements sent side by side around
    the boundary are all recorded, once, and the state carried over equals the stream's fold."""
    temporal = dev_env.client
    plan = await plan_from(dev_env)
    config = county_durham()
    stream = committee_stream(config.slug, JC)
    input = CommitteeInput(
        config=config,
        process_id=stream,
        plan=PLAN.model_copy(update={"milestones": plan}),
        start=StartFormation(
            committee_id=JC,
            name=PLAN.name,
            preferred_option=PLAN.preferred_option,
            started_on=await server_today(dev_env),
        ),
        actor=entitled_actor(config, StartCommittee(committee=JC)),
        continue_as_new_after_events=40,
    )
    parent = await temporal.start_workflow(
        StandInPartnership.run,
        input,
        id=partnership_stream(config.slug),
        task_queue=stand_in_worker.task_queue,
    )
    handle: Handle = temporal.get_workflow_handle_for(CommitteeWorkflow.run, stream)
    await eventually(lambda: has_events(store, stream, 10))
    # The dev server's clock is the wall clock: everything is met today, ahead of the targets.
    day = await server_today(dev_env)
    await form(handle, plan, ORDER[:4], day)
    await asyncio.gather(
        *(
            execute(
                handle,
                RecordMilestoneAgreement(
                    milestone_id="delegation-agreed", agreed_by=o, agreed_on=day
                ),
            )
            for o in PARTNERS
        )
    )
    await execute(
        handle, MeetMilestone(milestone_id="delegation-agreed", met_on=day, evidence="MoU")
    )
    await form(handle, plan, ORDER[5:], day)
    result = await parent.result()

    latest = await raw_description(temporal, handle)
    assert latest.workflow_execution_info.execution.run_id != handle.first_execution_run_id
    events = await stream_events(store, stream)
    agreed = [e for e in events if isinstance(e, MilestoneAgreed)]
    delegation = [e.agreed_by for e in agreed if e.milestone_id == "delegation-agreed"]
    assert sorted(delegation) == sorted(PARTNERS)
    assert len(agreed) == 2 + len(PARTNERS)
    assert [m.milestone_id for m in result.milestones] == list(ORDER)
    final = await temporal.get_workflow_handle(stream).query(CommitteeWorkflow.state)
    await assert_state_is_fold_of_stream(store, final)


async def test_recorded_committee_histories_replay() -> None:
    histories = sorted(FOLDER.glob("committee-*.json"))
    assert histories, "record with CONCORDAT_RECORD_HISTORIES=1"
    replayer = Replayer(workflows=[CommitteeWorkflow], data_converter=pydantic_data_converter)
    for path in histories:
        history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
        await replayer.replay_workflow(history)
