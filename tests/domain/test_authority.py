"""Who may issue which command (docs/rules.md A1-A6), over every command staff can send and
every role of the shipped County Durham access data."""

import tomllib
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from domain.access import names
from domain.aggregates.partnership.commands import SignMou
from domain.authority import (
    FOR_ORGANISATION,
    FOR_SEAT,
    OWN_VOTE,
    SECRETARIAT,
    NotAuthorisedError,
    check,
    provenance_for,
    require_administrator,
    require_auditor,
    require_log_auditor,
    require_secretariat,
)
from domain.errors import ConfigError
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, parse_partnership, partnership_slugs
from domain.provenance import SYSTEM_ISSUER, Channel, Person, Role
from workflows.contracts import (
    committee,
    declarations,
    escalation,
    exit,
    meeting_cycle,
    partnership,
    review,
)

DEV_USERS = Path(__file__).parents[2] / "deploy" / "dev-users.toml"
ORG, OTHER_ORG = "dcc", "tewv"
SEAT, OTHER_SEAT = "icb-director-place-based-delivery", "icb-medical-director"


def staff_commands() -> list[type[BaseModel]]:
    """Every command a person can send to a workflow: each update's union, and the starts."""
    unions = [
        partnership.PartnershipUpdate,
        partnership.ProcessStart,
        review.ReviewUpdate,
        exit.ExitUpdate,
        committee.CommitteeUpdate,
        escalation.EscalationUpdate,
        meeting_cycle.MeetingUpdate,
        declarations.DeclarationsUpdate,
    ]
    found: list[type[BaseModel]] = []
    for union in unions:
        found += typing.get_args(typing.get_args(union)[0])
    return found


COMMANDS = staff_commands()


def kind(cls: type[BaseModel]) -> str:
    return str(cls.model_fields["type"].default)


def sample(cls: type[BaseModel]) -> Any:
    """The command, naming `ORG` or `SEAT` where it names whom it is for; the authority reads
    nothing else of it."""
    fields = {
        FOR_ORGANISATION.get(kind(cls), ""): ORG,
        FOR_SEAT.get(kind(cls), ""): SEAT,
        OWN_VOTE.get(kind(cls), ""): SEAT,
    }
    if kind(cls) in OWN_VOTE:
        fields["body"] = "cdcpe"
    return cls.model_construct(_fields_set=None, **{k: v for k, v in fields.items() if k})


def dev_person(email: str) -> Person:
    users = tomllib.loads(DEV_USERS.read_text())["users"]
    user = next(u for u in users if u["email"] == email)
    return Person(
        issuer="dev",
        subject=user["sub"],
        name=user["name"],
        email=user["email"],
        groups=tuple(user["groups"]),
    )


PEOPLE = {
    "secretary": dev_person("dev.secretary@county-durham.example"),
    "representative": dev_person(f"dev.rep.{ORG}@county-durham.example"),
    "other representative": dev_person(f"dev.rep.{OTHER_ORG}@county-durham.example"),
    "member": dev_person(f"dev.member.{SEAT}@county-durham.example"),
    "deputy": dev_person(f"dev.deputy.{SEAT}@county-durham.example"),
    "other member": dev_person(f"dev.member.{OTHER_SEAT}@county-durham.example"),
    "auditor": dev_person("dev.auditor@concordat.example"),
    "administrator": dev_person("dev.admin@concordat.example"),
    "local operator": Person(issuer="local", subject="operator", name="operator"),
    "stranger": Person(issuer="dev", subject="x", name="Mallory", email="m@evil.example"),
}


def expected(person: str, command: str) -> Role | None:
    """The table of docs/rules.md A1-A3: the role a person acts in, None when refused."""
    secretariat = person == "secretary"
    if command in SECRETARIAT:
        return Role.SECRETARIAT if secretariat else None
    if command in FOR_ORGANISATION:
        return Role.REPRESENTATIVE if person == "representative" else None
    assert command in FOR_SEAT or command in OWN_VOTE
    return {"member": Role.MEMBER, "deputy": Role.DEPUTY}.get(person)


def test_every_command_staff_can_send_has_exactly_one_rule() -> None:
    kinds = [kind(c) for c in COMMANDS]
    assert len(kinds) == len(set(kinds)) == 39
    tables = (SECRETARIAT, FOR_ORGANISATION, FOR_SEAT, OWN_VOTE)
    for command in kinds:
        assert [command in table for table in tables].count(True) == 1, command
    assert set(kinds) == SECRETARIAT | set(FOR_ORGANISATION) | set(FOR_SEAT) | set(OWN_VOTE)


