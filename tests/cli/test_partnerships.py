"""`concordat partnerships list|start|show` and `concordat what-if`, spawned as a user runs them
against the real embedded stack.

nenc-ics has its workflow started here; county-durham and mid-south-essex never do, so they show
how each command behaves for a partnership whose workflow is not running. The commands run as
nenc-ics's secretary, signed in.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from concordat.cli import cli
from tests.cli.conftest import Stack
from tests.cli.operator import FOR, secretary_of
from tests.cli.refusals import assert_ok, assert_refused

TODAY = datetime.now(UTC).date()


def as_json(stdout: str) -> Any:
    return json.loads(stdout)


@pytest.fixture(scope="module")
def stack(stack: Stack) -> Stack:
    """The module's stack as nenc-ics's secretary."""
    return secretary_of(stack, "nenc-ics")


@pytest.fixture(scope="module")
def nenc(stack: Stack) -> str:
    """nenc-ics's workflow running, with one counterpart signed today."""
    assert_ok(stack.run("partnerships", "start", "nenc-ics"))
    assert_ok(
        stack.run(
            "mou", "sign", *FOR, "nenc-ics", "neas", "--name", "Helen Ray",
            "--role", "Chief Executive", "--date", TODAY.isoformat(),
        )
    )  # fmt: skip
    return "nenc-ics"


def test_list_shows_every_partnership_and_whether_its_workflow_runs(
    stack: Stack, nenc: str
) -> None:
    rows = {r["slug"]: r for r in as_json(assert_ok(stack.run("partnerships", "list", "--json")))}
    assert set(rows) == {"county-durham", "mid-south-essex", "nenc-ics"}
    assert rows["county-durham"]["signatories"] == 8
    # Eight with the Council's Cabinet, which agrees the joint committee's preferred option (DCC
    # Cabinet 2022).
    assert rows["county-durham"]["bodies"] == 8
    assert rows["mid-south-essex"]["signatories"] == 21
    assert rows[nenc]["running"] is True
    assert rows[nenc]["status"] == "collecting-signatures"
    assert rows["county-durham"]["running"] is False

    text = assert_ok(stack.run("partnerships", "list"))
    assert "nenc-ics" in text and "running, collecting-signatures" in text
    assert "county-durham" in text and "not started" in text


def test_list_falls_back_to_the_configuration_when_the_api_cannot_say(stack: Stack) -> None:
    signed_out = Stack(env={**stack.env, "XDG_CONFIG_HOME": str(stack.config_folder / "none")})
    result = signed_out.run("partnerships", "list", "--json")
    rows = as_json(assert_ok(result))
    assert [r["slug"] for r in rows] == ["county-durham", "mid-south-essex", "nenc-ics"]
    assert all(r["running"] is None and r["status"] is None for r in rows)
    api = f"http://127.0.0.1:{stack.env['CONCORDAT_WEB_PORT']}"
    assert result.stderr == (
        f"concordat: not signed in to {api}: run concordat login; listing from the "
        "configuration only\n"
    )


def test_start_is_idempotent_and_prints_the_workflow_id(stack: Stack, nenc: str) -> None:
    again = stack.run("partnerships", "start", nenc)
    assert assert_ok(again).strip() == "partnership:nenc-ics was already running"
    answer = as_json(assert_ok(stack.run("partnerships", "start", nenc, "--json")))
    assert answer == {"workflow_id": "partnership:nenc-ics", "started": False}


def test_show_gives_signatories_bodies_quorum_mou_and_open_processes(
    stack: Stack, nenc: str
) -> None:
    view = as_json(assert_ok(stack.run("partnerships", "show", nenc, "--json")))
    assert view["source"] == "its running workflow partnership:nenc-ics"
    assert view["mou_version"] == 0 and view["effective_on"] is None
    assert view["review_due_on"] is None
    signed = {s["organisation"]: s for s in view["signatories"]}
    assert len(signed) == 10
    assert signed["neas"]["signed_on"] == TODAY.isoformat()
    assert signed["neas"]["signatory_name"] == "Helen Ray"
    assert signed["cntw"]["signed_on"] is None
    assert "neas" not in view["outstanding_signatures"]
    bodies = {b["slug"]: b for b in view["bodies"]}
    management = bodies["management-group"]
    assert management["quorum"] == "quorate" and management["can_be_quorate"] is True
    assert len(management["members"]) == 12
    assert bodies["partnership-assembly"]["quorum"] == "no quorum rule"
    assert view["open_processes"] == []

    text = assert_ok(stack.run("partnerships", "show", nenc))
    assert "North East and North Cumbria Integrated Care System (nenc-ics)" in text
    assert "neas" in text and "signed " + TODAY.isoformat() + " by Helen Ray" in text
    assert "management-group:" in text and "with everyone present: quorate" in text
    assert "Open processes (0):" in text


def test_show_as_of_a_date_is_rebuilt_from_the_event_log(stack: Stack, nenc: str) -> None:
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    before, on = stack.run_all(
        ("partnerships", "show", nenc, "--as-of", yesterday, "--json"),
        ("partnerships", "show", nenc, "--as-of", TODAY.isoformat(), "--json"),
    )
    before_view, on_view = as_json(assert_ok(before)), as_json(assert_ok(on))
    assert before_view["source"].startswith(f"the event log as of {yesterday} (0 events")
    assert all(s["signed_on"] is None for s in before_view["signatories"])
    assert on_view["source"].startswith(f"the event log as of {TODAY.isoformat()} (1 events")
    signed = [s["organisation"] for s in on_view["signatories"] if s["signed_on"] is not None]
    assert signed == ["neas"]


