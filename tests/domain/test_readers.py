"""Who may read which calendars of a partnership (docs/rules.md A9), and the partnership and its
processes (A12)."""

import pytest

from domain.authority import NotAuthorisedError
from domain.partnership import Partnership
from domain.provenance import Person
from domain.readers import (
    bodies_seen,
    reads,
    reads_what_if,
    require_planner,
    require_reader,
    unreadable,
)


def person(email: str, *groups: str) -> Person:
    return Person(issuer="https://id.test", subject=email, name=email, email=email, groups=groups)


def test_each_role_reads_its_own_bodies_and_a_stranger_none(county_durham: Partnership) -> None:
    every = tuple(b.slug for b in county_durham.bodies)
    assert bodies_seen(county_durham, person("s@x.test", "county-durham-secretariat")) == every
    assert bodies_seen(county_durham, person("a@x.test", "concordat-auditors")) == every
    healthwatch = bodies_seen(county_durham, person("dev.rep.healthwatch@county-durham.example"))
    assert healthwatch == tuple(
        b.slug
        for b in county_durham.bodies
        if any(m.organisation == "healthwatch" for m in b.members)
    )
    assert healthwatch and healthwatch != every
    member = "dev.member.icb-director-place-based-delivery@county-durham.example"
    assert bodies_seen(county_durham, person(member)) == ("cdcpe",)
    assert bodies_seen(county_durham, person("stranger@x.test", "other-group")) is None


def test_everyone_named_reads_the_partnership_and_only_planners_ask_what_if(
    county_durham: Partnership,
) -> None:
    access = county_durham.access
    seat = "icb-director-place-based-delivery"
    readers = {
        "secretariat": (person("s@x.test", "county-durham-secretariat"), True),
        "representative": (person("dev.rep.dcc@county-durham.example"), True),
        "member": (person(f"dev.member.{seat}@county-durham.example"), False),
        "deputy": (person(f"dev.deputy.{seat}@county-durham.example"), False),
        "auditor": (person("a@x.test", "concordat-auditors"), False),
        "administrator": (person("d@x.test", "concordat-administrators"), False),
    }
    for role, (reader, plans) in readers.items():
        assert reads(access, reader), role
        require_reader(access, reader, county_durham.slug)
        assert reads_what_if(access, reader) is plans, role
        if plans:
            require_planner(access, reader, county_durham.slug)
        else:
            with pytest.raises(NotAuthorisedError, match=r"only its secretariat and the .*A12"):
                require_planner(access, reader, county_durham.slug)
    # The secretary of another partnership is a stranger here: told as if there were none.
    stranger = person("dev.secretary@nenc-ics.example", "nenc-ics-secretariat")
    assert not reads(access, stranger) and not reads_what_if(access, stranger)
    for refuse in (require_reader, require_planner):
        with pytest.raises(NotAuthorisedError) as refused:
            refuse(access, stranger, county_durham.slug)
        assert str(refused.value) == unreadable(stranger, "partnership 'county-durham'")
        assert "(rule A12)" in str(refused.value)
