"""What workflows send to activities: plain pydantic, so it imports inside Temporal's sandbox."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from eventstore.models import NewEvent

APPEND_EVENTS = "append_events"


class AppendRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    stream_id: str = Field(min_length=1)
    expected_version: int = Field(ge=0)
    events: list[NewEvent] = Field(min_length=1)


DELIVER_NOTICE = "deliver_notice"


class DeliveryRequest(BaseModel):
    """A recorded notice to deliver; the text is the text whose hash is in the event."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    notice_id: str = Field(min_length=1)
    recipient: str = Field(min_length=1)
    subject: str
    body: str
    content_hash: str


class DeliveryReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    notice_id: str
    channel: str
    reference: str = Field(description="where it went: the outbox file or the SMTP Message-ID")
    delivered_at: AwareDatetime
