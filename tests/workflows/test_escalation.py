"""Thematic board escalation (docs/rules.md P4) on Temporal's time-skipping server, real event
store.

Ladders: CDCPE ToR §1.2, §1.3, §2 (County Durham); MSE MoU 2020
§8.10 (Mid and South Essex); NENC ICS MoU §24 (NENC). Decisions: quorum CDCPE ToR §10, conflicts ToR
§6, eligible affected majority MSE MoU 2020 §8.10(2) with Annex 1, 75% of eligible members MSE MoU
2020 §8.4.
"""

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import SearchAttributes
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import decode_typed_search_attributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.schedules import SchedulesActivities
from activities.store import StoreActivities
from domain.aggregates.escalation import (
    AgreeAction,
    CastVote,
    CloseEscalation,
    CompleteAction,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationState,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
    fold,
    initial_state,
)
from domain.bodies import Body, DecisionRuleKind
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    ActionKind,
    ActionOverdue,
    ClimbReason,
    ConflictRuled,
    ConflictRuling,
    EscalationClimbed,
    EscalationClosed,
    EscalationConsidered,
    EscalationDecided,
    EscalationRaised,
    EscalationReason,
    EscalationResolved,
    InterestDeclared,
    ItemChairReplaced,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    VoteCast,
    VoteChoice,
)
from domain.notices import content_hash
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.quorum import Attendance
from domain.streams import escalation_stream, partnership_stream
from eventstore.store import EventStore
from tests.people import email_of, entitled_actor, secretary, shipped, signed, who
from tests.replay.histories import FOLDER, save_history
from tests.workflows.conftest import AppendActivity, stream_events
from tests.workflows.through_partnership import (
    PartnershipHandle,
    effective_partnership,
    own_slug,
    start_process,
)
from worker import WORKFLOW_RUNNER, build_worker
from workflows import search_attributes
from workflows.child_config import READS, what_it_reads
from workflows.contracts.escalation import EscalationInput, EscalationProgress, EscalationResult
from workflows.contracts.partnership import PartnershipInput
from workflows.escalation import EscalationWorkflow
from workflows.partnership import PartnershipWorkflow

Handle = WorkflowHandle[EscalationWorkflow, EscalationResult]

CDCPE_CHAIR = "icb-director-place-based-delivery"
CDCPE_FIVE = (
    CDCPE_CHAIR,
    "cddft-chief-executive",
    "tewv-chief-executive",
    "dcc-director-adults-health",
    "director-of-place",
)


def present(*seats: str) -> tuple[Attendance, ...]:
    return tuple(Attendance(seat=s) for s in seats)


@pytest.fixture
async def escalation_worker(
    temporal: Client, store: EventStore, task_queue: str, delivery: DeliveryActivities
) -> AsyncIterator[Worker]:
    async with build_worker(temporal, store, task_queue, delivery) as running:
        yield running


async def server_today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).astimezone(UTC).date()


def raise_request(config: Partnership, raised_on: date, **changes: Any) -> RaiseEscalation:
    fields: dict[str, Any] = {
        "escalation_id": f"e-{uuid.uuid4().hex[:8]}",
        "raised_by": config.ladder[0].bodies[0],
        "reason": EscalationReason.OUTCOME_NOT_DELIVERED,
        "summary": "elective waiting times not recovered",
        "raised_on": raised_on,
    }
    return RaiseEscalation(**(fields | changes))


async def start(
    client: Client,
    config: Partnership,
    task_queue: str,
    raised: RaiseEscalation,
    *,
    settle: bool = True,
) -> Handle:
    """Raises the escalation as staff do: through the effective partnership's `start` update.
    `config` may carry the bodies as they stand after exits."""
    partnership = await effective_partnership(client, config, task_queue, raised.raised_on)
    started = await start_process(partnership, raised)
    handle: Handle = client.get_workflow_handle_for(EscalationWorkflow.run, started.process_id)
    if settle:
        await settled(handle)
    return handle


async def send(handle: Handle, command: Any) -> EscalationProgress:
    """A command from staff, in the envelope that says who acts."""
    progress: EscalationProgress = await handle.execute_update(
        EscalationWorkflow.execute, signed(handle.id, command)
    )
    return progress


def latest(progress: EscalationProgress) -> EscalationDecided:
    """The vote the command recorded."""
    assert progress.decision is not None
    return progress.decision


async def settled(handle: Handle) -> None:
    """Wait until the raise is recorded and its notices delivered (or the start failed)."""
    for _ in range(200):
        with contextlib.suppress(WorkflowQueryFailedError, RPCError):
            state = await handle.query(EscalationWorkflow.state)
            if state.status != "not_raised" and all(n.delivered_on for n in state.notices):
                return
        await asyncio.sleep(0.05)


def as_carried(config: Partnership) -> EscalationState:
    """The state an escalation starts from: its partnership's configuration as its input
    carries it, only what an escalation reads."""
    return initial_state(what_it_reads(config, READS[EscalationInput]))


def stream_of(handle: Handle) -> str:
    return handle.id


