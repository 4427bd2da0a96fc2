"""Which of a partnership's events a reader wants, as SQL conditions the database applies: a
filtered trail is read through the same cursor as the whole one, never loaded then sifted."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

_CONCERNS = (
    "(metadata -> 'provenance' ->> 'organisation' = ${n}"
    " OR metadata -> 'provenance' ->> 'on_behalf_of' = ${n}"
    " OR jsonb_path_exists(data, '$.** ? (@ == $slug)', jsonb_build_object('slug', ${n}::text)))"
)
"""An event concerns an organisation when it acted (or was acted for), or when any value of its
data names it: the organisation that signed or left, a recipient, an owner, a body's seat."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _like(text: str) -> str:
    """`text` as a case-insensitive substring pattern, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class EventFilter:
    """Conditions on events, all of which must hold; None leaves a condition out."""

    stream_id: str | None = None
    organisation: str | None = None
    actor_contains: str | None = None
    """A part of who acted, as the trail shows them (name, email, issuer:subject), any case."""
    occurred_from: date | None = None
    occurred_until: date | None = None
    """Inclusive UTC dates of when the events occurred, as the trail dates its lines."""
    after_position: int | None = None

    def where(self, arguments: list[Any]) -> str:
        """The conditions as SQL (" AND ..." each), appending their values to `arguments`."""
        conditions: list[str] = []

        def add(sql: str, value: Any) -> None:
            arguments.append(value)
            conditions.append(sql.replace("{n}", str(len(arguments))))

        if self.stream_id is not None:
            add("stream_id = ${n}", self.stream_id)
        if self.organisation is not None:
            add(_CONCERNS, self.organisation)
        if self.actor_contains is not None:
            add("metadata ->> 'actor' ILIKE ${n}", _like(self.actor_contains))
        if self.occurred_from is not None:
            add("occurred_at >= ${n}", _midnight(self.occurred_from))
        if self.occurred_until is not None:
            add("occurred_at < ${n}", _midnight(self.occurred_until + timedelta(days=1)))
        if self.after_position is not None:
            add("position > ${n}::bigint", self.after_position)
        return "".join(f" AND {c}" for c in conditions)
