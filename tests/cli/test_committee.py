"""`concordat committee ...` spawned as a user runs it, against the real embedded stack.

County Durham's MoU is made effective once for the module. The joint committee's plan comes from
the partnership's file, shifted a month ahead (`--shift-to`) so no milestone slips while the tests
run; the formation is first only read and refused (nothing written), then driven forward.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from concordat.cli import cli
from concordat.settings import PROJECT_ROOT
from tests.cli.conftest import Stack
from tests.cli.effective import TODAY, make_effective
from tests.cli.operator import shown
from tests.cli.refusals import assert_ok, assert_refused

CD = "county-durham"
FIRST_TARGET = TODAY + timedelta(days=30)
DAY = TODAY.isoformat()
SEATS = PROJECT_ROOT / "deploy" / "examples" / "joint-committee-seats.toml"


@pytest.fixture(scope="module")
def effective(stack: Stack) -> Stack:
    return make_effective(stack, CD)


JC = "joint-committee"


@pytest.fixture(scope="module")
def planned(effective: Stack) -> str:
    """The output of starting the formation of the planned joint committee, its name the plan's."""
    return assert_ok(
        effective.run("committee", "start", CD, JC, "--shift-to", FIRST_TARGET.isoformat())
    )


def rows(stdout: str) -> dict[str, dict[str, Any]]:
    return {row["milestone_id"]: row for row in json.loads(stdout)}


def test_start_shifts_the_plan_and_status_shows_it(effective: Stack, planned: str) -> None:
    assert (
        f"started the formation of County Durham Joint Committee (committee:{CD}:{JC})" in planned
    )
    assert f"{FIRST_TARGET}  preferred-option" in planned

    as_json, as_text = effective.run_all(
        ("committee", "status", CD, JC, "--json"), ("committee", "status", CD, JC)
    )
    milestones = rows(assert_ok(as_json))
    assert len(milestones) == 9
    assert milestones["preferred-option"]["target_on"] == FIRST_TARGET.isoformat()
    # DCC Cabinet 2022: on 14 Sep 2022 to operational on 1 Apr 2023 is 199 days, kept when shifted.
    operational = FIRST_TARGET + timedelta(days=199)
    assert milestones["operational"]["target_on"] == operational.isoformat()
    assert {m["status"] for m in milestones.values()} == {"planned"}

    header, first, *_ = assert_ok(as_text).splitlines()
    assert header.split() == ["MILESTONE", "STATUS", "TARGET", "MET", "OWNER", "WAITING", "ON"]
    assert first.split()[:5] == ["preferred-option", "planned", str(FIRST_TARGET), "-", "dcc"]
    assert first.endswith("agreement of cabinet")


