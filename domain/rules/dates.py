"""Date rules: agenda deadlines, review due dates, the ToR review date, declaration reviews.

All arithmetic is on `datetime.date`; "12 months after" is calendar months, clamped to the end
of a shorter month (29 Feb 2024 + 12 months = 28 Feb 2025), so a review is never due late.
"""

import calendar
from datetime import date, timedelta

AGENDA_REQUEST_DAYS = 10
"""CDCPE ToR §5: requests for items at least 10 days before the meeting."""

AGENDA_ISSUE_DAYS = 3
"""CDCPE ToR §5: agendas issued a minimum of three days prior to the meeting."""

REVIEW_INTERVAL_MONTHS = 12
"""CDCP MoU §24: reviewed at least annually; MSE MoU 2020 §1.5 annual review."""

DECLARATION_REVIEW_MONTHS = 6
"""CDCPE ToR §6: declarations of interest formally reviewed on a six-monthly basis."""


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def agenda_request_deadline(meeting_on: date) -> date:
    """Last day to ask for an agenda item: 10 days before the meeting (CDCPE ToR §5)."""
    return meeting_on - timedelta(days=AGENDA_REQUEST_DAYS)


def agenda_request_in_time(requested_on: date, meeting_on: date) -> bool:
    """Whether a request makes the agenda; a late one is only "any other business" (ToR §5)."""
    return requested_on <= agenda_request_deadline(meeting_on)


def agenda_issue_deadline(meeting_on: date) -> date:
    """Last day to issue the agenda: 3 days before the meeting (CDCPE ToR §5)."""
    return meeting_on - timedelta(days=AGENDA_ISSUE_DAYS)


def agenda_issued_in_time(issued_on: date, meeting_on: date) -> bool:
    """Whether an agenda issued on `issued_on` meets the 3-day minimum (CDCPE ToR §5)."""
    return issued_on <= agenda_issue_deadline(meeting_on)


def first_review_due(effective_on: date) -> date:
    """The first review of an MoU effective on `effective_on`: within its initial year.

    CDCP MoU §24 (initial period of one year, reviewed at least annually); MSE MoU 2020 §1.5
    (reviewed within its first year of operation).
    """
    return add_months(effective_on, REVIEW_INTERVAL_MONTHS)


def next_review_due(concluded_on: date) -> date:
    """Next review after a review concludes on `concluded_on`: no later than 12 months on (CDCP
    MoU §24 "at least annually")."""
    return add_months(concluded_on, REVIEW_INTERVAL_MONTHS)


def review_due_after_exit(ended_on: date, current_due_on: date | None, within_days: int) -> date:
    """The review date once an exit takes effect on `ended_on` (CDCP MoU §27 "the annual review
    date ... revised accordingly"): policy, within `within_days` of the exit (the partnership's
    exit policy, default 90), unless the review is already due sooner."""
    latest = ended_on + timedelta(days=within_days)
    if current_due_on is not None and current_due_on <= latest:
        return current_due_on
    return latest


def tor_review_overdue(tor_review_by: date, on: date, reviewed_on: date | None = None) -> bool:
    """Whether terms of reference are past their latest review date unreviewed.

    CDCPE ToR: "Review date: as required but no later than 1 April 2023".
    """
    return on > tor_review_by and (reviewed_on is None or reviewed_on > tor_review_by)


def review_opens_on(due_on: date, lead_time_days: int) -> date:
    """When the timer opens a review due on `due_on` (P1 policy lead time, default 8 weeks)."""
    return due_on - timedelta(days=lead_time_days)


def next_declaration_review(last_reviewed_on: date) -> date:
    """When the register of interests is next formally reviewed (CDCPE ToR §6: six-monthly)."""
    return add_months(last_reviewed_on, DECLARATION_REVIEW_MONTHS)


def decision_date(today: date | None) -> date:
    """The date a decide runs on, as the workflow set it on the command from its clock.

    A command reaching decide without it is a programming error (the workflow forgot to set it),
    not a governance refusal, hence a plain `ValueError`.
    """
    if today is None:
        raise ValueError("the command has no date to decide on: the workflow must set `today`")
    return today
