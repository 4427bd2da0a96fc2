"""The trail of one partnership narrowed to a process, an organisation, a person or dates, read
through the store's cursor with the narrowing done by the database (eventstore/filters.py)."""

from collections.abc import AsyncIterator
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit.heap import frozen_heap
from audit.trail import ADMISSIONS, ROW_COLUMNS, Names, TrailLine, row_trail_line
from domain.partnership import Partnership
from eventstore.codec import to_domain_event
from eventstore.filters import EventFilter
from eventstore.store import EventStore


class TrailQuery(BaseModel):
    """What an auditor narrows the trail to; a field left empty narrows nothing."""

    model_config = ConfigDict(frozen=True)

    process: str | None = Field(default=None, description="a process id (its stream)")
    organisation: str | None = Field(
        default=None, description="an organisation's slug: events it acted in or that name it"
    )
    person: str | None = Field(
        default=None, description="part of who acted: a name, an email, issuer:subject"
    )
    since: date | None = Field(default=None, description="first day, inclusive (UTC)")
    until: date | None = Field(default=None, description="last day, inclusive (UTC)")

    @field_validator("process", "organisation", "person", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """A form's empty field means "any", not "the empty string"."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> "TrailQuery":
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError(
                f"the first day {self.since} is after the last day {self.until}: swap them"
            )
        return self

    def narrows(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


class UnknownFilter(ValueError):
    """A filter names something the partnership does not have; the message says which, and
    `field` which filter it was."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


async def known_names(store: EventStore, config: Partnership) -> Names:
    """The names the trail uses, with the partners admitted since the file was written."""
    admitted = store.partnership_events(config.slug, types=ADMISSIONS)
    return Names.of(config, [to_domain_event(e) async for e in admitted])


async def check_query(
    store: EventStore, config: Partnership, query: TrailQuery, names: Names
) -> None:
    """Refuses a query naming a process or organisation `config`'s partnership does not have,
    so an empty trail always means "nothing happened", never "you mistyped"."""
    if query.organisation is not None and not names.knows(query.organisation):
        raise UnknownFilter(
            "organisation",
            f"'{query.organisation}' is not an organisation or body of {config.slug}",
        )
    if query.process is not None and query.process not in await store.partnership_streams(
        config.slug
    ):
        raise UnknownFilter("process", f"'{query.process}' is not a process of {config.slug}")


async def trail_lines(
    store: EventStore,
    config: Partnership,
    query: TrailQuery,
    names: Names,
    *,
    after: int | None = None,
    limit: int | None = None,
) -> AsyncIterator[TrailLine]:
    """The lines of the trail `query` keeps, in log order, after position `after`, at most
    `limit`; one event in memory at a time."""
    where = EventFilter(
        stream_id=query.process,
        organisation=query.organisation,
        actor_contains=query.person,
        occurred_from=query.since,
        occurred_until=query.until,
        after_position=after,
    )
    rows = store.partnership_rows(config.slug, where=where, limit=limit, columns=ROW_COLUMNS)
    with frozen_heap():
        async for row in rows:
            yield row_trail_line(row, names)
