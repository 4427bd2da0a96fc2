"""The statutory calendar: calendar, clear and working days, and the deadlines bodies declare.

Public bodies do not count "days" as the calendar does. A notice of N *clear* days leaves N whole
days between the day it is issued and the day of the meeting, neither counted; N *working* days
are clear days that are neither a weekend nor a bank holiday (the count English local
authorities use for agendas and forward plans). Bank holidays come from the `holidays` package,
for England and Wales unless the partnership's file names Scotland or Northern Ireland. They
are looked up once, when the file is loaded, and travel with the partnership as data
(`BankHolidays`): a workflow replays with the days it decided on, whatever a later release of the
package says, and never calls the package (which translates through gettext, refused in
Temporal's sandbox).

Each body declares its deadlines in its file in the words of its terms of reference
(`Deadline`); a `ComputedDeadline` carries the rule it came from, so every date it gives can say
why (`ComputedDeadline.citation`).
"""

from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import DomainError
from domain.text import Line

FIRST_YEAR = 2020
LAST_YEAR = 2050
"""Policy: the years whose bank holidays a partnership carries; the shipped MoUs are from 2020."""


class DayCount(StrEnum):
    """How a rule counts its days."""

    CALENDAR = "calendar"
    CLEAR = "clear"
    WORKING = "working"


class Region(StrEnum):
    """Whose bank holidays a partnership keeps (England and Wales share theirs)."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


_SUBDIVISION = {
    Region.ENGLAND_AND_WALES: "ENG",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}


@cache
def bank_holidays(region: Region, year: int) -> frozenset[date]:
    """The bank holidays of `region` in `year`, substitute days included (outside a workflow
    only: see the module's docstring)."""
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year))


class BankHolidays(BaseModel):
    """A partnership's bank holidays, `FIRST_YEAR` to `LAST_YEAR`, as data. A file names only
    its region; loading it fills in the days."""

    model_config = ConfigDict(frozen=True)

    region: Region = Region.ENGLAND_AND_WALES
    days: tuple[date, ...] = ()
    """In order, so the partnership serialises the same way every time."""
    first_year: int = FIRST_YEAR
    last_year: int = FIRST_YEAR - 1
    """An empty span (the default) is a partnership carried from before the calendar: it knows
    no bank holidays and refuses to count working days."""

    @classmethod
    def of(cls, region: Region) -> "BankHolidays":
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        days = sorted(d for y in years for d in bank_holidays(region, y))
        return cls(region=region, days=tuple(days), last_year=LAST_YEAR)

    def holiday(self, day: date) -> bool:
        if not self.first_year <= day.year <= self.last_year:
            raise DomainError(
                f"the bank holidays of {day.year} are not known here (this partnership carries "
                f"{self.first_year} to {self.last_year}); start its process from its file again"
            )
        return day in self.days


def is_working_day(day: date, calendar: BankHolidays) -> bool:
    """Neither a Saturday, a Sunday nor a bank holiday."""
    return day.weekday() < 5 and not calendar.holiday(day)


def previous_working_day(day: date, calendar: BankHolidays) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day, calendar):
        day -= timedelta(days=1)
    return day


def latest_day_before(event_on: date, days: int, count: DayCount, calendar: BankHolidays) -> date:
    """The last working day on which something may be done `days` days (of `count`) before
    `event_on`.

    Calendar: `days` before. Clear: `days` whole days between, the day itself and the event's day
    not counted. Working: `days` working days between, likewise. A day that falls on a weekend
    or bank holiday moves back to the working day before (policy: the office is shut, and a
    deadline moved later would be late)."""
    match count:
        case DayCount.CALENDAR:
            day = event_on - timedelta(days=days)
        case DayCount.CLEAR:
            day = event_on - timedelta(days=days + 1)
        case DayCount.WORKING:
            day = event_on
            for _ in range(days):
                day = previous_working_day(day - timedelta(days=1), calendar)
            day -= timedelta(days=1)
    return previous_working_day(day, calendar)


def clear_days_between(start: date, end: date) -> int:
    """Whole days strictly between `start` and `end` (negative ones count as none)."""
    return max((end - start).days - 1, 0)


class Deadline(BaseModel):
    """A deadline a body's terms of reference set before its meetings, as its file declares it:
    `days` of `count` before the meeting, in the document's `words` at `clause`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: int = Field(ge=1, le=366)
    count: DayCount
    words: Line = Field(min_length=1)
    clause: Line = Field(min_length=1)

    def before(self, event_on: date, calendar: BankHolidays) -> "ComputedDeadline":
        return ComputedDeadline(
            rule=self,
            region=calendar.region,
            event_on=event_on,
            on=latest_day_before(event_on, self.days, self.count, calendar),
        )


class ComputedDeadline(BaseModel):
    """A date the calendar gave, and the rule it gave it by."""

    model_config = ConfigDict(frozen=True)

    rule: Deadline
    region: Region
    event_on: date
    on: date

    @property
    def citation(self) -> str:
        """The date with its reason, for letters and the record."""
        rule = self.rule
        return (
            f"{self.on.isoformat()}: {rule.days} {rule.count.value} days before "
            f'{self.event_on.isoformat()} ({rule.clause}: "{rule.words}"; '
            f"{self.region.value} bank holidays)"
        )
