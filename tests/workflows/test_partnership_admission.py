"""An additional partner admitted through the partnership's workflow (docs/rules.md P7; MSE MoU
2020 §14, §10.1): proposed by a partner, agreed in writing by every signatory, admitted by its
counterpart signature; refused, writing nothing, while one agreement is missing."""

import uuid
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
from workflows.partnership import PartnershipInput, PartnershipUpdate, PartnershipWorkflow
from workflows.process import Command

Handle = WorkflowHandle[PartnershipWorkflow, PartnershipState]
NEW = Organisation(
    slug="neas",
    name="North East Ambulance Service NHS Foundation Trust",
    kind="trust",
    sector=Sector.HEALTH,
)
SEAT = SeatOnBody(body="cdcpe", seat="neas-chief-executive", role="Chief Executive, NEAS")


@pytest.fixture
def county_durham() -> Partnership:
    config = load_partnership("county-durham")
    return config.model_copy(update={"slug": f"county-durham-{uuid.uuid4().hex[:6]}"})


def sent(command: PartnershipUpdate) -> Command[PartnershipUpdate]:
    return signed(shipped("county-durham"), command)


async def effective(client: Client, config: Partnership, task_queue: str, on: date) -> Handle:
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
        await handle.execute_update(PartnershipWorkflow.execute, sent(signature))
    return handle


async def test_admitted_with_every_agreement_refused_with_one_missing_003_s14(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
    county_durham: Partnership,
) -> None:
    today = (await time_skipping_env.get_current_time()).date()
    handle = await effective(temporal, county_durham, worker.task_queue, today)
    stream_id = partnership_stream(county_durham.slug)
    proposal = ProposeAdmission(
        proposed_by="dcc", organisation=NEW, seats=(SEAT,), proposed_on=today
    )
    state = await handle.execute_update(PartnershipWorkflow.execute, sent(proposal))
    assert state.admission is not None and state.admission.organisation == "neas"

    *agreeing, last = county_durham.signatories
    for organisation in agreeing:
        letter = AgreeAdmission(organisation=organisation, agreed_on=today, reference="letter")
        await handle.execute_update(PartnershipWorkflow.execute, sent(letter))
    counterpart = SignCounterpart(
        organisation="neas",
        signatory_name="Chief Executive of NEAS",
        signatory_role="Chief Executive",
        signed_on=today,
    )
    before = len(await store.read_stream(stream_id))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(PartnershipWorkflow.execute, sent(counterpart))
    assert f"no written agreement from {last}" in str(refused.value.cause)
    assert len(await store.read_stream(stream_id)) == before

    letter = AgreeAdmission(organisation=last, agreed_on=today, reference="letter")
    await handle.execute_update(PartnershipWorkflow.execute, sent(letter))
    state = await handle.execute_update(PartnershipWorkflow.execute, sent(counterpart))
    assert "neas" in state.signatories and state.mou_version == 2 and state.admission is None
    member = state.body("cdcpe").member("neas-chief-executive")
    assert member is not None and member.organisation == "neas"

    events = await stream_events(store, stream_id)
    signatures = len(county_durham.signatories)
    admission = events[signatures + 1 :]
    assert [type(e) for e in admission] == (
        [AdmissionProposed]
        + [AdmissionAgreed] * signatures
        + [PartnerAdmitted, MouSigned, MouAmended]
    )
    recorded = await store.read_stream(stream_id)
    config = shipped("county-durham")
    assert who(recorded[signatures + 1].metadata) == email_of(representative(config, "dcc"))
    # The new partner is named in no access data: the secretariat records its counterpart on its
    # behalf (rule A4).
    assert who(recorded[-1].metadata) == email_of(secretary(config))
    assert fold(initial_state(county_durham), events) == await handle.query(
        PartnershipWorkflow.state
    )
    await handle.terminate("test over")
