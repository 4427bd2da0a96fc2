"""Envelopes sent straight to Temporal (issues 10, 16): only a signed envelope from a trusted key,
for a person the access data entitles, acts; anything else is refused by the update's validator
with the events table unchanged."""

from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from concordat.signing import Signer
from domain.aggregates.partnership import SignMou
from domain.authority import NotAuthorisedError
from domain.partnership import Partnership
from domain.provenance import Actor, Channel, Person, Provenance, Role, system_actor
from eventstore.store import EventStore
from tests.people import SIGNER, dev_person, representative, secretary, signed
from tests.workflows.through_partnership import PartnershipHandle, county_durham
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.process import Command
from workflows.partnership import PartnershipWorkflow


def signature(organisation: str, on: date) -> SignMou:
    return SignMou(
        organisation=organisation,
        signatory_name="Jane Robinson",
        signatory_role="Chief Executive",
        signed_on=on,
    )


async def started(client: Client, config: Partnership, task_queue: str) -> PartnershipHandle:
    return await client.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=f"partnership:{config.slug}",
        task_queue=task_queue,
    )


async def all_events(store: EventStore) -> list[tuple[int, str, dict[str, object]]]:
    return [(e.position, e.type, e.metadata) for e in await store.read_all()]


async def refused(
    handle: PartnershipHandle, store: EventStore, envelope: Command[SignMou], reason: str
) -> None:
    before = await all_events(store)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(PartnershipWorkflow.execute, envelope)
    assert reason in str(caught.value.cause)
    assert await all_events(store) == before


def forged_provenance(organisation: str) -> Provenance:
    """What a representative of `organisation` would be given, for a person nobody vouched for."""
    made_up = Person(issuer="dev", subject="mallory", name="Mallory", email="m@evil.example")
    return Provenance(
        person=made_up, role=Role.REPRESENTATIVE, organisation=organisation, channel=Channel.API
    )


async def test_envelopes_not_signed_by_a_trusted_key_for_an_entitled_person_are_refused(
    temporal: Client,
    time_skipping_env: WorkflowEnvironment,
    worker: Worker,
    store: EventStore,
) -> None:
    config = county_durham()
    today = (await time_skipping_env.get_current_time()).date()
    handle = await started(temporal, config, worker.task_queue)
    command = signature("dcc", today)
    honest = signed(config, command)
    assert honest.actor.signature is not None

    unsigned: Command[SignMou] = Command(
        command=command, actor=Actor(provenance=honest.actor.provenance)
    )
    await refused(handle, store, unsigned, "the envelope is not signed")

    other_key = Signer(Ed25519PrivateKey.generate()).sign(command, honest.actor.provenance)
    await refused(handle, store, other_key, "which this worker does not trust")

    # The tests' trusted key's signature, moved onto another command, person or time.
    assert honest.actor.signature is not None
    provenance, seal = honest.actor.provenance, honest.actor.signature
    tampered: Command[SignMou]
    for tampered in (
        Command(command=signature("tewv", today), actor=honest.actor),
        Command(
            command=command,
            actor=Actor(
                provenance=provenance.model_copy(update={"person": representative(config, "tewv")}),
                signature=seal,
            ),
        ),
        Command(
            command=command,
            actor=Actor(
                provenance=provenance,
                signature=seal.model_copy(update={"issued_at": datetime(2020, 1, 1, tzinfo=UTC)}),
            ),
        ),
    ):
        await refused(handle, store, tampered, "signature does not match")

    # Signed with the trusted key, but for a person the access data does not name, or as a
    # system actor: the key alone makes no one a partner's representative.
    made_up = SIGNER.sign(command, forged_provenance("dcc"))
    await refused(handle, store, made_up, "Mallory (dev:mallory) may not SignMou for dcc")
    timer = SIGNER.sign(command, system_actor("timer:annual-review").provenance)
    await refused(handle, store, timer, "as a system actor")

    # A representative acts for their own organisation only.
    other = provenance.model_copy(update={"person": representative(config, "tewv")})
    await refused(handle, store, SIGNER.sign(command, other), "may not SignMou for dcc")

    # The secretariat records for a partner only on its behalf, with a reason.
    clerk = provenance.model_copy(
        update={"person": secretary(config), "role": Role.SECRETARIAT, "organisation": None}
    )
    await refused(handle, store, SIGNER.sign(command, clerk), "on behalf of dcc with a reason")
    await handle.execute_update(
        PartnershipWorkflow.execute,
        signed(
            config,
            command,
            by=secretary(config),
            on_behalf_of="dcc",
            reason="signed MoU received by post",
        ),
    )
    (recorded,) = await store.read_stream(f"partnership:{config.slug}")
    assert recorded.metadata["provenance"] == {
        "person": secretary(config).model_dump(mode="json", exclude_none=True),
        "role": "secretariat",
        "channel": "web",
        "on_behalf_of": "dcc",
        "reason": "signed MoU received by post",
    }
    assert recorded.metadata["signature"]["key"] == SIGNER.public_key
    assert recorded.metadata["signature"]["command"]["organisation"] == "dcc"
    assert "on behalf of dcc: signed MoU received by post" in recorded.metadata["actor"]
    await handle.terminate("test over")


async def test_a_person_the_edge_would_not_sign_for_is_refused_before_anything_is_sent() -> None:
    config = county_durham()
    with pytest.raises(NotAuthorisedError, match="a person acts only for what they represent"):
        signed(config, signature("dcc", date(2024, 1, 1)), by=representative(config, "tewv"))
    with pytest.raises(NotAuthorisedError, match="without a stated reason"):
        signed(config, signature("dcc", date(2024, 1, 1)), by=secretary(config), on_behalf_of="dcc")
    assert dev_person("dev.auditor@concordat.example").groups == ("concordat-auditors",)
