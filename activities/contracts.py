"""What workflows send to activities: plain pydantic, so it imports inside Temporal's sandbox."""

from pydantic import BaseModel, ConfigDict, Field

from eventstore.models import NewEvent

APPEND_EVENTS = "append_events"


class AppendRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str = Field(min_length=1)
    expected_version: int = Field(ge=0)
    events: list[NewEvent] = Field(min_length=1)
