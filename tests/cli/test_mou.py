"""`concordat mou|review|exit|workflows|status`, spawned as a user runs them against the real
embedded stack: County Durham's MoU signed, reviewed, and a partner's notice of leaving given,
acknowledged and withdrawn. The tests run in file order, each from where the last left off.

Everything is dated today: the review takes its dates from the workflow's clock (CDCP MoU §24),
and an exit notice cannot be given after the day its written notices go out.
"""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from subprocess import CompletedProcess
from typing import Any

import pytest
from click.testing import CliRunner

from concordat.cli import cli
from domain.partnerships_config import load_partnership
from domain.rules.dates import first_review_due
from tests.cli.conftest import Stack
from tests.cli.operator import FOR, LETTER, secretary_of, shown
from tests.cli.refusals import assert_ok, assert_refused

CD = "county-durham"
TODAY = datetime.now(UTC).date()
T = TODAY.isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
LEAVING_ON = (TODAY + timedelta(days=120)).isoformat()
FIRST_REVIEW_DUE = first_review_due(TODAY)
REVIEW_PREFIX = f"review:{CD}:{T}-"  # opened today, with a suffix of the workflow's making
EXIT_ID = f"exit:{CD}:tewv:{T}"


def as_json(result: CompletedProcess[str]) -> Any:
    return json.loads(assert_ok(result))


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    """A partnership hears that its child process ended a moment after the command returns."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.5)


def open_review(stack: Stack) -> tuple[str, str]:
    """The review id and workflow id of the review the tests opened."""
    status = as_json(stack.run("review", "status", CD, "--json"))
    workflow_id, review_id = status["workflow_id"], status["review_id"]
    assert workflow_id == f"review:{CD}:{review_id}" and workflow_id.startswith(REVIEW_PREFIX)
    return review_id, workflow_id


def listed_workflows(stack: Stack) -> list[dict[str, Any]]:
    return list(as_json(stack.run("workflows", "list", "--partnership", CD, "--json")))


def review_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The one review's row in `workflows list`: found by type, since its id has a suffix."""
    (review,) = [r for r in rows if r["workflow_type"] == "Review"]
    return review


@pytest.fixture(scope="module")
def cd(stack: Stack) -> Stack:
    """The stack as County Durham's secretary, its partnership's workflow started."""
    signed_in = secretary_of(stack, CD)
    assert_ok(signed_in.run("partnerships", "start", CD))
    return signed_in


def sign(organisation: str, *extra: str) -> tuple[str, ...]:
    return ("mou", "sign", *FOR, CD, organisation, "--name", "A. Signatory",
            "--role", "Chief Executive", "--date", T, *extra)  # fmt: skip


# ----------------------------------------------------------------------------------- mou


def test_sign_collects_counterparts_until_the_mou_takes_effect(cd: Stack) -> None:
    """MSE MoU 2020 §15.3: effective once every partner has executed a counterpart; CDCP MoU §24:
    reviewed at least annually, so the first review is due a year on."""
    digest = cd.digest()
    unstated = cd.run("mou", "sign", CD, "icb", "--name", "A", "--role", "B", "--date", T)
    assert_refused(unstated, "without recording it on behalf of icb with a reason (rule A4)")
    assert cd.digest() == digest
    first = assert_ok(cd.run(*sign("icb")))
    assert first.startswith(f"icb signed the county-durham MoU on {T}; awaiting: dcc, cddft,")
    others = [o for o in load_partnership(CD).signatories if o != "icb"]
    signed = [as_json(r) for r in cd.run_all(*(sign(o, "--json") for o in others))]
    effective = [s for s in signed if s["effective_on"] is not None]
    assert len(effective) == 1, signed  # whichever signature came last
    assert effective[0]["outstanding_signatures"] == []
    assert effective[0]["mou_version"] == 1
    assert effective[0]["review_due_on"] == FIRST_REVIEW_DUE.isoformat()

    trail = assert_ok(cd.run("audit", "trail", CD))
    assert "icb (North East and North Cumbria Integrated Care Board) signed the MoU" in trail
    # Who acted is the person signed in, as the API knows them, never a name typed in or $USER.
    assert f"(by {shown(CD)} (secretariat; api; on behalf of icb: {LETTER}); signed by " in trail


