"""The NHS.UK date input read back: empty means no date, anything else is a real date or an
error naming what is wrong, and what was typed is kept for showing again."""

from datetime import date

import pytest

from concordat.web.pages.date_input import date_field


def typed(day: str, month: str, year: str) -> dict[str, str]:
    return {"as_of[day]": day, "as_of[month]": month, "as_of[year]": year}


def test_a_real_date_is_read_and_empty_boxes_mean_none() -> None:
    field = date_field(typed(" 9 ", "03", "2023"), "as_of", "The date")
    assert (field.value, field.error) == (date(2023, 3, 9), None)
    assert field.values() == {"day": "9", "month": "03", "year": "2023"}
    assert date_field({}, "as_of", "The date").value is None
    assert date_field(typed("", "", ""), "as_of", "The date").error is None


@pytest.mark.parametrize(
    ("day", "month", "year", "error"),
    [
        ("", "3", "2023", "The date must include a day"),
        ("9", "", "", "The date must include a month and a year"),
        ("31", "2", "2023", "The date must be a real date"),
        ("9", "March", "2023", "The date must be a real date, in numbers"),
        ("9", "3", "23", "The date must be a real date, in numbers"),
    ],
)
def test_a_partial_or_impossible_date_is_refused_naming_what_is_wrong(
    day: str, month: str, year: str, error: str
) -> None:
    field = date_field(typed(day, month, year), "as_of", "The date")
    assert field.value is None
    assert field.error is not None and field.error.startswith(error)
    assert field.values() == {"day": day, "month": month, "year": year}
