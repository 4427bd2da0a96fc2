"""`concordat declarations update` against the real embedded stack: a member's declaration of
interests recorded whenever it changes (docs/rules.md P6.5; CDCPE ToR §6: "can be updated at any
time"), refusals writing nothing; and the partnership, once started, has made its meetings' and
declarations' schedules (P5.1, P6.3)."""

import json
import time
from datetime import UTC, datetime

import pytest

from domain.aggregates.partnership import BETWEEN_ROUNDS
from tests.cli.conftest import Stack
from tests.cli.operator import FOR, secretary_of
from tests.cli.refusals import assert_ok, assert_refused

CD = "county-durham"
T = datetime.now(UTC).date().isoformat()
SEAT = "icb-medical-director"


@pytest.fixture(scope="module")
def cd(stack: Stack) -> Stack:
    none_yet = assert_ok(stack.run("schedules", "list"))
    assert "schedule:meeting:county-durham:" not in none_yet
    secretary = secretary_of(stack, CD)
    assert_ok(secretary.run("partnerships", "start", CD))
    return secretary


def test_started_partnership_has_its_schedules(cd: Stack) -> None:
    listed: list[str] = []
    for _ in range(60):
        listed = [
            s["schedule_id"] for s in json.loads(assert_ok(cd.run("schedules", "list", "--json")))
        ]
        if len([s for s in listed if s.startswith(f"schedule:meeting:{CD}:")]) == 6:
            break
        time.sleep(0.5)
    assert f"schedule:meeting:{CD}:cdcpe" in listed
    assert f"schedule:declarations:{CD}:cdcpe:annual" in listed
    assert not any(":mid-south-essex:" in s for s in listed)


def test_a_member_updates_their_declaration_at_any_time(cd: Stack) -> None:
    updated = assert_ok(
        cd.run(
            "declarations",
            "update",
            *FOR,
            CD,
            "cdcpe",
            SEAT,
            "--date",
            T,
            "--interest",
            "financial:Shares in Acme Care Ltd",
        )
    )
    assert updated.strip() == (
        f"{SEAT} on cdcpe of {CD} declared on {T}: financial: Shares in Acme Care Ltd"
    )
    nil = json.loads(
        assert_ok(cd.run("declarations", "update", *FOR, CD, "cdcpe", SEAT, "--date", T, "--json"))
    )
    assert nil["interests"] == []
    trail = assert_ok(cd.run("audit", "trail", CD))
    updates = [line for line in trail.splitlines() if f"seat {SEAT} of " in line]
    assert len(updates) == 2, trail
    assert f"updated its declaration of interests ({BETWEEN_ROUNDS}): 1 interests" in updates[0]
    assert f"updated its declaration of interests ({BETWEEN_ROUNDS}): nil" in updates[1]


def test_bad_updates_are_refused_writing_nothing(cd: Stack) -> None:
    digest = cd.digest()
    bad_kind, no_colon, no_register, not_a_seat, unstated = cd.run_all(
        ("declarations", "update", *FOR, CD, "cdcpe", SEAT, "--date", T, "--interest", "gift:x"),
        ("declarations", "update", *FOR, CD, "cdcpe", SEAT, "--date", T, "--interest", "shares"),
        ("declarations", "update", *FOR, CD, "acute-care-board", SEAT, "--date", T),
        ("declarations", "update", *FOR, CD, "cdcpe", "dcc-leader", "--date", T),
        ("declarations", "update", CD, "cdcpe", SEAT, "--date", T),
    )
    assert_refused(bad_kind, "--interest kind must be one of: financial,")
    assert_refused(no_colon, "--interest must be KIND:DESCRIPTION, not 'shares'")
    assert_refused(no_register, "acute-care-board of county-durham keeps no register of interests")
    assert_refused(not_a_seat, "'dcc-leader' is not a seat of cdcpe")
    assert_refused(unstated, "rule A4")
    assert cd.digest() == digest