async def assert_state_is_fold_of_stream(
    store: EventStore, handle: Handle, config: Partnership
) -> EscalationState:
    state = await handle.query(EscalationWorkflow.state)
    events = await stream_events(store, stream_of(handle))
    assert fold(as_carried(config), events) == state
    return state


async def refused(handle: Handle, store: EventStore, call: Any, reason: str) -> None:
    """The update is refused with `reason` and nothing is written to the stream."""
    before = len(await store.read_stream(stream_of(handle)))
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await call
    assert isinstance(caught.value.cause, ApplicationError)
    assert caught.value.cause.type == "DomainRejected"
    assert reason in str(caught.value.cause)
    assert len(await store.read_stream(stream_of(handle))) == before


@pytest.fixture
def county_durham() -> Partnership:
    return load_partnership("county-durham")


@pytest.fixture
def mid_south_essex() -> Partnership:
    return load_partnership("mid-south-essex")


async def at_cdcpe(
    temporal: Client, config: Partnership, task_queue: str, on: date, **raise_changes: Any
) -> Handle:
    """An Acute Care Board escalation referred up to the CDCP Executive (CDCPE ToR §1.2, §2)."""
    handle = await start(temporal, config, task_queue, raise_request(config, on, **raise_changes))
    await send(
        handle,
        ReferUp(
            level=1,
            body="acute-care-board",
            referred_on=on,
            notes="the board cannot recover waiting times alone",
        ),
    )
    return handle


def cdcpe_vote(
    on: date, seats: tuple[str, ...], in_favour: tuple[str, ...], **kw: Any
) -> DecideEscalation:
    return DecideEscalation(
        level=2,
        body="cdcpe",
        decided_on=on,
        present=present(*seats),
        in_favour=in_favour,
        summary="CDDFT to produce a recovery plan",
        **kw,
    )


async def test_county_durham_board_to_cdcpe_recovery_plan_resolved(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    outbox: Path,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """CDCPE ToR §1.2, §2: the board escalates to the Executive, which agrees a recovery plan
    (MSE MoU 2020 §7.5); the plan is completed and the escalation resolved."""
    on = await server_today(time_skipping_env)
    raised = raise_request(county_durham, on, affected=("cddft", "dcc"))
    handle = await start(temporal, county_durham, escalation_worker.task_queue, raised)
    assert handle.id == escalation_stream("county-durham", raised.escalation_id)
    level = await handle.query(EscalationWorkflow.level)
    assert level is not None
    assert (level.level, level.respond_by) == (1, on + timedelta(days=28))

    await send(
        handle,
        ReferUp(
            level=1,
            body="acute-care-board",
            referred_on=on,
            notes="needs the Executive",
        ),
    )
    level = await handle.query(EscalationWorkflow.level)
    assert level is not None
    assert (level.level, level.bodies) == (2, ("cdcpe",))
    assert latest(await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE[1:4]))).carried
    progress = await send(
        handle,
        AgreeAction(
            kind=ActionKind.RECOVERY_PLAN,
            owner="cddft",
            due_on=on + timedelta(days=14),
            agreed_on=on,
            description="a recovery plan for elective waiting times",
        ),
    )
    assert [a.action_id for a in progress.actions] == ["a1"]
    await send(handle, CompleteAction(action_id="a1", completed_on=on))
    await send(handle, ResolveEscalation(resolved_on=on, resolution="recovery plan in place"))
    result = await handle.result()
    assert (result.status, result.level, result.outcome) == (
        "resolved",
        2,
        "recovery plan in place",
    )
    assert result.state == await assert_state_is_fold_of_stream(store, handle, county_durham)
    assert await upserted(handle) == [
        ("raising", None),
        ("at-level-1", on + timedelta(days=29)),
        ("at-level-2", on + timedelta(days=29)),
        ("at-level-2", on + timedelta(days=15)),
        ("at-level-2", on + timedelta(days=29)),
        ("resolved", None),
    ]

    events = await stream_events(store, stream_of(handle))
    facts = [type(e) for e in events if not isinstance(e, NoticeIssued | NoticeDelivered)]
    assert facts == [
        EscalationRaised,
        EscalationConsidered,
        EscalationClimbed,
        EscalationDecided,
        ActionAgreed,
        ActionCompleted,
        EscalationResolved,
    ]
    climbed = next(e for e in events if isinstance(e, EscalationClimbed))
    assert climbed.reason is ClimbReason.NOT_RESOLVED
    notices = [e for e in events if isinstance(e, NoticeIssued)]
    level_1 = {
        n.recipient for n in notices if n.notice_id.endswith(tuple(county_durham.ladder[0].bodies))
    }
    assert level_1 == set(county_durham.ladder[0].bodies)
    assert [n.recipient for n in notices if "/level-2/" in n.notice_id] == ["cdcpe"]
    assert [(n.kind, n.recipient) for n in notices if n.notice_id.endswith("/outcome")] == [
        (NoticeKind.OUTCOME, "acute-care-board")
    ]
    await assert_notices_delivered(store, handle, outbox)
    recorded = await store.read_stream(stream_of(handle))
    assert {who(e.metadata) for e in recorded} == {email_of(secretary(shipped("county-durham")))}
    assert await outcome_recorded(temporal, county_durham, handle) == "resolved"
    assert (await store.verify()).intact
    await save_history(handle, "escalation-county-durham-resolved")


