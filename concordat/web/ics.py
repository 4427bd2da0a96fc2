"""A calendar's entries as an iCalendar feed (RFC 5545) that Outlook and Google subscribe to."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from domain.calendar_feed import CalendarItem
from domain.meetings import TIME_ZONE

MEETING_LENGTH = timedelta(hours=2)
"""Policy: the record sets when a meeting starts, not when it ends; calendars show two hours."""

MEDIA_TYPE = "text/calendar; charset=utf-8"

_LONDON = ZoneInfo(TIME_ZONE)


def feed(name: str, items: Iterable[CalendarItem], base_url: str) -> bytes:
    """The feed called `name`: each item an event whose UID is its key at the service's host,
    with a VTIMEZONE for the local times of meetings."""
    calendar = Calendar()
    calendar.add("prodid", "-//Concordat//Partnership calendars//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIME_ZONE)
    host = urlsplit(base_url).hostname or "concordat"
    for item in items:
        calendar.add_component(_event(item, base_url, host))
    calendar.add_missing_timezones()
    serialised: bytes = calendar.to_ical()
    return serialised


def _event(item: CalendarItem, base_url: str, host: str) -> Event:
    entry = item.entry
    event = Event()
    event.add("uid", f"{entry.key}@{host}")
    event.add("sequence", item.sequence)
    # No METHOD: DTSTAMP is when the entry was last revised in the record (RFC 5545 §3.8.7.2),
    # so the same record gives the same feed.
    event.add("dtstamp", item.last_modified)
    event.add("created", item.created)
    event.add("last-modified", item.last_modified)
    if entry.starts_at is None:
        event.add("dtstart", entry.on)
        event.add("dtend", entry.on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        starts = datetime.combine(entry.on, entry.starts_at, tzinfo=_LONDON)
        event.add("dtstart", starts)
        event.add("dtend", starts + MEETING_LENGTH)
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    if entry.location is not None:
        event.add("location", entry.location)
    event.add("url", f"{base_url.rstrip('/')}{entry.page}")
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("categories", [entry.kind.capitalize()])
    return event
