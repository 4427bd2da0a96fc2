"""Written notices: rendered documents whose hash goes into the event that issues them.

Rendering is pure, so a workflow can render a notice, record it with its hash, and hand the very
same text to the delivery activity; an auditor can re-hash the recorded text and compare.
"""

import hashlib
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from domain.events import NoticeDelivered, NoticeIssued, NoticeKind, ProcessKind


class Document(BaseModel):
    """One written notice to one recipient (an organisation or a body)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str = Field(min_length=1)
    kind: NoticeKind
    recipient: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """SHA-256 of the subject and body as delivered."""
        return content_hash(self.subject, self.body)


def content_hash(subject: str, body: str) -> str:
    """The hash recorded in `NoticeIssued`; auditors recompute it from the recorded text."""
    return hashlib.sha256(f"{subject}\n\n{body}".encode()).hexdigest()


def long_date(day: date) -> str:
    """A date as letters write it: 1 April 2023."""
    return day.strftime("%d %B %Y").lstrip("0")


def issue(
    document: Document,
    *,
    partnership: str,
    process: ProcessKind,
    process_id: str,
    issued_on: date,
    respond_by: date | None = None,
) -> NoticeIssued:
    """The event that records `document` as issued, with its text and hash."""
    return NoticeIssued(
        partnership=partnership,
        process=process,
        process_id=process_id,
        notice_id=document.notice_id,
        kind=document.kind,
        recipient=document.recipient,
        issued_on=issued_on,
        respond_by=respond_by,
        subject=document.subject,
        body=document.body,
        content_hash=document.content_hash,
    )


def delivered(
    notice: NoticeIssued, *, delivered_on: date, channel: str, reference: str
) -> NoticeDelivered:
    """The receipt of `notice` from the delivery channel."""
    return NoticeDelivered(
        partnership=notice.partnership,
        process=notice.process,
        process_id=notice.process_id,
        notice_id=notice.notice_id,
        recipient=notice.recipient,
        delivered_on=delivered_on,
        channel=channel,
        reference=reference,
    )
