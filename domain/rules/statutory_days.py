"""The statutory calendar: calendar, clear and working days, and the deadlines bodies declare.

Public bodies do not count "days" as the calendar does. A notice of N *clear* days leaves N whole
days between the day it is issued and the day of the meeting, neither counted; N *working* days
are clear days that are neither a weekend nor a bank holiday (the count English local
authorities use for agendas and forward plans). Bank holidays come from the `holidays` package,
for England and Wales unless the partnership's file names Scotland or Northern Ireland.

Each body declares its deadlines in its file in the words of its terms of reference
(`Deadline`); a `ComputedDeadline` carries the rule it came from, so every date it gives can say
why (`ComputedDeadline.citation`).
"""

from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays
from pydantic import BaseModel, ConfigDict, Field

from domain.text import Line


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
    """The bank holidays of `region` in `year`, substitute days included."""
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year))


def is_working_day(day: date, region: Region) -> bool:
    """Neither a Saturday, a Sunday nor a bank holiday in `region`."""
    return day.weekday() < 5 and day not in bank_holidays(region, day.year)


def previous_working_day(day: date, region: Region) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day, region):
        day -= timedelta(days=1)
    return day


def latest_day_before(event_on: date, days: int, count: DayCount, region: Region) -> date:
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
                day = previous_working_day(day - timedelta(days=1), region)
            day -= timedelta(days=1)
    return previous_working_day(day, region)


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

    def before(self, event_on: date, region: Region) -> "ComputedDeadline":
        return ComputedDeadline(
            rule=self,
            region=region,
            event_on=event_on,
            on=latest_day_before(event_on, self.days, self.count, region),
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
