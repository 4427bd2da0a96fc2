"""What goes into the event log and what comes out of it.

Kept free of asyncpg so that workflows can build events inside Temporal's sandbox.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class NewEvent(BaseModel):
    """An event to append; its id is made by the caller so that a retried append is recognised."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    type: str = Field(min_length=1)
    schema_version: int = Field(default=1, ge=1)
    data: dict[str, Any]
    occurred_at: AwareDatetime
    metadata: dict[str, Any] = Field(default_factory=dict)
    governance_on: date | None = None
    """The date the event speaks of (`eventstore.codec.governance_date`), which the log keeps in
    a column of its own so an "as of" read can skip what comes after it; None when unknown."""

    def with_metadata(self, **extra: Any) -> Self:
        return self.model_copy(update={"metadata": {**self.metadata, **extra}})


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as the log holds it. A plain dataclass, not a model: the store builds one per
    row from columns already typed by the table (migration 0001), and a decade's audit reads
    build millions."""

    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime
    chain_hash: str


class AppendResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    positions: list[int]
    last_version: int
    already_recorded: bool = Field(
        description="True when every event was there already (a retried append): nothing written"
    )


class Digest(BaseModel):
    """A point in the log an auditor can minute and later prove is still a prefix of it."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(ge=0)
    chain_hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    def __str__(self) -> str:
        return f"{self.position}:{self.chain_hash}"

    @classmethod
    def parse(cls, text: str) -> "Digest":
        position, sep, chain_hash = text.strip().partition(":")
        if not sep or not position.isdigit():
            raise ValueError(f"digest {text!r} is not POSITION:HASH")
        return cls(position=int(position), chain_hash=chain_hash.lower())


class Verification(BaseModel):
    model_config = ConfigDict(frozen=True)

    intact: bool
    checked: int = Field(description="events whose hashes were recomputed")
    head: Digest
    first_bad_position: int | None = None
    problem: str | None = None
    checkpointed: int = Field(
        default=0, description="events covered by the largest signed checkpoint checked"
    )