def test_sign_refusals_write_nothing(cd: Stack) -> None:
    digest = cd.digest()
    again, unknown_org, bad_date, blank, not_running, unknown = cd.run_all(
        sign("icb"),
        sign("nhs-england"),
        ("mou", "sign", *FOR, CD, "dcc", "--name", "A", "--role", "B", "--date", "2022-02-30"),
        ("mou", "sign", *FOR, CD, "dcc", "--name", " ", "--role", "B", "--date", T),
        ("mou", "sign", *FOR, "mid-south-essex", "eput", "--name", "A", "--role", "B", "--date", T),
        ("mou", "sign", *FOR, "durham", "dcc", "--name", "A", "--role", "B", "--date", T),
    )
    assert_refused(again, f"icb has already signed the MoU (on {T})")
    assert_refused(unknown_org, "'nhs-england' is not an organisation of county-durham")
    assert_refused(bad_date, "--date '2022-02-30' is not a real date")
    assert_refused(blank, "the signatory's name and role are both needed")
    assert_refused(not_running, "the mid-south-essex partnership's workflow is not running")
    assert_refused(unknown, "no partnership called 'durham'")
    assert cd.digest() == digest


# -------------------------------------------------------------------------------- review


def test_review_opens_and_says_who_is_awaited(cd: Stack) -> None:
    """CDCP MoU §24: staff may open the review before its timer."""
    digest = cd.digest()
    assert_refused(
        cd.run("review", "status", CD),
        f"no review of the county-durham MoU is open; the next review is due {FIRST_REVIEW_DUE}",
    )
    assert cd.digest() == digest

    opened = assert_ok(cd.run("review", "start", CD))
    review_id, workflow_id = open_review(cd)
    assert opened.startswith(f"review {review_id} ({workflow_id}): open")
    status = as_json(cd.run("review", "status", CD, "--json"))
    assert status["due_on"] == FIRST_REVIEW_DUE.isoformat()
    assert status["opened_on"] == T
    assert status["response_deadline"] == (TODAY + timedelta(days=28)).isoformat()
    assert status["awaiting"] == list(load_partnership(CD).signatories)


def test_review_refusals_write_nothing(cd: Stack) -> None:
    digest = cd.settled_digest()  # the review writes to every signatory once opened
    _, workflow_id = open_review(cd)
    again, neither, both, early, late, stranger = cd.run_all(
        ("review", "start", CD),
        ("review", "respond", *FOR, CD, "icb", "--date", T),
        ("review", "respond", *FOR, CD, "icb", "--date", T, "--confirm", "--comment", "x"),
        ("review", "respond", *FOR, CD, "icb", "--date", YESTERDAY, "--confirm"),
        ("review", "respond", *FOR, CD, "icb", "--date", "2099-01-01", "--confirm"),
        ("review", "propose", *FOR, CD, "nhs-england", "--summary", "x", "--date", T),
    )
    assert_refused(again, f"a review is already open ({workflow_id})")
    assert_refused(neither, "give either --confirm or --comment TEXT")
    assert_refused(both, "give either --confirm or --comment TEXT")
    assert_refused(early, f"a response dated {YESTERDAY} is before review")
    assert_refused(late, "a response dated 2099-01-01 is after the response deadline")
    assert_refused(stranger, "'nhs-england' is not an organisation of county-durham")
    assert cd.digest() == digest


def test_review_responses_and_a_refused_variation(cd: Stack) -> None:
    """CDCP MoU §25, MSE MoU 2020 §10.1: varied only by written agreement of all signatories; one
    refusal and the MoU stands unchanged."""
    review_id, _ = open_review(cd)
    confirmed = assert_ok(cd.run("review", "respond", *FOR, CD, "icb", "--date", T, "--confirm"))
    assert "confirmed unchanged: icb" in confirmed

    digest = cd.digest()
    assert_refused(
        cd.run("review", "respond", *FOR, CD, "icb", "--date", T, "--comment", "second thoughts"),
        f"icb has already responded to review {review_id} (on {T})",
    )
    assert cd.digest() == digest

    commented = as_json(
        cd.run(
            "review",
            "respond",
            *FOR,
            CD,
            "dcc",
            "--date",
            T,
            "--comment",
            "Add the hospice",
            "--json",
        )
    )
    assert commented["commented"] == ["dcc"]
    assert "icb" not in commented["awaiting"] and "dcc" not in commented["awaiting"]

    proposed = assert_ok(
        cd.run("review", "propose", *FOR, CD, "dcc", "--summary", "Admit the hospice", "--date", T)
    )
    assert f"variation {review_id}-variation: Admit the hospice" in proposed
    agreed = as_json(cd.run("review", "agree", *FOR, CD, "dcc", "--date", T, "--json"))
    assert agreed["agreed"] == ["dcc"] and agreed["status"] == "open"
    refused = as_json(
        cd.run("review", "refuse", *FOR, CD, "tewv", "--date", T, "--reason", "Not yet", "--json")
    )
    assert refused["refused"] == ["tewv"]
    assert (refused["status"], refused["outcome"]) == ("concluded", "lapsed")