async def outcome_recorded(client: Client, config: Partnership, handle: Handle) -> str | None:
    """How the partnership recorded the escalation's end, once it has (None while open)."""
    partnership: PartnershipHandle = client.get_workflow_handle_for(
        PartnershipWorkflow.run, partnership_stream(config.slug)
    )
    for _ in range(100):
        state = await partnership.query(PartnershipWorkflow.state)
        record = next(p for p in state.processes if p.process_id == handle.id)
        if record.outcome is not None:
            return record.outcome
        await asyncio.sleep(0.05)
    return None


async def upserted(handle: Handle) -> list[tuple[str | None, date | None]]:
    """Each distinct (STATUS, NEXT_DEADLINE day) the workflow upserted, in order, read from its
    history (the test server cannot describe a workflow whose datetime attribute was unset)."""
    seen: list[tuple[str | None, date | None]] = []
    current: dict[str, Any] = {}
    async for event in handle.fetch_history_events():
        if event.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            current |= dict(fields.indexed_fields)
            typed = decode_typed_search_attributes(SearchAttributes(indexed_fields=current))
            deadline = typed.get(search_attributes.NEXT_DEADLINE)
            pair = (typed.get(search_attributes.STATUS), deadline.date() if deadline else None)
            # A patch marker upserts Temporal's own TemporalChangeVersion, before any of ours.
            if pair[0] is not None and (not seen or seen[-1] != pair):
                seen.append(pair)
    return seen


async def assert_notices_delivered(store: EventStore, handle: Handle, outbox: Path) -> None:
    """Every notice is in the outbox with the hash recorded in its NoticeIssued."""
    events = await stream_events(store, stream_of(handle))
    issued = {e.notice_id: e for e in events if isinstance(e, NoticeIssued)}
    receipts = {e.notice_id: e for e in events if isinstance(e, NoticeDelivered)}
    assert issued and set(issued) == set(receipts)
    for notice_id, notice in issued.items():
        assert notice.content_hash == content_hash(notice.subject, notice.body)
        where, _, digest = receipts[notice_id].reference.rpartition(" sha256=")
        file = Path(where)
        assert file.parent.parent == outbox and file.exists()
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest
        assert f"X-Concordat-Content-Hash: {notice.content_hash}" in file.read_text()


@pytest.mark.parametrize(
    ("slug", "recipients_by_level"),
    [
        (
            "county-durham",
            [
                {"acute-care-board", "cyp-board", "pcsc-board", "mhld-board"},
                {"cdcpe"},
                {"hwbb", "cddft"},
            ],
        ),
        ("mid-south-essex", [{"sle"}, {"sle"}, {"sle"}, {"partnership-board"}]),
        (
            "nenc-ics",
            [{"north-cumbria-icp", "north-icp", "central-icp", "south-icp"}, {"management-group"}],
        ),
    ],
)
async def test_automatic_climb_through_every_level_by_deadline_then_closed_at_the_top(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    time_skipping_env: WorkflowEnvironment,
    slug: str,
    recipients_by_level: list[set[str]],
) -> None:
    """P4 policy: a level that does not settle the matter by its response deadline climbs; the
    top of the ladder undecided closes it (CDCPE ToR §1.3, §2; MSE MoU 2020 §8.10; NENC ICS MoU
    §24)."""
    config = load_partnership(slug)
    on = await server_today(time_skipping_env)
    affected = ("cddft",) if slug != "mid-south-essex" else ("msft",)
    handle = await start(
        temporal, config, escalation_worker.task_queue, raise_request(config, on, affected=affected)
    )
    # Past every level's deadline: the server skips time only while a workflow the test
    # started is awaited, and the escalation is the partnership's child.
    await time_skipping_env.sleep(timedelta(days=sum(s.response_days + 1 for s in config.ladder)))
    result = await handle.result()
    assert (result.status, result.level) == ("closed", len(config.ladder))
    assert "top of the ladder" in result.outcome

    events = await stream_events(store, stream_of(handle))
    climbs = [e for e in events if isinstance(e, EscalationClimbed)]
    assert [(c.from_level, c.to_level) for c in climbs] == [
        (n, n + 1) for n in range(1, len(config.ladder))
    ]
    assert {c.reason for c in climbs} == {ClimbReason.DEADLINE_PASSED}
    day = on
    for climb, stage in zip(climbs, config.ladder, strict=False):
        day += timedelta(days=stage.response_days)
        assert climb.climbed_on == day + timedelta(days=1)
        day = climb.climbed_on
    closed = [e for e in events if isinstance(e, EscalationClosed)]
    assert len(closed) == 1
    for level, recipients in enumerate(recipients_by_level, start=1):
        sent = {
            e.recipient
            for e in events
            if isinstance(e, NoticeIssued) and f"/level-{level}/" in e.notice_id
        }
        assert sent == recipients, level
    recorded = await store.read_stream(stream_of(handle))
    timer_actors = {who(e.metadata) for e in recorded} - {email_of(secretary(config))}
    assert timer_actors == {"timer:escalation-level-deadline"}
    await assert_state_is_fold_of_stream(store, handle, config)
    assert await outcome_recorded(temporal, config, handle) == "closed"
    await save_history(handle, f"escalation-{slug}-climbs-to-top")


