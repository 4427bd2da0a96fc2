"""What the partnership's workflow asks of `ensure_schedules`: its configuration once, not a
plan repeating the configuration in every schedule's input (issue 13: a partnership-year's
history was more than half such copies)."""

import pytest
from pydantic import ValidationError

from activities.contracts import EnsureSchedules
from domain.partnerships_config import load_partnership
from workflows.schedule_plan import planned_schedules


def test_the_request_carries_the_configuration_once() -> None:
    config = load_partnership("county-durham")
    planned = planned_schedules(config)
    by_config = EnsureSchedules(partnership=config.slug, config=config).model_dump_json()
    by_plan = EnsureSchedules(partnership=config.slug, schedules=planned).model_dump_json()
    assert len(planned) >= 4
    assert len(by_config) < len(config.model_dump_json()) + 200
    assert len(by_plan) > len(planned) * len(config.model_dump_json())


def test_a_request_giving_both_or_another_partnerships_configuration_is_refused() -> None:
    config = load_partnership("county-durham")
    with pytest.raises(ValidationError, match="not both"):
        EnsureSchedules(partnership=config.slug, config=config, schedules=planned_schedules(config))
    with pytest.raises(ValidationError, match="'county-durham''s, not 'nenc-ics''s"):
        EnsureSchedules(partnership="nenc-ics", config=config)
