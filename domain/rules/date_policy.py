"""The date policy (docs/rules.md R9): a governance date staff give is checked against the world.

No governance date is after today (the workflow's date, which the process skeleton stamps on a
command's `today`), none before the process it belongs to began, and none before
`EARLIEST_GOVERNANCE_DATE`. A refusal names the date and the rule it breaks.
"""

from collections.abc import Iterable
from datetime import date

from domain.errors import DomainError
from domain.events.base import Event

EARLIEST_GOVERNANCE_DATE = date(2000, 1, 1)
"""Policy: no partnership this service runs predates 2000 (the shipped MoUs are from 2020-2022),
so an earlier date is a typing error, not a record (0001-01-01 would otherwise make an MoU
"effective" in year one)."""


def not_after_today(what: str, day: date, today: date | None) -> None:
    """Refuse `day` for `what` if it is after `today`.

    `today` is None only for a command decided outside a workflow (a pure domain call): the
    skeleton stamps every command that has the field, so in the service the check always runs.
    """
    if today is not None and day > today:
        raise DomainError(
            f"{what} cannot be dated {day.isoformat()}: that is after today "
            f"({today.isoformat()}), and no governance date is in the future"
        )


def not_before(what: str, day: date, start: date | None, start_what: str) -> None:
    """Refuse `day` for `what` if it is before `start`, when `start_what` happened."""
    if start is not None and day < start:
        raise DomainError(
            f"{what} cannot be dated {day.isoformat()}: that is before {start_what} "
            f"({start.isoformat()})"
        )


def not_before_the_record(what: str, day: date) -> None:
    """Refuse `day` for `what` if it is before `EARLIEST_GOVERNANCE_DATE`."""
    not_before(
        what, day, EARLIEST_GOVERNANCE_DATE, "the earliest governance date this service records"
    )


def within(what: str, day: date, today: date | None, start: date | None, start_what: str) -> None:
    """`day` for `what` is neither before the record, nor before `start`, nor after `today`."""
    not_before_the_record(what, day)
    not_before(what, day, start, start_what)
    not_after_today(what, day, today)


LATE_ENTRY_DAYS = 7
"""Policy: a governance date more than a week before the day it is entered makes a late entry
(a signature posted back, a letter found in a tray), which must say why it is late: the trail
shows the delay and the reason beside it (docs/rules.md R12)."""


def require_reason_if_late(
    dated: Iterable[tuple[str, date]], today: date, reason: str | None
) -> None:
    """Refuse, unless `reason` says why, what is dated more than `LATE_ENTRY_DAYS` before
    `today` (`dated`: what, and its governance date), naming the earliest and how late it is."""
    late = [(day, what) for what, day in dated if (today - day).days > LATE_ENTRY_DAYS]
    if late and not (reason and reason.strip()):
        day, what = min(late)
        raise DomainError(
            f"{what} dated {day.isoformat()} is entered {(today - day).days} days later "
            f"({today.isoformat()}): an entry more than {LATE_ENTRY_DAYS} days late needs a "
            "reason, recorded with it"
        )


def dates_of(events: Iterable[Event]) -> list[tuple[str, date]]:
    """What each dated event is, and its governance date."""
    return [(type(e).__name__, day) for e in events if (day := e.governance_date()) is not None]