def test_refusals_write_nothing(effective: Stack, planned: str, tmp_path: Path) -> None:
    bad_seat = tmp_path / "bad.toml"
    bad_seat.write_text('[[seats]]\nseat = "x"\nrole = "X"\nsector = "other"\ncovers = ["mayor"]\n')
    short = tmp_path / "short.toml"
    short.write_text('[[seats]]\nseat = "chair"\nrole = "Chair"\nsector = "other"\nchair = true\n')
    refusals = {
        ("committee", "meet", CD, JC, "shadow-form", "--date", DAY, "--evidence", "x"):
            "milestone 'shadow-form' cannot be met before 'co-production'",
        ("committee", "meet", CD, JC, "nope", "--date", DAY, "--evidence", "x"):
            "no milestone 'nope'; the milestones are: preferred-option, co-production",
        ("committee", "meet", CD, JC, "preferred-option", "--date", DAY, "--evidence", "x"):
            "milestone 'preferred-option' still needs the agreement of cabinet",
        ("committee", "meet", CD, JC, "preferred-option", "--date", "14/09/2022",
         "--evidence", "x"):
            "--date must be a date written YYYY-MM-DD, not '14/09/2022'",
        ("committee", "replan", CD, JC, "co-production", "--target", "2022-02-30",
         "--reason", "x"):
            "--target '2022-02-30' is not a real date",
        ("committee", "replan", CD, JC, "co-production", "--target", FIRST_TARGET.isoformat(),
         "--reason", "x"):
            "can be re-planned only once Government guidance is published",
        ("committee", "agree", CD, JC, "preferred-option", "tewv", "--date", DAY):
            "milestone 'preferred-option' does not need the agreement of tewv; it needs: cabinet",
        ("committee", "meet", CD, "no-such-committee", "preferred-option", "--date", DAY,
         "--evidence", "x"):
            f"no process committee:{CD}:no-such-committee",
        ("committee", "meet", "narnia", "jc", "preferred-option", "--date", DAY,
         "--evidence", "x"):
            "no partnership called 'narnia'",
        ("committee", "start", CD, JC, "--name", "Again"):
            f"the formation of {JC} is already under way",
        ("committee", "start", CD, "jc"):
            "county-durham plans no committee called 'jc'; the committees it plans: "
            "joint-committee",
        ("committee", "start", CD, "Not_A_Slug", "--name", "X"):
            "committee: String should match pattern",
        ("committee", "membership", CD, JC, "--file", str(short), "--date", DAY):
            "does not meet the minimum list of DCC Cabinet 2022 §19; it lacks: (b) senior ICB "
            "officers",
        ("committee", "membership", CD, JC, "--file", str(bad_seat), "--date", DAY):
            "covers.0: Input should be 'icb-officer'",
        ("committee", "membership", CD, JC, "--file", str(tmp_path / "none.toml"),
         "--date", DAY):
            "cannot read",
    }  # fmt: skip
    before = effective.digest()
    for result, reason in zip(effective.run_all(*refusals), refusals.values(), strict=True):
        assert_refused(result, reason)
    assert effective.digest() == before


def test_a_formation_is_driven_forward(effective: Stack, planned: str) -> None:
    def run(*args: str) -> str:
        return assert_ok(effective.run("committee", *args))

    agreed = run("agree", CD, JC, "preferred-option", "cabinet", "--date", DAY)
    assert agreed.strip() == f"cabinet agreed preferred-option on {DAY}; none outstanding"
    met = run("meet", CD, JC, "preferred-option", "--date", DAY, "--evidence", "Cabinet minute")
    assert met.startswith("met preferred-option: Preferred option (Joint Committee) agreed")
    assert f"(met on {DAY})" in met

    guidance = run("guidance", CD, JC, "--date", DAY, "--summary", "ICS guidance")
    assert f"guidance of {DAY} recorded" in guidance
    new_target = FIRST_TARGET + timedelta(days=60)
    replanned = run(
        "replan", CD, JC, "co-production", "--target", new_target.isoformat(),
        "--reason", "guidance changes the timetable",
    )  # fmt: skip
    assert f"re-planned co-production: Co-production with the ICB agreed (target {new_target})" in (
        replanned
    )
    members = run("membership", CD, JC, "--file", str(SEATS), "--date", DAY)
    assert members.strip() == (
        f"membership of County Durham Joint Committee confirmed on {DAY}: 11 seats"
    )

    milestones = rows(assert_ok(effective.run("committee", "status", CD, JC, "--json")))
    assert milestones["preferred-option"]["status"] == "met"
    assert milestones["co-production"]["status"] == "replanned"
    assert milestones["co-production"]["target_on"] == new_target.isoformat()
    trail = assert_ok(effective.run("audit", "trail", CD))
    # Who acted is the person signed in, as the API knows them, never a name typed in.
    assert (
        f"milestone preferred-option met: Cabinet minute (by {shown(CD)} (secretariat; api);"
        in (trail)
    )


@pytest.mark.parametrize(
    "command", ["start", "meet", "agree", "guidance", "replan", "membership", "status"]
)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, ["committee", command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert "PARTNERSHIP COMMITTEE" in result.output
