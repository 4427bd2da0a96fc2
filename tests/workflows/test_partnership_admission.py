"""An additional partner admitted through the partnership's workflow (docs/rules.md P7; MSE MoU
2020 §14, §10.1): proposed by a partner, agreed in writing by every signatory, admitted by its
counterpart signature; refused, writing nothing, while one agreement is missing. For County
Durham (eight signatories) and Mid and South Essex (twenty-one)."""

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates.partnership import (
    AgreeAdmission,
    PartnershipState,
    ProposeAdmission,
    SignCounterpart,
    SignMou,
    fold,
    initial_state,
)
from domain.events import (
    AdmissionAgreed,
    AdmissionProposed,
    MouAmended,
    MouSigned,
    PartnerAdmitted,
    SeatOnBody,
)
from domain.organisations import Organisation, Sector
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.people import email_of, representative, secretary, shipped, signed, who
from tests.workflows.conftest import stream_events
from workflows.contracts.partnership import PartnershipInput, PartnershipUpdate
from workflows.contracts.process import Command
from workflows.partnership import PartnershipWorkflow

Handle = WorkflowHandle[PartnershipWorkflow, PartnershipState]


@dataclass(frozen=True)
class Admission:
    """Who proposes whom, with which seat, in a shipped partnership."""

    shipped: str
    proposed_by: str
    new: Organisation
    seat: SeatOnBody


ADMISSIONS = [
    Admission(
        "county-durham",
        "dcc",
        Organisation(
            slug="neas",
            name="North East Ambulance Service NHS Foundation Trust",
            kind="trust",
            sector=Sector.HEALTH,
        ),
        SeatOnBody(body="cdcpe", seat="neas-chief-executive", role="Chief Executive, NEAS"),
    ),
    Admission(
        "mid-south-essex",
        "essex-cc",
        Organisation(
            slug="st-lukes-hospice",
            name="St Luke's Hospice",
            kind="voluntary",
            sector=Sector.OTHER,
        ),
        SeatOnBody(
            body="partnership-board", seat="st-lukes-hospice", role="Chief Executive, hospice"
        ),
    ),
]


@pytest.fixture(params=ADMISSIONS, ids=[a.shipped for a in ADMISSIONS])
def admission(request: pytest.FixtureRequest) -> Admission:
    chosen: Admission = request.param
    return chosen


@pytest.fixture
def partnership(admission: Admission) -> Partnership:
    config = load_partnership(admission.shipped)
    return config.model_copy(update={"slug": f"{admission.shipped}-{uuid.uuid4().hex[:6]}"})


def sent(shipped_slug: str, command: PartnershipUpdate) -> Command[PartnershipUpdate]:
    """Signed for whoever the shipped partnership's access data entitles (the test's partnership
    is a copy of it under a slug of its own)."""
    return signed(shipped(shipped_slug), command)


async def effective(
    client: Client, admission: Admission, config: Partnership, task_queue: str, on: date
) -> Handle:
    handle = await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(config.slug),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    for organisation in config.signatories:
        signature = SignMou(
            organisation=organisation,
            signatory_name=f"Chief Executive of {organisation}",
            signatory_role="Chief Executive",
            signed_on=on,
        )
        await handle.execute_update(PartnershipWorkflow.execute, sent(admission.shipped, signature))
    return handle


async def test_admitted_with_every_agreement_refused_with_one_missing_003_s14(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    admission: Admission,
    partnership: Partnership,
) -> None:
    today = (await time_skipping_env.get_current_time()).date()
    handle = await effective(temporal, admission, partnership, worker.task_queue, today)
    stream_id = partnership_stream(partnership.slug)
    new, seat = admission.new, admission.seat

    async def execute(command: PartnershipUpdate) -> PartnershipState:
        await handle.execute_update(PartnershipWorkflow.execute, sent(admission.shipped, command))
        state: PartnershipState = await handle.query(PartnershipWorkflow.state)
        return state

    proposal = ProposeAdmission(
        proposed_by=admission.proposed_by, organisation=new, seats=(seat,), proposed_on=today
    )
    state = await execute(proposal)
    assert state.admission is not None and state.admission.organisation == new.slug

    *agreeing, last = partnership.signatories
    for organisation in agreeing:
        await execute(
            AgreeAdmission(organisation=organisation, agreed_on=today, reference="letter")
        )
    counterpart = SignCounterpart(
        organisation=new.slug,
        signatory_name=f"Chief Executive of {new.name}",
        signatory_role="Chief Executive",
        signed_on=today,
    )
    before = len(await store.read_stream(stream_id))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await execute(counterpart)
    assert f"no written agreement from {last}" in str(refused.value.cause)
    assert len(await store.read_stream(stream_id)) == before

    await execute(AgreeAdmission(organisation=last, agreed_on=today, reference="letter"))
    state = await execute(counterpart)
    assert new.slug in state.signatories and state.mou_version == 2 and state.admission is None
    member = state.body(seat.body).member(seat.seat)
    assert member is not None and member.organisation == new.slug

    events = await stream_events(store, stream_id)
    signatures = len(partnership.signatories)
    admitted = events[signatures + 1 :]
    assert [type(e) for e in admitted] == (
        [AdmissionProposed]
        + [AdmissionAgreed] * signatures
        + [PartnerAdmitted, MouSigned, MouAmended]
    )
    recorded = await store.read_stream(stream_id)
    config = shipped(admission.shipped)
    assert who(recorded[signatures + 1].metadata) == email_of(
        representative(config, admission.proposed_by)
    )
    # The new partner is named in no access data: the secretariat records its counterpart on its
    # behalf (rule A4).
    assert who(recorded[-1].metadata) == email_of(secretary(config))
    assert fold(initial_state(partnership), events) == await handle.query(PartnershipWorkflow.state)
    await handle.terminate("test over")
