"""The statutory calendar (docs/rules.md P5.7): calendar, clear and working days, bank holidays
by region, and each body's deadlines in the words of its terms of reference."""

from datetime import date

import pytest

from domain.errors import DomainError
from domain.partnership import Partnership
from domain.rules.statutory_days import (
    BankHolidays,
    DayCount,
    Deadline,
    Region,
    bank_holidays,
    clear_days_between,
    is_working_day,
    latest_day_before,
)

ENGLAND = BankHolidays.of(Region.ENGLAND_AND_WALES)
SCOTLAND = BankHolidays.of(Region.SCOTLAND)
NORTHERN_IRELAND = BankHolidays.of(Region.NORTHERN_IRELAND)
EASTER_MEETING = date(2027, 4, 1)
"""A Thursday: Good Friday (26 March) and Easter Monday (29 March) 2027 fall in its run-up."""
NEW_YEAR_MEETING = date(2028, 1, 6)
"""A Thursday: Christmas and Boxing Day 2027 fall on a weekend, so 27 and 28 December are the
substitute bank holidays, and New Year's Day 2028 (a Saturday) is moved to Monday 3 January."""


def test_england_bank_holidays_include_easter_and_christmas_substitutes() -> None:
    england = Region.ENGLAND_AND_WALES
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= bank_holidays(england, 2027)
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= bank_holidays(england, 2027)
    assert date(2028, 1, 3) in ENGLAND.days
    assert not is_working_day(date(2027, 3, 29), ENGLAND)
    assert not is_working_day(date(2027, 3, 27), ENGLAND)  # a Saturday
    assert is_working_day(date(2027, 3, 30), ENGLAND)


def test_scotland_and_northern_ireland_keep_their_own_bank_holidays() -> None:
    st_andrews = date(2027, 11, 30)
    assert is_working_day(st_andrews, ENGLAND)
    assert not is_working_day(st_andrews, SCOTLAND)
    st_patricks = date(2027, 3, 17)
    assert is_working_day(st_patricks, ENGLAND)
    assert not is_working_day(st_patricks, NORTHERN_IRELAND)
    # Easter Monday is not a bank holiday in Scotland.
    assert is_working_day(date(2027, 3, 29), SCOTLAND)


def test_three_working_days_before_a_meeting_after_easter_skip_both_bank_holidays() -> None:
    """Wed 31 Mar, Tue 30 Mar and (past Easter Monday and Good Friday) Thu 25 Mar are the three
    clear working days; the agenda goes out by Wednesday 24 March."""
    assert latest_day_before(EASTER_MEETING, 3, DayCount.WORKING, ENGLAND) == date(2027, 3, 24)
    # Scotland works Easter Monday: the three days are 29-31 March, and the Sunday before them
    # moves back past Good Friday, a holiday there too, to Thursday 25 March.
    assert latest_day_before(EASTER_MEETING, 3, DayCount.WORKING, SCOTLAND) == date(2027, 3, 25)


def test_three_working_days_before_a_meeting_after_christmas_skip_every_substitute_day() -> None:
    """Wed 5 Jan, Tue 4 Jan and (past the New Year, the weekend and both Christmas substitute
    days) Fri 31 Dec; the agenda goes out by Thursday 30 December."""
    assert latest_day_before(NEW_YEAR_MEETING, 3, DayCount.WORKING, ENGLAND) == date(2027, 12, 30)


def test_clear_days_count_neither_the_day_of_sending_nor_the_meeting() -> None:
    """Ten clear days before a Thursday 1 April leave 21 March, a Sunday; the deadline moves back
    to Friday 19 March, never later. Ten calendar days would be 22 March."""
    assert latest_day_before(EASTER_MEETING, 10, DayCount.CLEAR, ENGLAND) == date(2027, 3, 19)
    assert latest_day_before(EASTER_MEETING, 10, DayCount.CALENDAR, ENGLAND) == date(2027, 3, 22)
    assert clear_days_between(date(2027, 3, 19), EASTER_MEETING) == 12
    assert clear_days_between(EASTER_MEETING, EASTER_MEETING) == 0


@pytest.mark.parametrize("count", list(DayCount))
@pytest.mark.parametrize("days", [1, 3, 5, 10, 28])
def test_every_deadline_is_a_working_day_leaving_at_least_the_days_it_asks(
    count: DayCount, days: int
) -> None:
    for meeting in (EASTER_MEETING, NEW_YEAR_MEETING, date(2027, 8, 26), date(2027, 5, 4)):
        deadline = latest_day_before(meeting, days, count, ENGLAND)
        assert is_working_day(deadline, ENGLAND)
        between = (meeting - deadline).days - 1
        if count is DayCount.CALENDAR:
            assert (meeting - deadline).days >= days
        else:
            assert between >= days
        if count is DayCount.WORKING:
            working = sum(
                is_working_day(date.fromordinal(d), ENGLAND)
                for d in range(deadline.toordinal() + 1, meeting.toordinal())
            )
            assert working == days


def test_cdcpe_declares_its_tor_5_deadlines_and_each_date_cites_its_words(
    county_durham: Partnership,
) -> None:
    deadlines = county_durham.body("cdcpe").deadlines
    assert county_durham.bank_holidays == ENGLAND
    assert deadlines.agenda_issue is not None and deadlines.agenda_requests is not None
    issue = deadlines.agenda_issue.before(EASTER_MEETING, county_durham.bank_holidays)
    assert issue.on == date(2027, 3, 24)
    assert issue.citation == (
        '2027-03-24: 3 working days before 2027-04-01 (CDCPE ToR §5: "agendas issued a '
        'minimum of three days prior to the meeting"; england-and-wales bank holidays)'
    )
    requests = deadlines.agenda_requests.before(EASTER_MEETING, county_durham.bank_holidays)
    assert requests.on == date(2027, 3, 19)
    assert "CDCPE ToR §5" in requests.citation and "10 clear days" in requests.citation


def test_a_deadline_of_no_days_is_refused() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Deadline(days=0, count=DayCount.CLEAR, words="at once", clause="policy")


def test_a_partnership_carried_from_before_the_calendar_refuses_to_count_working_days() -> None:
    """A workflow's input from before the calendar has no bank holidays: counting working days
    is refused, never done as if there were none."""
    with pytest.raises(DomainError, match="bank holidays of 2027 are not known here"):
        latest_day_before(EASTER_MEETING, 3, DayCount.WORKING, BankHolidays())
    with pytest.raises(DomainError, match="2051 are not known"):
        is_working_day(date(2051, 1, 2), ENGLAND)


def test_the_bank_holidays_travel_as_data_in_the_partnership(county_durham: Partnership) -> None:
    """Serialised and read back (a workflow's input), the partnership keeps the same days and
    never names just a region again."""
    carried = Partnership.model_validate_json(county_durham.model_dump_json())
    assert carried.bank_holidays == county_durham.bank_holidays
    assert list(carried.bank_holidays.days) == sorted(carried.bank_holidays.days)
    assert date(2027, 3, 29) in carried.bank_holidays.days
