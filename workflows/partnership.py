"""The partnership's own workflow: the one writer of its stream.

It collects every signatory's counterpart of the MoU; the MoU is effective only when each partner
has executed one (`003_5b90f8e433878967.txt` §15.3) and commences on the date of signature
(`000_6f318076c05af665.txt` MoU §24), which the domain takes as the last signature's date.
"""

import asyncio
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

from domain.aggregates.partnership import (
    PartnershipCommand,
    PartnershipState,
    SignMou,
    decide,
    fold,
    initial_state,
)
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.partnership import Partnership
from workflows import search_attributes
from workflows.ids import partnership_stream
from workflows.recording import Stream, record, reject

PROCESS = "partnership"


class PartnershipInput(BaseModel):
    """The configuration is part of the input, so a replay sees the partnership as it was then."""

    model_config = ConfigDict(frozen=True)

    config: Partnership


class SignatureRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation: str
    signatory_name: str = Field(min_length=1)
    signatory_role: str = Field(min_length=1)
    signed_on: date
    actor: str = Field(min_length=1, description="who recorded it: a staff user or a timer")

    def command(self) -> SignMou:
        return SignMou(
            organisation=self.organisation,
            signatory_name=self.signatory_name,
            signatory_role=self.signatory_role,
            signed_on=self.signed_on,
        )


def _decide(state: PartnershipState, command: PartnershipCommand) -> list[DomainEvent]:
    try:
        return decide(state, command)
    except DomainError as error:
        reject(error)


@workflow.defn(name="Partnership")
class PartnershipWorkflow:
    @workflow.init
    def __init__(self, input: PartnershipInput) -> None:
        self._state = initial_state(input.config)
        self._stream = Stream(stream_id=partnership_stream(input.config.slug))
        # Updates that record interleave at the activity; one at a time decides and records.
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: PartnershipInput) -> PartnershipState:
        self._publish()
        await workflow.wait_condition(
            lambda: self._state.is_effective and workflow.all_handlers_finished()
        )
        return self._state

    @workflow.query
    def state(self) -> PartnershipState:
        return self._state

    @workflow.update
    async def sign(self, request: SignatureRequest) -> PartnershipState:
        async with self._lock:
            # Decided again under the lock: another update may have changed the state since
            # this one was validated.
            events = _decide(self._state, request.command())
            self._stream = await record(self._stream, events, request.actor)
            self._state = fold(self._state, events)
            self._publish()
        return self._state

    @sign.validator
    def _validate_sign(self, request: SignatureRequest) -> None:
        _decide(self._state, request.command())

    def _publish(self) -> None:
        status = "effective" if self._state.is_effective else "collecting-signatures"
        workflow.upsert_search_attributes(
            [
                search_attributes.PARTNERSHIP.value_set(self._state.slug),
                search_attributes.PROCESS.value_set(PROCESS),
                search_attributes.STATUS.value_set(status),
            ]
        )