@pytest.mark.parametrize("command", COMMANDS, ids=kind)
@pytest.mark.parametrize("person", list(PEOPLE))
def test_who_may_issue_each_command(
    county_durham: Partnership, person: str, command: type[BaseModel]
) -> None:
    role = expected(person, kind(command))
    access, who = county_durham.access, PEOPLE[person]
    if role is None:
        with pytest.raises(NotAuthorisedError) as refused:
            provenance_for(access, who, sample(command), Channel.WEB)
        assert who.name in str(refused.value) and kind(command) in str(refused.value)
        assert "(rule A" in str(refused.value)
        return
    provenance = provenance_for(access, who, sample(command), Channel.WEB)
    assert provenance.role is role and provenance.person == who
    assert provenance.organisation == (ORG if role is Role.REPRESENTATIVE else None)
    assert provenance.seat == (SEAT if role in (Role.MEMBER, Role.DEPUTY) else None)
    check(access, provenance, sample(command))


FOR_ANOTHER = [c for c in COMMANDS if kind(c) not in SECRETARIAT | set(OWN_VOTE)]


@pytest.mark.parametrize("command", FOR_ANOTHER, ids=kind)
def test_the_secretariat_records_for_a_partner_only_on_its_behalf_with_a_reason(
    county_durham: Partnership, command: type[BaseModel]
) -> None:
    access, secretary = county_durham.access, PEOPLE["secretary"]
    party = ORG if kind(command) in FOR_ORGANISATION else SEAT
    with pytest.raises(NotAuthorisedError, match="without a stated reason"):
        provenance_for(access, secretary, sample(command), Channel.WEB, on_behalf_of=party)
    with pytest.raises(NotAuthorisedError, match=f"on behalf of {party} with a reason"):
        provenance_for(
            access, secretary, sample(command), Channel.WEB, on_behalf_of="icb", reason="x"
        )
    recorded = provenance_for(
        access,
        secretary,
        sample(command),
        Channel.WEB,
        on_behalf_of=party,
        reason="signed letter received by post",
    )
    assert recorded.role is Role.SECRETARIAT
    assert (recorded.on_behalf_of, recorded.reason) == (party, "signed letter received by post")
    # A representative may not claim to act on someone's behalf either.
    with pytest.raises(NotAuthorisedError, match="only the secretariat records for another"):
        provenance_for(
            access,
            PEOPLE["other representative"],
            sample(command),
            Channel.WEB,
            on_behalf_of=party,
            reason="x",
        )


def test_a_vote_is_cast_only_by_the_seats_holder_or_deputy_on_its_body(
    county_durham: Partnership,
) -> None:
    """Rule A11: no one, not even the secretariat with a reason, casts a member's vote."""
    vote = next(sample(c) for c in COMMANDS if kind(c) in OWN_VOTE)
    with pytest.raises(NotAuthorisedError, match="a member's vote is their own"):
        provenance_for(
            county_durham.access,
            PEOPLE["secretary"],
            vote,
            Channel.WEB,
            on_behalf_of=SEAT,
            reason="told us by telephone",
        )
    elsewhere = vote.model_copy(update={"body": "acute-care-board"})
    with pytest.raises(NotAuthorisedError, match=f"for {SEAT} of acute-care-board: only the"):
        provenance_for(county_durham.access, PEOPLE["member"], elsewhere, Channel.WEB)


@pytest.mark.parametrize("command", COMMANDS, ids=kind)
def test_no_one_acts_as_a_system_actor(
    county_durham: Partnership, command: type[BaseModel]
) -> None:
    timer = Person(issuer=SYSTEM_ISSUER, subject="timer:annual-review", name="timer")
    with pytest.raises(NotAuthorisedError, match="as a system actor"):
        provenance_for(county_durham.access, timer, sample(command), Channel.WEB)
    for channel in (Channel.TIMER, Channel.SCHEDULE, Channel.PROCESS):
        with pytest.raises(NotAuthorisedError, match="as a system actor"):
            provenance_for(county_durham.access, PEOPLE["secretary"], sample(command), channel)


