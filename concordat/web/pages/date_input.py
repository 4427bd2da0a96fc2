"""Dates typed into the NHS.UK date input (day, month and year boxes, no JavaScript), read back
from a GET form's query as `prefix[day]`, `prefix[month]`, `prefix[year]`, with the design
system's error messages."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateField:
    """One date input as typed, for showing again, and what it means or why it means nothing."""

    prefix: str
    label: str
    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str | None = None

    def values(self) -> dict[str, str]:
        return {"day": self.day, "month": self.month, "year": self.year}


def date_field(query: Mapping[str, str], prefix: str, label: str) -> DateField:
    """The date in `query` under `prefix`; empty boxes mean no date, a partial or impossible
    one gives the error to show beside the boxes, naming what is wrong."""
    typed = {part: query.get(f"{prefix}[{part}]", "").strip() for part in _PARTS}
    field = DateField(prefix, label, typed["day"], typed["month"], typed["year"])
    if not any(typed.values()):
        return field
    missing = [part for part in _PARTS if not typed[part]]
    if missing:
        return _refused(field, f"{label} must include a {' and a '.join(missing)}")
    if not all(typed[part].isdigit() for part in _PARTS) or len(typed["year"]) != 4:
        return _refused(field, f"{label} must be a real date, in numbers: day, month, 4-digit year")
    try:
        value = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        return _refused(field, f"{label} must be a real date")
    return DateField(prefix, label, field.day, field.month, field.year, value)


def prefilled(prefix: str, label: str, value: date) -> DateField:
    """A date input showing `value`."""
    return DateField(prefix, label, str(value.day), str(value.month), str(value.year), value)


def _refused(field: DateField, error: str) -> DateField:
    return DateField(field.prefix, field.label, field.day, field.month, field.year, None, error)
