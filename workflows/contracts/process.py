"""The models every process's workflow shares: its input, what it carries across
continue-as-new, its stream, and the envelope a command comes in.

Passed through the sandbox with the rest of workflows.contracts.
"""

from typing import Any, Generic, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import to_json
from temporalio.exceptions import ApplicationError

from domain.partnership import Partnership
from domain.provenance import Actor
from domain.text import refusal


class Stream(BaseModel):
    """The stream a workflow writes and the version it has reached: part of its carried state."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    version: int = 0


S = TypeVar("S", bound=BaseModel)
C_co = TypeVar("C_co", covariant=True)


class Carried(BaseModel, Generic[S]):
    """What one run hands the next across continue-as-new: the fold so far and its stream."""

    model_config = ConfigDict(frozen=True)

    state: S
    stream: Stream


class ProcessInput(BaseModel, Generic[S]):
    """What every process's workflow is started with. The partnership's configuration is part
    of the input, so a replay sees the partnership as it was when the process started."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    carried: Carried[S] | None = None
    continue_as_new_after_events: int | None = Field(
        default=None,
        ge=10,
        description="continue as new at this history length, as well as when Temporal "
        "suggests it (lets tests cross the boundary on purpose)",
    )


class ChildInput(ProcessInput[S]):
    """A process a partnership starts: on its own stream, for the person who asked."""

    process_id: str = Field(min_length=1, description="its workflow and stream id")
    actor: Actor = Field(description="who started it, as their signed envelope said")


INVALID_COMMAND = "InvalidCommand"

COMMAND_MAX_BYTES = 64 * 1024
"""The most a command may weigh, serialised (docs/rules.md R6): far below Temporal's 2 MB
limit on a payload, so no command, nor the events and state it leads to, can push a workflow
past it."""


class Command(BaseModel, Generic[C_co]):
    """One command from the edge to the aggregate: the domain's command, and who is acting
    with the signature over both that the edge made (`concordat.signing`)."""

    model_config = ConfigDict(frozen=True)

    command: C_co
    actor: Actor

    @model_validator(mode="wrap")
    @classmethod
    def refused_as_one_line(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Refuses, as one line naming the field and its limit, a command the envelope's types
        refuse or one heavier than `COMMAND_MAX_BYTES`, at the edge and in the workflow alike,
        before anything is written. An ApplicationError passes through Temporal's decoding of
        an update's argument as the update's refusal, where a ValidationError would become
        "Failed decoding arguments"."""
        try:
            envelope = handler(data)
        except ValidationError as error:
            raise ApplicationError(
                refusal(error), type=INVALID_COMMAND, non_retryable=True
            ) from None
        size = len(to_json(envelope.command))
        if size > COMMAND_MAX_BYTES:
            raise ApplicationError(
                f"the command is {size:,} bytes serialised; a command may be at most "
                f"{COMMAND_MAX_BYTES:,} bytes",
                type=INVALID_COMMAND,
                non_retryable=True,
            )
        return envelope
