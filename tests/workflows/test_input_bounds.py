"""Input no workflow can hold is refused at the workflow's door, and the workflow carries on.

Issue 9: a 120,000-character signatory name was written, then failed every workflow task with
PayloadsTooLarge, wedging the partnership for good; a NUL in a review comment was retried for
ever by the append. Both are sent here past the client's own checks (as a script or an older
client might send them), so the workflow's validator is what refuses them.
"""

from datetime import date
from typing import TypeVar

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from deploy.dev_users import entitled
from domain.aggregates.escalation import DecideEscalation
from domain.aggregates.partnership import SignMou
from domain.aggregates.review import RecordResponse
from domain.authority import provenance_for
from domain.events import MouSigned
from domain.provenance import Channel
from domain.rules.quorum import Attendance
from domain.streams import partnership_stream
from domain.text import NAME_MAX
from eventstore.store import EventStore
from tests.people import SIGNER, shipped, signed
from tests.workflows.conftest import stream_events
from tests.workflows.test_review import start as start_review
from tests.workflows.through_partnership import county_durham, settled
from workflows.contracts.partnership import PartnershipInput
from workflows.contracts.process import COMMAND_MAX_BYTES, Command
from workflows.partnership import PartnershipWorkflow
from workflows.review import ReviewWorkflow

C = TypeVar("C")


def unchecked(command: C) -> Command[C]:
    """`command` in the envelope without validation, as pydantic would never build it."""
    config = shipped("county-durham")
    person, _ = entitled(config, command)
    provenance = provenance_for(config.access, person, command, Channel.WEB)
    return Command.model_construct(command=command, actor=SIGNER.actor(command, provenance))


async def test_an_oversized_signatory_name_is_refused_and_the_partnership_carries_on(
    temporal: Client, worker: Worker, store: EventStore, time_skipping_env: WorkflowEnvironment
) -> None:
    config = county_durham()
    today = (await time_skipping_env.get_current_time()).date()
    partnership = await temporal.start_workflow(
        PartnershipWorkflow.run,
        PartnershipInput(config=config),
        id=partnership_stream(config.slug),
        task_queue=worker.task_queue,
    )
    stream = partnership_stream(config.slug)
    before = await stream_events(store, stream)
    huge = SignMou.model_construct(
        organisation=config.signatories[0],
        signatory_name="A" * 120_000,
        signatory_role="Chief Executive",
        signed_on=today,
    )
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await partnership.execute_update(PartnershipWorkflow.execute, unchecked(huge))
    assert "120,000 characters" in str(caught.value.cause)
    assert f"at most {NAME_MAX}" in str(caught.value.cause)
    assert await stream_events(store, stream) == before

    # Not wedged: the same signature with a real name is recorded at once.
    legitimate = huge.model_copy(update={"signatory_name": "Jane Robinson"})
    state = await partnership.execute_update(PartnershipWorkflow.execute, unchecked(legitimate))
    assert config.signatories[0] not in state.outstanding_signatures
    [signed] = [e for e in await stream_events(store, stream) if isinstance(e, MouSigned)]
    assert signed.signatory_name == "Jane Robinson"
    await partnership.terminate("test over")


async def test_a_nul_in_a_review_comment_is_refused_and_the_next_response_is_recorded(
    temporal: Client, time_skipping_env: WorkflowEnvironment, worker: Worker, store: EventStore
) -> None:
    review = await start_review(temporal, time_skipping_env, worker.task_queue)
    await settled(store, temporal, review.latest)
    before = await review.events(store)
    response = RecordResponse.model_construct(
        organisation="icb",
        received_on=review.opened_on,
        confirms_unchanged=True,
        comment="Content\x00 as it stands",
    )
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await review.latest.execute_update(ReviewWorkflow.execute, unchecked(response))
    assert "control character (U+0000)" in str(caught.value.cause)
    assert await review.events(store) == before

    state = await review.latest.execute_update(
        ReviewWorkflow.execute,
        unchecked(response.model_copy(update={"comment": "Content as it stands\n\tNo change"})),
    )
    assert state.response("icb") is not None
    assert len(await review.events(store)) == len(before) + 1
    await review.partnership.terminate("test over")


def test_a_command_heavier_than_the_limit_is_refused_naming_size_and_limit() -> None:
    """Every field within its own bound, the whole still too heavy for a workflow to carry."""
    heavy = DecideEscalation(
        body="executive",
        decided_on=date(2024, 1, 5),
        present=tuple(Attendance(seat=f"seat-{n:04d}-" + "s" * 150) for n in range(500)),
        in_favour=(),
        summary="Agreed",
    )
    with pytest.raises(ApplicationError) as caught:
        signed(shipped("county-durham"), heavy)
    assert caught.value.non_retryable
    assert f"a command may be at most {COMMAND_MAX_BYTES:,} bytes" in caught.value.message