async def mse_at_level(
    temporal: Client, config: Partnership, task_queue: str, on: date, level: int, **kw: Any
) -> Handle:
    raised = raise_request(
        config,
        on,
        reason=EscalationReason.ISSUE_BETWEEN_PARTNERS,
        affected=("msft", "eput", "essex-cc"),
    )
    handle = await start(temporal, config, task_queue, raised, **kw)
    for current in range(1, level):
        await send(handle, ReferUp(level=current, body="sle", referred_on=on, notes="not settled"))
    return handle


def sle_vote(**kw: Any) -> DecideEscalation:
    fields: dict[str, Any] = {
        "level": 2,
        "body": "sle",
        "present": present(
            *(m.seat for m in load_partnership("mid-south-essex").body("sle").members)
        ),
        "in_favour": ("msft", "eput"),
        "against": ("essex-cc",),
        "summary": "bed capacity shared between MSFT and EPUT",
    }
    return DecideEscalation(**(fields | kw))


async def test_sle_majority_counts_only_eligible_affected_partners_present_003_s8_10_2(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    mid_south_essex: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """MSE MoU 2020 §8.10(2), Annex 1: a majority of eligible partners present who are affected; a
    vote from a partner present but not affected is recorded, not counted, with the reason."""
    on = await server_today(time_skipping_env)
    handle = await mse_at_level(temporal, mid_south_essex, escalation_worker.task_queue, on, 2)
    vote = sle_vote(decided_on=on, in_favour=("msft", "eput", "nelft"))
    decided = latest(await send(handle, vote))
    assert decided.carried and decided.rule == "eligible_majority"
    assert decided.eligible_voters == ("eput", "essex-cc", "msft")
    assert "2 of 3 eligible affected partners present in favour" in decided.explanation
    assert decided.in_favour == ("eput", "msft", "nelft") and decided.against == ("essex-cc",)
    assert [(v.seat, v.reason) for v in decided.not_counted] == [
        (
            "nelft",
            "nelft (nelft) is not an eligible partner affected by the matter, so its vote is not "
            "counted (MSE MoU 2020 §8.10(2), Annex 1)",
        )
    ]
    assert (await stream_events(store, stream_of(handle)))[-1] == decided
    await assert_state_is_fold_of_stream(store, handle, mid_south_essex)
    await handle.terminate("test over")


def trimmed_board(config: Partnership, nhs_seats: tuple[str, ...]) -> tuple[Body, ...]:
    """The Partnership Board after exits: `nhs_seats` are the members eligible on NHS funds."""
    board = config.body("partnership-board")
    keep = {"independent-chair", "essex-cc", "healthwatch-essex", *nhs_seats}
    assert board.quorum is not None
    smaller = board.model_copy(
        update={
            "members": tuple(m for m in board.members if m.seat in keep),
            "quorum": board.quorum.model_copy(update={"minimum_present": 3}),
        }
    )
    return tuple(smaller if b.slug == "partnership-board" else b for b in config.bodies)


@pytest.mark.parametrize(
    ("nhs_seats", "in_favour", "carried"),
    [
        (("basildon-brentwood-ccg", "eeast", "eput", "msft"), ("eeast", "eput", "msft"), True),
        (("eeast", "eput", "msft"), ("eeast", "eput"), False),
    ],
)
async def test_partnership_board_75_percent_of_eligible_on_nhs_funds_003_s8_4(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    mid_south_essex: Partnership,
    time_skipping_env: WorkflowEnvironment,
    nhs_seats: tuple[str, ...],
    in_favour: tuple[str, ...],
    carried: bool,
) -> None:
    """MSE MoU 2020 §8.4, Annex 1: NHS capital and transformation funding needs not less than 75% of
    the eligible Partnership Board members: 3 of 4 carries, 2 of 3 does not; a council's vote is
    recorded but not counted."""
    on = await server_today(time_skipping_env)
    # The partnership as it stands after exits: the escalation counts votes against it.
    config = mid_south_essex.model_copy(
        update={"bodies": trimmed_board(mid_south_essex, nhs_seats)}
    )
    handle = await mse_at_level(temporal, config, escalation_worker.task_queue, on, 4)
    vote = DecideEscalation(
        level=4,
        body="partnership-board",
        decided_on=on,
        present=present("independent-chair", "essex-cc", "healthwatch-essex", *nhs_seats),
        in_favour=in_favour,
        rule=DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE,
        summary="apportion transformation funding",
    )
    with_council = vote.model_copy(update={"in_favour": (*in_favour, "essex-cc")})
    decided = latest(await send(handle, with_council))
    assert decided.rule == "three_quarters_of_eligible"
    assert decided.carried is carried
    assert set(decided.eligible_voters) == set(nhs_seats)
    assert "essex-cc" in decided.in_favour
    assert [(v.seat, v.reason) for v in decided.not_counted] == [
        (
            "essex-cc",
            "essex-cc (essex-cc) is not eligible to decide this matter (MSE MoU 2020 §8.4, "
            "Annex 1)",
        )
    ]
    await assert_state_is_fold_of_stream(store, handle, config)
    await handle.terminate("test over")


async def test_cdcpe_quorum_four_members_across_health_and_social_care_000_tor_s10(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """CDCPE ToR §10: three members are not quorate (refused, nothing written); four health
    members are quorate, but without social care, and the decision says so distinctly."""
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    three = ("cddft-chief-executive", "tewv-chief-executive", "hdft-chief-executive")
    await refused(
        handle,
        store,
        send(handle, cdcpe_vote(on, three, three)),
        "cdcpe is not quorate for this item: 3 of the 4 members needed are present",
    )
    four_health = (*three, "icb-medical-director")
    decided = latest(await send(handle, cdcpe_vote(on, four_health, four_health[:3])))
    assert decided.carried
    assert decided.explanation.startswith("quorate, but without social care (")
    decided = latest(await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE[:3])))
    assert decided.explanation.startswith("quorate (")
    await assert_state_is_fold_of_stream(store, handle, county_durham)
    await handle.terminate("test over")