def test_show_refusals_write_nothing(stack: Stack, nenc: str) -> None:
    digest = stack.digest()
    unknown, bad_date, stranger = stack.run_all(
        ("partnerships", "show", "durham"),
        ("partnerships", "show", nenc, "--as-of", "23/08/2022"),
        ("partnerships", "show", "mid-south-essex"),
    )
    not_running = secretary_of(stack, "mid-south-essex").run(
        "partnerships", "show", "mid-south-essex"
    )
    assert_refused(unknown, "no partnership called 'durham'; the known partnerships are:")
    # The service does not tell a stranger to a partnership of it (rule A12).
    assert_refused(stranger, "there is no partnership 'mid-south-essex' that ")
    assert "(rule A12)" in stranger.stderr
    assert_refused(bad_date, "--as-of must be a date written YYYY-MM-DD, not '23/08/2022'")
    assert_refused(
        not_running,
        "the mid-south-essex partnership's workflow is not running; start it with "
        "POST /api/v1/partnerships/mid-south-essex/start",
    )
    assert stack.digest() == digest


def test_what_if_flags_a_body_that_could_no_longer_be_quorate(stack: Stack) -> None:
    """docs/rules.md P2: a body that can no longer be quorate is flagged; CDCPE ToR §10."""
    stack = secretary_of(stack, "county-durham")
    digest = stack.digest()
    result = stack.run("what-if", "county-durham", "--leave", "tewv", "--leave", "dcc", "--json")
    answer = as_json(assert_ok(result))
    assert answer["source"] == "the configuration (its workflow is not running)"
    assert "tewv" not in answer["report"]["signatories_after"]
    effects = {b["body"]: b for b in answer["report"]["exit"]["bodies"]}
    assert effects["mhld-board"]["voting_after"] == 2
    assert effects["mhld-board"]["can_be_quorate"] is False
    assert effects["cdcpe"]["can_be_quorate"] is True
    bodies = {b["body"]: b for b in answer["report"]["bodies"]}
    assert bodies["mhld-board"]["quorum"]["status"] == "not quorate"
    assert stack.digest() == digest

    text = assert_ok(stack.run("what-if", "county-durham", "--leave", "tewv", "--leave", "dcc"))
    assert "What if tewv leaves; dcc leaves in county-durham" in text
    assert "mhld-board: 2 voting seats; chair none  ** CANNOT BE QUORATE **" in text


def test_what_if_absences_and_conflicts_on_the_running_partnership(stack: Stack, nenc: str) -> None:
    """CDCPE ToR §6: a member the Chair rules must leave the item does not count towards its
    quorum; one who takes part does (management-group: 12 voting seats, 5 absent, 7 needed)."""
    absent = [
        f"management-group:{seat}"
        for seat in (
            "north-commissioner",
            "north-provider",
            "south-commissioner",
            "south-provider",
            "neas",
        )
    ]
    absences = [arg for seat in absent for arg in ("--absent", seat)]
    leaves, takes_part = stack.run_all(
        (
            "what-if",
            nenc,
            *absences,
            "--conflicted",
            "management-group:mental-health-provider:leave",
            "--json",
        ),
        (
            "what-if",
            nenc,
            *absences,
            "--conflicted",
            "management-group:mental-health-provider:take_part",
            "--json",
        ),
    )
    answers = [as_json(assert_ok(result)) for result in (leaves, takes_part)]
    assert answers[0]["source"] == "the current state of partnership:nenc-ics"
    assert answers[0]["report"]["exit"] is None
    quorum = [
        next(b for b in a["report"]["bodies"] if b["body"] == "management-group")["quorum"]
        for a in answers
    ]
    assert (quorum[0]["status"], len(quorum[0]["counted"])) == ("not quorate", 6)
    assert (quorum[1]["status"], len(quorum[1]["counted"])) == ("quorate", 7)


def test_what_if_refusals(stack: Stack) -> None:
    stack = secretary_of(stack, "county-durham")
    digest = stack.digest()
    org, body, seat, shape, ruling = stack.run_all(
        ("what-if", "county-durham", "--leave", "nhs-england"),
        ("what-if", "county-durham", "--absent", "board:chair"),
        ("what-if", "county-durham", "--absent", "cdcpe:nobody"),
        ("what-if", "county-durham", "--absent", "cdcpe"),
        ("what-if", "county-durham", "--conflicted", "cdcpe:healthwatch-chair:abstain"),
    )
    assert_refused(org, "'nhs-england' is not an organisation of county-durham")
    assert_refused(body, "'board' is not a body of county-durham; its bodies are: cdcpe,")
    assert_refused(seat, "'nobody' is not a seat on cdcpe")
    assert_refused(shape, "--absent must be BODY:SEAT, not 'cdcpe'")
    assert_refused(ruling, "must be one of: leave, discuss_not_decide, take_part")
    assert stack.digest() == digest


@pytest.mark.parametrize(
    "command",
    [
        ("partnerships", "list"), ("partnerships", "start"), ("partnerships", "show"),
        ("what-if",), ("mou", "sign"), ("review", "start"), ("review", "respond"),
        ("review", "propose"), ("review", "agree"), ("review", "refuse"), ("review", "status"),
        ("exit", "notify"), ("exit", "acknowledge"), ("exit", "withdraw"), ("exit", "status"),
        ("workflows", "list"), ("status",),
    ],
)  # fmt: skip
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    """In process: help text needs no stack, and spawning seventeen interpreters is slow."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    description = result.output.split("Options:")[0]
    assert len(description.splitlines()) > 3, result.output
    assert "--help" in result.output