def test_a_provenance_claiming_another_role_is_refused(county_durham: Partnership) -> None:
    signing = sample(SignMou)
    honest = provenance_for(county_durham.access, PEOPLE["representative"], signing, Channel.CLI)
    for forged in (
        honest.model_copy(update={"organisation": OTHER_ORG}),
        honest.model_copy(update={"role": Role.SECRETARIAT}),
        honest.model_copy(update={"person": PEOPLE["other representative"]}),
    ):
        with pytest.raises(NotAuthorisedError):
            check(county_durham.access, forged, signing)


def test_people_are_named_by_email_group_or_issuer_and_subject() -> None:
    person = Person(issuer="local", subject="alice", name="A", email="A@X.org", groups=("g",))
    assert names("a@x.org", person) and names("group:g", person)
    assert names("local:alice", person) and names("local:*", person)
    assert not names("local:bob", person) and not names("dev:*", person)
    assert not names("group:h", person) and not names("b@x.org", person)


def test_every_person_the_shipped_access_names_is_a_development_user() -> None:
    users = tomllib.loads(DEV_USERS.read_text())["users"]
    emails = {u["email"] for u in users}
    groups = {g for u in users for g in u["groups"]}
    assert len({u["sub"] for u in users}) == len(users)
    for slug in partnership_slugs():
        text = (SHIPPED / f"{slug}.toml").read_text()
        access = parse_partnership(text, f"{slug}.toml").access
        named = [
            *access.secretariat,
            *access.auditors,
            *access.administrators,
            *(w for r in access.representatives for w in r.people),
            *(w for s in access.members for w in (*s.people, *s.deputies)),
        ]
        for who in named:
            if who.startswith("group:"):
                assert who.removeprefix("group:") in groups, who
            elif not who.startswith("local:"):
                assert who in emails, who
        assert access.representatives and access.members and access.secretariat


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (
            '[[access.representatives]]\norganisation = "nope"\npeople = ["a@b.c"]',
            "access.representatives.organisation: unknown organisation 'nope'",
        ),
        (
            '[[access.members]]\nbody = "cdcpe"\nseat = "nope"\npeople = ["a@b.c"]',
            "access.members.seat: 'nope' is not a seat of cdcpe",
        ),
        (
            '[[access.members]]\nbody = "nope"\nseat = "x"\npeople = ["a@b.c"]',
            "access.members.body: unknown body 'nope'",
        ),
    ],
)
def test_access_naming_what_the_partnership_lacks_is_refused(section: str, problem: str) -> None:
    text = (SHIPPED / "county-durham.toml").read_text().split("\n[access]")[0]
    with pytest.raises(ConfigError) as refused:
        parse_partnership(f"{text}\n{section}\n", "county-durham.toml")
    assert str(refused.value) == f"county-durham.toml: {problem}"


def test_a_partnership_without_access_lets_nobody_act(county_durham: Partnership) -> None:
    text = (SHIPPED / "county-durham.toml").read_text().split("\n[access]")[0]
    bare = parse_partnership(text, "county-durham.toml")
    with pytest.raises(NotAuthorisedError):
        provenance_for(bare.access, PEOPLE["secretary"], sample(SignMou), Channel.WEB)


def test_only_administrators_manage_schedules_and_only_the_secretariat_starts(
    county_durham: Partnership,
) -> None:
    access = county_durham.access
    require_administrator(access, PEOPLE["administrator"], "county-durham")
    require_administrator(access, PEOPLE["local operator"], "county-durham")
    require_secretariat(access, PEOPLE["secretary"], "county-durham")
    for person in ("secretary", "auditor", "representative", "stranger"):
        with pytest.raises(NotAuthorisedError, match=r"schedules: only its administrators .*A8"):
            require_administrator(access, PEOPLE[person], "county-durham")
    for person in ("administrator", "auditor", "representative", "stranger"):
        with pytest.raises(NotAuthorisedError, match=r"only its secretariat starts .*A1"):
            require_secretariat(access, PEOPLE[person], "county-durham")


def test_only_auditors_read_the_record_through_the_service(county_durham: Partnership) -> None:
    access = county_durham.access
    require_auditor(access, PEOPLE["auditor"], "county-durham")
    for person in ("secretary", "administrator", "local operator", "representative", "stranger"):
        with pytest.raises(NotAuthorisedError, match=r"record: only its auditors do \(rule A10\)"):
            require_auditor(access, PEOPLE[person], "county-durham")
    require_log_auditor([access], PEOPLE["auditor"])
    with pytest.raises(NotAuthorisedError, match=r"the event log: only the auditors .*A10"):
        require_log_auditor([access], PEOPLE["secretary"])