async def test_conflicted_chair_replaced_and_leave_ruling_000_tor_s6(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """CDCPE ToR §6: a conflicted chair is replaced for the item; a member ruled to leave counts
    neither towards quorum nor in the vote."""
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    interests = {CDCPE_CHAIR: "ICB commissions the service", "tewv-chief-executive": "provider"}
    rulings = {
        CDCPE_CHAIR: ConflictRuling.DISCUSS_NOT_DECIDE,
        "tewv-chief-executive": ConflictRuling.LEAVE,
    }
    # Five present, two conflicted: three may decide, fewer than the four needed.
    await refused(
        handle,
        store,
        send(
            handle,
            cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE[1:2], declarations=interests, rulings=rulings),
        ),
        "cdcpe is not quorate for this item",
    )
    six = (*CDCPE_FIVE, "hdft-chief-executive")
    await refused(
        handle,
        store,
        send(
            handle,
            cdcpe_vote(on, six, ("tewv-chief-executive",), declarations=interests, rulings=rulings),
        ),
        "tewv-chief-executive left the meeting for this item and cannot vote",
    )
    await refused(
        handle,
        store,
        send(handle, cdcpe_vote(on, six, (), declarations=interests, rulings={})),
        "the Chair has not ruled on the interest declared by",
    )
    progress = await send(
        handle,
        cdcpe_vote(
            on,
            six,
            ("cddft-chief-executive", "hdft-chief-executive", "director-of-place"),
            declarations=interests,
            rulings=rulings,
        ),
    )
    decided = latest(progress)
    assert decided.carried
    assert set(decided.eligible_voters) == set(six) - {CDCPE_CHAIR, "tewv-chief-executive"}
    events = await stream_events(store, stream_of(handle))
    replaced = [e for e in events if isinstance(e, ItemChairReplaced)]
    assert [(r.conflicted_chair, r.acting_chair) for r in replaced] == [
        (CDCPE_CHAIR, "cddft-chief-executive")
    ]
    assert {e.seat for e in events if isinstance(e, InterestDeclared)} == set(interests)
    assert {(e.seat, e.ruling) for e in events if isinstance(e, ConflictRuled)} == set(
        rulings.items()
    )
    await assert_state_is_fold_of_stream(store, handle, county_durham)
    await handle.terminate("test over")


