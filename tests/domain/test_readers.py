"""Who may read which calendars of a partnership (docs/rules.md A9)."""

from domain.partnership import Partnership
from domain.provenance import Person
from domain.readers import bodies_seen


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
