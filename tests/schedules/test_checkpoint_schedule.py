"""Signed checkpoints minted by their Temporal Schedule and after a milestone's append, and handed
to the witnesses: a directory and a mail to the auditors."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.checkpoints import CheckpointActivities
from activities.contracts import AppendRequest, EventToRecord, MintCheckpoint
from activities.delivery import DeliveryActivities, OutboxChannel
from activities.store import StoreActivities
from concordat.witnesses import Witness, WitnessConfigError, Witnesses, load_witnesses
from deploy.checkpoint_schedule import SCHEDULE_ID, ensure_checkpoint_schedule
from domain.events import DomainEvent, MouEffective, MouSigned
from eventstore.checkpoint import Signer, open_checkpoint
from eventstore.store import EventStore
from eventstore.tree import TreeStore
from tests.replay.histories import save_history
from tests.store.events import batch
from worker import build_worker
from workflows.checkpoint import CheckpointWorkflow


@pytest.fixture
def signer() -> Signer:
    return Signer("concordat.test/log", Ed25519PrivateKey.generate())


@pytest.fixture
def checkpoints(
    pool: asyncpg.Pool, signer: Signer, tmp_path: Path, outbox: Path
) -> CheckpointActivities:
    witnesses = Witnesses(
        [Witness("county-durham", tmp_path / "witness", ("audit@durham.test",))],
        OutboxChannel(outbox, "concordat@test"),
    )
    return CheckpointActivities(TreeStore(pool), signer, witnesses.publish)


async def test_the_schedule_mints_a_checkpoint_the_witnesses_receive(
    dev_client: Client,
    store: EventStore,
    pool: asyncpg.Pool,
    task_queue: str,
    delivery: DeliveryActivities,
    checkpoints: CheckpointActivities,
    signer: Signer,
    tmp_path: Path,
    outbox: Path,
) -> None:
    await store.append("s", 0, batch(5))
    await ensure_checkpoint_schedule(dev_client, task_queue, timedelta(hours=2))
    await ensure_checkpoint_schedule(dev_client, task_queue, timedelta(hours=1))
    handle = dev_client.get_schedule_handle(SCHEDULE_ID)
    try:
        described = await handle.describe()
        assert [i.every for i in described.schedule.spec.intervals] == [timedelta(hours=1)]
        async with build_worker(dev_client, store, task_queue, delivery, checkpoints):
            await handle.trigger()
            for _ in range(100):
                notes = await TreeStore(pool).notes()
                if notes:
                    break
                await asyncio.sleep(0.2)
    finally:
        await handle.delete()
    (note,) = notes
    assert open_checkpoint(note, signer.verifier).tree_size == 5
    assert (tmp_path / "witness" / "checkpoint-5.txt").read_text() == note
    assert (tmp_path / "witness" / "latest.txt").read_text() == note
    (mail,) = (outbox / "county-durham").glob("*.eml")
    text = mail.read_text()
    assert "To: audit@durham.test" in text and note.split("\n")[2] in text


def appended(event: DomainEvent, version: int) -> AppendRequest:
    return AppendRequest(
        stream_id="partnership:county-durham",
        expected_version=version,
        events=[
            EventToRecord(event_id=uuid4(), occurred_at=datetime.now(UTC), actor="t", event=event)
        ],
    )


async def test_an_mou_becoming_effective_is_checkpointed_at_once(
    store: EventStore, pool: asyncpg.Pool, checkpoints: CheckpointActivities, tmp_path: Path
) -> None:
    activities = StoreActivities(store, checkpoints.mint)
    signed = MouSigned(
        partnership="county-durham",
        organisation="tewv",
        signatory_name="A Person",
        signatory_role="Chair",
        signed_on=date(2024, 1, 5),
    )
    await ActivityEnvironment().run(activities.append_events, appended(signed, 0))
    assert await TreeStore(pool).notes() == [], "a signature alone waits for the hour"
    effective = MouEffective(
        partnership="county-durham",
        effective_on=date(2024, 1, 5),
        version=1,
        review_due_on=date(2025, 1, 5),
    )
    await ActivityEnvironment().run(activities.append_events, appended(effective, 1))
    (note,) = await TreeStore(pool).notes()
    assert note.split("\n")[1] == "2"
    assert (tmp_path / "witness" / "latest.txt").read_text() == note


def test_a_witnesses_file_is_read_or_refused_naming_the_field(tmp_path: Path) -> None:
    good = tmp_path / "witnesses.toml"
    good.write_text('[county-durham]\ndirectory = "/srv/w"\nauditors = ["a@b.test"]\n')
    assert load_witnesses(good) == [Witness("county-durham", Path("/srv/w"), ("a@b.test",))]
    bad = tmp_path / "bad.toml"
    bad.write_text('[county-durham]\nauditors = ["not an address"]\n')
    with pytest.raises(WitnessConfigError, match=r"\[county-durham\] auditors must be"):
        load_witnesses(bad)
    bad.write_text('[county-durham]\nfolder = "/srv/w"\n')
    with pytest.raises(WitnessConfigError, match="may hold only directory and auditors"):
        load_witnesses(bad)


async def test_the_checkpoint_workflow_mints_one(
    temporal: Client,
    store: EventStore,
    pool: asyncpg.Pool,
    task_queue: str,
    delivery: DeliveryActivities,
    checkpoints: CheckpointActivities,
) -> None:
    await store.append("s", 0, batch(3))
    async with build_worker(temporal, store, task_queue, delivery, checkpoints):
        handle = await temporal.start_workflow(
            CheckpointWorkflow.run,
            MintCheckpoint(reason="tests"),
            id=f"checkpoint:{task_queue}",
            task_queue=task_queue,
        )
        assert (await handle.result()).tree_size == 3
        await save_history(handle, "checkpoint-minted")
    assert len(await TreeStore(pool).notes()) == 1