async def test_decision_not_accepted_climbs_to_the_independent_facilitator_003_s8_10_3(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    mid_south_essex: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """MSE MoU 2020 §8.10(3): if the SLE's decision is not accepted, an independent facilitator
    selected by the SLE is the next step; the SLE is told in writing, with the reason."""
    on = await server_today(time_skipping_env)
    handle = await mse_at_level(temporal, mid_south_essex, escalation_worker.task_queue, on, 2)
    not_accepted = DecisionNotAccepted(
        level=2, by="essex-cc", on=on, reason="the shared beds are in Essex"
    )
    await refused(
        handle,
        store,
        send(handle, not_accepted),
        "no decision was taken at level 2",
    )
    await send(handle, sle_vote(decided_on=on))
    await refused(
        handle,
        store,
        send(handle, not_accepted.model_copy(update={"level": 1})),
        "the escalation is at level 2",
    )
    progress = await send(handle, not_accepted)
    assert progress.at is not None and progress.at.level == 3
    level = await handle.query(EscalationWorkflow.level)
    assert level is not None and level.name == "Independent facilitator selected by the SLE"
    events = await stream_events(store, stream_of(handle))
    climb = [e for e in events if isinstance(e, EscalationClimbed)][-1]
    assert (climb.reason, climb.from_level, climb.to_level) == (
        ClimbReason.DECISION_NOT_ACCEPTED,
        2,
        3,
    )
    notice = next(e for e in events if isinstance(e, NoticeIssued) and "/level-3/" in e.notice_id)
    assert notice.recipient == "sle" and "the shared beds are in Essex" in notice.body
    await assert_state_is_fold_of_stream(store, handle, mid_south_essex)
    await handle.terminate("test over")


async def test_overdue_action_reminds_its_owner_003_s7_5(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """MSE MoU 2020 §7.5-§7.8: agreed actions are tracked to closure; an overdue one reminds its
    owner once, and resolution waits for it."""
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    await send(
        handle,
        AgreeAction(
            kind=ActionKind.PEER_REVIEW,
            owner="tewv",
            due_on=on + timedelta(days=3),
            agreed_on=on,
            description="peer review of the crisis pathway",
        ),
    )
    await time_skipping_env.sleep(timedelta(days=5))
    state = await handle.query(EscalationWorkflow.state)
    assert state.actions[0].overdue_on == on + timedelta(days=4)
    assert state.level == 2
    events = await stream_events(store, stream_of(handle))
    assert [e.action_id for e in events if isinstance(e, ActionOverdue)] == ["a1"]
    reminder = [e for e in events if isinstance(e, NoticeIssued) and e.kind is NoticeKind.REMINDER]
    assert [r.recipient for r in reminder] == ["tewv"]
    await refused(
        handle,
        store,
        send(handle, ResolveEscalation(resolved_on=on + timedelta(days=5), resolution="done")),
        "actions still open: a1",
    )
    await send(handle, CompleteAction(action_id="a1", completed_on=on + timedelta(days=5)))
    await send(handle, ResolveEscalation(resolved_on=on + timedelta(days=5), resolution="reviewed"))
    assert (await handle.result()).status == "resolved"
    await assert_state_is_fold_of_stream(store, handle, county_durham)


async def test_a_members_own_vote_is_counted_by_the_meeting_and_closed_by_it_000_tor_s3(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """CDCPE ToR §3, docs/rules.md P4.10: the member's signed vote is recorded in the stream as
    theirs; a record contradicting it is refused naming the seat; the meeting counts it; no vote
    is taken once the level has decided."""
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    seat = "director-of-place"
    cast = CastVote(body="cdcpe", level=2, seat=seat, vote=VoteChoice.AGAINST, cast_on=on)
    await send(handle, cast)
    recorded = (await store.read_stream(stream_of(handle)))[-1]
    assert recorded.type == "VoteCast"
    assert recorded.metadata["provenance"]["seat"] == seat
    assert recorded.metadata["provenance"]["role"] == "member"
    await refused(
        handle,
        store,
        send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE)),
        f"the record says {seat} voted for, but {seat} cast their own vote: against",
    )
    decided = latest(await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE[:4])))
    assert decided.carried and decided.against == (seat,)
    await refused(handle, store, send(handle, cast), "no more votes are taken at this level")
    state = await assert_state_is_fold_of_stream(store, handle, county_durham)
    assert state.votes == ()
    events = await stream_events(store, stream_of(handle))
    assert [e.seat for e in events if isinstance(e, VoteCast)] == [seat]
    await handle.terminate("test over")


DATE_FIELDS = ("decided_on", "referred_on", "agreed_on", "completed_on")


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (
            DecideEscalation(
                level=1,
                body="acute-care-board",
                decided_on=date(2030, 1, 1),
                present=(),
                in_favour=(),
                summary="x",
            ),
            "does not decide by vote",
        ),
        (
            ReferUp(level=1, body="cdcpe", referred_on=date(2030, 1, 1), notes="x"),
            "cdcpe does not handle it there",
        ),
        (
            ReferUp(level=2, body="cdcpe", referred_on=date(2030, 1, 1), notes="x"),
            "the escalation is at level 1",
        ),
        (
            AgreeAction(
                kind=ActionKind.EXTERNAL_SUPPORT,
                owner="nhs-leeds",
                due_on=date(2030, 2, 1),
                agreed_on=date(2030, 1, 1),
                description="x",
            ),
            "'nhs-leeds' is neither a body nor an organisation of county-durham",
        ),
        (
            CompleteAction(action_id="a9", completed_on=date(2030, 1, 1)),
            "no action 'a9' was agreed",
        ),
    ],
)
async def test_bad_commands_are_refused_and_write_nothing(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
    command: Any,
    reason: str,
) -> None:
    """docs/architecture.md principle 7: a bad command gets a clear error and changes nothing."""
    on = await server_today(time_skipping_env)
    handle = await start(
        temporal, county_durham, escalation_worker.task_queue, raise_request(county_durham, on)
    )
    # Dated the day it was raised, so that the date policy (R9) is not the reason refused.
    dated = {f: on for f in DATE_FIELDS if f in type(command).model_fields}
    await refused(handle, store, send(handle, command.model_copy(update=dated)), reason)
    await handle.terminate("test over")


