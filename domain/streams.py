"""Stream ids: one stream per process, named by its kind, its partnership and its subject, so
that the same process cannot be started twice by accident (docs/architecture.md principle 2: one
writer per stream). A process's workflow id is its stream id, except where a schedule starts it.

`<kind>:<partnership>:<subject...>`; slugs, ids and ISO dates never contain ':'.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict


def partnership_stream(partnership: str) -> str:
    """The partnership's own stream: signatures, versions of the MoU, members."""
    return f"partnership:{partnership}"


def review_stream(partnership: str, review_id: str) -> str:
    """One review process per review of a partnership (docs/rules.md P1)."""
    return f"review:{partnership}:{review_id}"


def exit_stream(partnership: str, organisation: str, notified_on: date) -> str:
    """One exit process per notice a partner gives (docs/rules.md P2). A partner that withdrew
    its notice may give another later, under a new id."""
    return f"exit:{partnership}:{organisation}:{notified_on.isoformat()}"


def committee_stream(partnership: str, committee: str) -> str:
    """One formation per committee of a partnership (P3)."""
    return f"committee:{partnership}:{committee}"


def escalation_stream(partnership: str, escalation_id: str) -> str:
    """One stream per escalation of a partnership (P4)."""
    return f"escalation:{partnership}:{escalation_id}"


def meeting_stream(partnership: str, body: str, meeting_on: date) -> str:
    """One stream per meeting of a body (P5)."""
    return f"meeting:{partnership}:{body}:{meeting_on.isoformat()}"


def declarations_stream(partnership: str, body: str, kind: str, requested_on: date) -> str:
    """One stream per declarations round of a body's register (P6); also its notices' prefix."""
    return f"declarations:{partnership}:{body}:{kind}:{requested_on.isoformat()}"


class StreamId(BaseModel):
    """A stream id taken apart: what the builders above put together."""

    model_config = ConfigDict(frozen=True)

    kind: str
    partnership: str
    subject: tuple[str, ...]


def parse_stream(stream_id: str) -> StreamId:
    """The kind (the prefix before the first ':'), partnership and subject of `stream_id`."""
    kind, _, rest = stream_id.partition(":")
    partnership, *subject = rest.split(":")
    return StreamId(kind=kind, partnership=partnership, subject=tuple(subject))