# ---------------------------------------------------------------------------------- exit


def test_exit_refusals_before_any_notice_write_nothing(cd: Stack) -> None:
    digest = cd.settled_digest()
    backwards, future, stranger, no_exit, no_ack, bad_date = cd.run_all(
        ("exit", "notify", *FOR, CD, "tewv", "--notified", T, "--effective", YESTERDAY,
         "--signatory", "B. K."),
        ("exit", "notify", *FOR, CD, "tewv", "--notified", TOMORROW, "--effective", LEAVING_ON,
         "--signatory", "B. K."),
        ("exit", "notify", *FOR, CD, "nhs-england", "--notified", T, "--effective", LEAVING_ON,
         "--signatory", "B. K."),
        ("exit", "status", CD, "hdft"),
        ("exit", "acknowledge", CD, "hdft", "icb", "--date", T, "--by", "S. A."),
        ("exit", "withdraw", CD, "tewv", "--date", "yesterday"),
    )  # fmt: skip
    assert_refused(
        backwards,
        f"the exit cannot take effect on {YESTERDAY}, before the notice was given on {T}",
    )
    assert_refused(
        future,
        f"notice cannot be recorded as given on {TOMORROW}, a date still to come: the written "
        f"notices go out on {T}",
    )
    assert_refused(stranger, "'nhs-england' is not an organisation of county-durham")
    assert_refused(no_exit, "hdft has no exit notice open in county-durham")
    assert_refused(no_ack, "hdft has no exit notice open in county-durham")
    assert_refused(bad_date, "--date must be a date written YYYY-MM-DD, not 'yesterday'")
    assert cd.digest() == digest


def test_exit_notice_says_what_it_does_to_each_body(cd: Stack) -> None:
    """CDCP MoU §27: written notice to the other signatories; P2: the effect on quorum."""
    given = as_json(
        cd.run(
            "exit", "notify", *FOR, CD, "tewv", "--notified", T, "--effective", LEAVING_ON,
            "--signatory", "Brent Kilmurray", "--reason", "Merger", "--json",
        )
    )  # fmt: skip
    assert given["workflow_id"] == EXIT_ID
    assert given["recipients"] == [o for o in load_partnership(CD).signatories if o != "tewv"]
    effect = {b["body"]: b for b in given["effect"]["bodies"]}
    assert set(effect) == {"cdcpe", "cyp-board", "mhld-board"}
    assert (effect["mhld-board"]["voting_after"], effect["mhld-board"]["chair_lost"]) == (3, True)
    assert all(b["can_be_quorate"] for b in effect.values())

    digest = cd.settled_digest()  # the exit process writes the notices after it starts
    assert_refused(
        cd.run("exit", "notify", *FOR, CD, "tewv", "--notified", T, "--effective", LEAVING_ON,
               "--signatory", "Brent Kilmurray"),
        f"tewv has already given notice (process {EXIT_ID})",
    )  # fmt: skip
    assert cd.digest() == digest


def test_exit_acknowledged_then_withdrawn(cd: Stack) -> None:
    acknowledged = assert_ok(
        cd.run("exit", "acknowledge", CD, "tewv", "icb", "--date", T, "--by", "Sam Allen")
    )
    assert acknowledged.strip() == (
        "exit awaiting-acknowledgements; unacknowledged by: "
        "dcc, cddft, hdft, pcns, durham-community-action, healthwatch"
    )

    digest = cd.digest()
    twice, leaver, early = cd.run_all(
        ("exit", "acknowledge", CD, "tewv", "icb", "--date", T, "--by", "Sam Allen"),
        ("exit", "acknowledge", CD, "tewv", "tewv", "--date", T, "--by", "B. K."),
        ("exit", "acknowledge", CD, "tewv", "dcc", "--date", YESTERDAY, "--by", "J. R."),
    )
    assert_refused(twice, f"icb has already acknowledged the notice (on {T})")
    assert_refused(leaver, "tewv is not a recipient of the exit notice")
    assert_refused(early, "a notice cannot be acknowledged before it was issued")
    assert cd.digest() == digest

    status = as_json(cd.run("exit", "status", CD, "tewv", "--json"))
    assert status["status"] == "awaiting-acknowledgements"
    assert status["effective_on"] == LEAVING_ON
    assert status["unacknowledged"] == [
        "dcc", "cddft", "hdft", "pcns", "durham-community-action", "healthwatch"
    ]  # fmt: skip
    text = assert_ok(cd.run("exit", "status", CD, "tewv"))
    assert "icb: acknowledged " + T in text and "mhld-board: loses tewv-lead" in text

    withdrawn = as_json(cd.run("exit", "withdraw", CD, "tewv", "--date", T, "--json"))
    assert withdrawn["status"] == "withdrawn"
    eventually(lambda: cd.run("exit", "status", CD, "tewv").returncode != 0)