async def test_bad_raise_is_refused_by_the_partnership_and_writes_nothing(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """The partnership's `start` decides the raise before anything is written: no escalation is
    started and the partnership records no start."""
    on = await server_today(time_skipping_env)
    raised = raise_request(county_durham, on, raised_by="leeds-board")
    partnership = await effective_partnership(
        temporal, county_durham, escalation_worker.task_queue, on
    )
    before = await store.read_stream(partnership_stream(county_durham.slug))
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await start_process(partnership, raised)
    assert isinstance(caught.value.cause, ApplicationError)
    assert caught.value.cause.type == "DomainRejected"
    assert "'leeds-board' is not a body of county-durham" in str(caught.value.cause)
    stream = escalation_stream(county_durham.slug, raised.escalation_id)
    assert await store.read_stream(stream) == []
    assert await store.read_stream(partnership_stream(county_durham.slug)) == before


async def test_started_on_its_own_fails_and_writes_nothing(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """An escalation runs only as its partnership's child (docs/architecture.md principle 8)."""
    on = await server_today(time_skipping_env)
    raised = raise_request(county_durham, on)
    stream = escalation_stream(county_durham.slug, raised.escalation_id)
    handle = await temporal.start_workflow(
        EscalationWorkflow.run,
        EscalationInput(
            config=county_durham,
            process_id=stream,
            raised=raised,
            actor=entitled_actor(county_durham, raised),
        ),
        id=stream,
        task_queue=escalation_worker.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    assert isinstance(caught.value.cause, ApplicationError)
    assert caught.value.cause.type == "NotStartedByPartnership"
    assert await store.read_stream(stream) == []


async def test_staff_close_ends_the_escalation_unresolved(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    await send(handle, CloseEscalation(closed_on=on, reason="withdrawn by the board"))
    result = await handle.result()
    assert (result.status, result.outcome) == ("closed", "withdrawn by the board")
    await assert_state_is_fold_of_stream(store, handle, county_durham)


async def drive_to_resolution(handle: Handle, on: date) -> EscalationResult:
    await send(handle, ReferUp(level=1, body="acute-care-board", referred_on=on, notes="up"))
    await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE))
    await send(handle, ResolveEscalation(resolved_on=on, resolution="agreed"))
    return await handle.result()


async def test_rebuilt_from_the_log_when_its_partnership_is_started_again(
    temporal: Client,
    escalation_worker: Worker,
    store: EventStore,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """docs/architecture.md principle 8: both workflows lost mid-way, the partnership started
    again with the same input resumes the escalation from its stream, and it carries on to its
    end with nothing lost or duplicated."""
    on = await server_today(time_skipping_env)
    handle = await at_cdcpe(temporal, county_durham, escalation_worker.task_queue, on)
    partnership: PartnershipHandle = temporal.get_workflow_handle_for(
        PartnershipWorkflow.run, partnership_stream(county_durham.slug)
    )
    lost_run = (await handle.describe()).run_id
    # The partnership first, so it does not record the escalation as ended.
    await partnership.terminate("Temporal's database lost")
    with contextlib.suppress(RPCError):
        await handle.terminate("Temporal's database lost")
    await temporal.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=county_durham),
        id=partnership.id,
        task_queue=escalation_worker.task_queue,
    )
    await running_again(handle, lost_run)
    await settled(handle)
    level = await handle.query(EscalationWorkflow.level)
    assert level is not None and (level.level, level.respond_by) == (2, on + timedelta(days=28))

    await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE))
    await send(handle, ResolveEscalation(resolved_on=on, resolution="agreed"))
    result = await handle.result()
    assert (result.status, result.level) == ("resolved", 2)
    events = await stream_events(store, stream_of(handle))
    facts = [type(e) for e in events if not isinstance(e, NoticeIssued | NoticeDelivered)]
    assert facts == [
        EscalationRaised,
        EscalationConsidered,
        EscalationClimbed,
        EscalationDecided,
        EscalationResolved,
    ]
    issued = [e.notice_id for e in events if isinstance(e, NoticeIssued)]
    assert len(issued) == len(set(issued)) == sum(isinstance(e, NoticeDelivered) for e in events)
    assert result.state == fold(as_carried(county_durham), events)
    assert await outcome_recorded(temporal, county_durham, handle) == "resolved"
    assert (await store.verify()).intact


async def running_again(handle: Handle, lost_run: str | None) -> None:
    """Waits for a run of `handle`'s workflow other than `lost_run`."""
    for _ in range(200):
        described = await handle.describe()
        if described.run_id != lost_run and described.status is WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} was not started again")


