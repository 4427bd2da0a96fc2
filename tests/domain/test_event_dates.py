"""Every event says which of its dates is the governance date it speaks of (issue 9)."""

from datetime import date
from typing import get_args

import pytest

from domain.events import DomainEvent, Event, ExitNotified, MilestonePlanned

EVENT_TYPES: tuple[type[Event], ...] = get_args(get_args(DomainEvent)[0])


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_every_event_type_names_its_own_date_field(event_type: type[Event]) -> None:
    assert "dated_by" in vars(event_type)
    if event_type.dated_by is not None:
        assert event_type.model_fields[event_type.dated_by].annotation is date


def test_only_a_milestones_plan_has_no_date_of_its_own() -> None:
    assert [t for t in EVENT_TYPES if t.dated_by is None] == [MilestonePlanned]


def test_an_exit_speaks_of_the_day_notice_was_given_not_when_it_takes_effect() -> None:
    notified = ExitNotified(
        partnership="county-durham",
        exit_id="hdft",
        organisation="hdft",
        notified_on=date(2023, 1, 9),
        effective_on=date(2023, 3, 31),
        signatory_name="A Chief",
        recipients=("icb",),
    )
    assert notified.governance_date() == date(2023, 1, 9)


def test_an_event_type_that_names_no_date_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="must say which field dates it"):

        class Undated(Event):
            on: date

    with pytest.raises(TypeError, match="names no field: 'signed_on'"):

        class Misdated(Event):
            dated_by = "signed_on"
            on: date