# ----------------------------------------------------------------------- workflows, status


def test_workflows_list_through_visibility(cd: Stack) -> None:
    rows = listed_workflows(cd)
    found = {r["workflow_id"]: r for r in rows}
    review_workflow = review_row(rows)
    assert review_workflow["workflow_id"].startswith(REVIEW_PREFIX)
    assert found[f"partnership:{CD}"]["workflow_type"] == "Partnership"
    assert found[f"partnership:{CD}"]["status"] == "RUNNING"
    assert found[f"partnership:{CD}"]["concordat_status"] == "effective"
    assert found[f"partnership:{CD}"]["next_deadline"] is not None
    assert (review_workflow["status"], review_workflow["concordat_status"]) == (
        "COMPLETED",
        "concluded",
    )
    assert (found[EXIT_ID]["workflow_type"], found[EXIT_ID]["concordat_status"]) == (
        "Exit",
        "withdrawn",
    )
    running, text, unknown = cd.run_all(
        ("workflows", "list", "--partnership", CD, "--open", "--json"),
        ("workflows", "list", "--open"),
        ("workflows", "list", "--partnership", "durham"),
    )
    assert {r["workflow_id"] for r in as_json(running)} == {f"partnership:{CD}"}
    assert assert_ok(text).splitlines()[0].split() == [
        "WORKFLOW", "ID", "TYPE", "STATUS", "CONCORDAT", "NEXT", "DEADLINE"
    ]  # fmt: skip
    assert_refused(unknown, "no partnership called 'durham'")


def test_status_describes_a_workflow_and_queries_its_state(cd: Stack) -> None:
    review_workflow_id = review_row(listed_workflows(cd))["workflow_id"]
    review_id = review_workflow_id.removeprefix(f"review:{CD}:")
    partnership, review, unknown = cd.run_all(
        ("status", f"partnership:{CD}", "--json"),
        ("status", review_workflow_id),
        ("status", "exit:county-durham:nobody:2022-01-01"),
    )
    described = as_json(partnership)
    assert described["workflow"]["workflow_type"] == "Partnership"
    assert described["workflow"]["concordat_status"] == "effective"
    assert described["state"]["mou_version"] == 1
    assert len(described["state"]["signatories"]) == 8
    assert "config" not in described["state"]
    text = assert_ok(review)
    assert text.startswith(f"{review_workflow_id}: Review, COMPLETED")
    assert f"review {review_id} ({review_workflow_id}): concluded" in text
    assert "lapsed" in text and "refused: tewv" in text
    assert_refused(unknown, "no process exit:county-durham:nobody:2022-01-01")


@pytest.mark.parametrize(
    ("option", "value", "refusal"),
    [
        (
            "--name",
            "A" * 120_000,
            "signatory_name: is 120,000 characters long; a name (one line) holds at most 200",
        ),
        (
            "--role",
            "Chief \u202eevitucexE",
            "signatory_role: holds a bidirectional control (U+202E) at position 7, which a name "
            "(one line) may not hold",
        ),
        (
            "--on-behalf-of",
            "letter\x1b[2K",
            "reason: holds a control character (U+001B) at position 7, which a text",
        ),
    ],
)
def test_a_value_no_workflow_may_hold_is_refused_before_anything_is_sent(
    option: str, value: str, refusal: str
) -> None:
    """In process and with no stack: the refusal comes from the command line, as one line."""
    arguments = {"--name": "Jane Robinson", "--role": "Chief Executive", "--on-behalf-of": LETTER}
    arguments[option] = value
    result = CliRunner().invoke(
        cli,
        ["mou", "sign", *FOR, "county-durham", "tewv", "--date", "2022-08-23"]
        + [part for pair in arguments.items() for part in pair],
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"concordat: {refusal}")
    assert len(result.output.splitlines()) == 1