async def test_append_that_fails_after_commit_is_retried_without_duplicates(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
    append_then_fail_once: AppendActivity,
) -> None:
    """Nothing lost, nothing doubled: the first attempt of every append commits, then fails."""
    on = await server_today(time_skipping_env)
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=[PartnershipWorkflow, EscalationWorkflow],
        workflow_runner=WORKFLOW_RUNNER,
        activities=[
            append_then_fail_once,
            StoreActivities(store).read_stream,
            delivery.deliver_notice,
            NoticeActivities(delivery, store).deliver_notices,
            SchedulesActivities(temporal, task_queue).ensure_schedules,
        ],
    ):
        handle = await start(temporal, county_durham, task_queue, raise_request(county_durham, on))
        result = await drive_to_resolution(handle, on)
    assert result.status == "resolved"
    recorded = await store.read_stream(stream_of(handle))
    assert [e.version for e in recorded] == list(range(1, len(recorded) + 1))
    assert len({e.event_id for e in recorded}) == len(recorded)
    events = await stream_events(store, stream_of(handle))
    assert sum(isinstance(e, EscalationRaised) for e in events) == 1
    issued = [e.notice_id for e in events if isinstance(e, NoticeIssued)]
    assert len(issued) == len(set(issued)) == sum(isinstance(e, NoticeDelivered) for e in events)
    assert result.state == fold(as_carried(county_durham), events)
    assert (await store.verify()).intact


async def test_worker_restarted_mid_process_completes(
    temporal: Client,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    def new_worker() -> Worker:
        return Worker(
            temporal,
            task_queue=task_queue,
            workflows=[PartnershipWorkflow, EscalationWorkflow],
            workflow_runner=WORKFLOW_RUNNER,
            activities=[
                StoreActivities(store).append_events,
                StoreActivities(store).read_stream,
                delivery.deliver_notice,
                NoticeActivities(delivery, store).deliver_notices,
                SchedulesActivities(temporal, task_queue).ensure_schedules,
            ],
            # No sticky cache: the test server would keep routing tasks to the stopped worker's
            # sticky queue until a timeout measured in its frozen virtual time.
            max_cached_workflows=0,
        )

    on = await server_today(time_skipping_env)
    async with new_worker():
        handle = await start(temporal, county_durham, task_queue, raise_request(county_durham, on))
        await send(handle, ReferUp(level=1, body="acute-care-board", referred_on=on, notes="up"))
    async with new_worker():
        await send(handle, cdcpe_vote(on, CDCPE_FIVE, CDCPE_FIVE))
        await send(handle, ResolveEscalation(resolved_on=on, resolution="agreed"))
        result = await handle.result()
        await assert_state_is_fold_of_stream(store, handle, county_durham)
    assert (result.status, result.level) == ("resolved", 2)


async def test_continue_as_new_with_commands_around_it_loses_nothing(
    dev_env: WorkflowEnvironment,
    store: EventStore,
    task_queue: str,
    delivery: DeliveryActivities,
    county_durham: Partnership,
) -> None:
    """The state carried across continue-as-new; commands sent around the boundary all land.
    The partnership passes its history limit to the escalation it starts."""
    temporal = dev_env.client
    county_durham = own_slug(county_durham)
    on = await server_today(dev_env)
    raised = raise_request(county_durham, on)
    async with build_worker(temporal, store, task_queue, delivery):
        partnership = await effective_partnership(
            temporal, county_durham, task_queue, on, continue_as_new_after_events=25
        )
        started = await start_process(partnership, raised)
        handle: Handle = temporal.get_workflow_handle_for(
            EscalationWorkflow.run, started.process_id
        )
        first_run = (await handle.describe()).run_id
        await settled(handle)
        await send(handle, ReferUp(level=1, body="acute-care-board", referred_on=on, notes="up"))
        owners = ("cddft", "tewv", "hdft", "dcc", "icb", "pcns")

        async def agree(owner: str) -> None:
            await send(
                handle,
                AgreeAction(
                    kind=ActionKind.MITIGATING_ACTION,
                    owner=owner,
                    due_on=on + timedelta(days=20),
                    agreed_on=on,
                    description=f"mitigation by {owner}",
                ),
            )

        await asyncio.gather(*(agree(o) for o in owners))
        state = await handle.query(EscalationWorkflow.state)
        assert sorted(a.owner for a in state.actions) == sorted(owners)
        for action in state.actions:
            await send(handle, CompleteAction(action_id=action.action_id, completed_on=on))
        await send(handle, ResolveEscalation(resolved_on=on, resolution="done"))
        result = await handle.result()
        first = await temporal.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
        assert first.events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
        assert result.status == "resolved"
        assert all(a.completed_on == on for a in result.actions) and len(result.actions) == 6
        events = await stream_events(store, stream_of(handle))
        assert sum(isinstance(e, ActionAgreed) for e in events) == 6
        assert result.state == fold(as_carried(county_durham), events)


async def test_recorded_histories_replay(
    temporal: Client,
    escalation_worker: Worker,
    county_durham: Partnership,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """A fresh run's history, and every committed escalation history, replay deterministically."""
    on = await server_today(time_skipping_env)
    handle = await start(
        temporal, county_durham, escalation_worker.task_queue, raise_request(county_durham, on)
    )
    await drive_to_resolution(handle, on)
    replayer = Replayer(workflows=[EscalationWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())
    committed = sorted(FOLDER.glob("escalation-*.json"))
    for path in committed:
        history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
        await replayer.replay_workflow(history)
