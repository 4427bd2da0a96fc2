"""A fourth partnership through the real service, with no code of its own: the embedded stack and
every `concordat` command run with CONCORDAT_PARTNERSHIPS_DIR naming a folder that holds only West
Wessex's file, which drives signatures, a review, an exit, a committee plan and an escalation.

The steps depend on each other (the MoU must be effective before anything else), so they run as
one story, in order, each asserting the state the command shows.
"""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.partnerships_config import load_partnership
from tests.cli.conftest import Stack, running_stack
from tests.cli.effective import TODAY
from tests.cli.operator import FOR, secretary_of
from tests.cli.refusals import assert_ok, assert_refused
from tests.fourth_partnership import SLUG, write_west_wessex

DAY = TODAY.isoformat()
COMMITTEE = "ww-joint-committee"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_west_wessex(tmp_path_factory.mktemp("partnerships"))


@pytest.fixture(scope="module")
def stack(folder: Path) -> Iterator[Stack]:
    """The stack as West Wessex's secretary."""
    with running_stack(CONCORDAT_PARTNERSHIPS_DIR=str(folder)) as running:
        yield secretary_of(running, SLUG, folder)


def run_json(stack: Stack, *args: str) -> Any:
    return json.loads(assert_ok(stack.run(*args, "--json")))


def test_west_wessex_runs_every_process_from_its_file_alone(stack: Stack, folder: Path) -> None:
    config = load_partnership(SLUG, folder)

    listed = run_json(stack, "partnerships", "list")
    assert [row["slug"] for row in listed] == [SLUG]
    assert_refused(
        stack.run("partnerships", "start", "county-durham"),
        f"no partnership called 'county-durham'; the known partnerships are: {SLUG} "
        f"(the .toml files in {folder})",
    )

    # Signatures: the MoU takes effect with the last of the five.
    assert_ok(stack.run("partnerships", "start", SLUG))
    for organisation in config.signatories:
        signed = run_json(
            stack, "mou", "sign", *FOR, SLUG, organisation, "--name", "Chief Executive",
            "--role", "CEO", "--date", DAY,
        )  # fmt: skip
    assert signed["outstanding_signatures"] == [] and signed["effective_on"] == DAY
    view = run_json(stack, "partnerships", "show", SLUG)
    assert {b["slug"] for b in view["bodies"]} == {"ww-executive", "ww-community-board", "ww-hwb"}

    # A review: every signatory confirms, which concludes it (its window is the file's 21 days).
    opened = run_json(stack, "review", "start", SLUG)
    assert opened["status"] == "open" and opened["awaiting"] == list(config.signatories)
    assert opened["response_deadline"] == (TODAY + timedelta(days=21)).isoformat()
    for organisation in config.signatories:
        answered = run_json(
            stack, "review", "respond", *FOR, SLUG, organisation, "--date", DAY, "--confirm"
        )
    assert (answered["status"], answered["outcome"]) == ("concluded", "confirmed_unchanged")

    # An exit: the others are written to; the trust's seats leave two bodies.
    leaving = (TODAY + timedelta(days=90)).isoformat()
    given = run_json(
        stack, "exit", "notify", *FOR, SLUG, "ww-trust", "--notified", DAY, "--effective", leaving,
        "--signatory", "Chief Executive",
    )  # fmt: skip
    assert given["recipients"] == ["ww-icb", "ww-council", "ww-vcse", "ww-healthwatch"]
    assert {b["body"] for b in given["effect"]["bodies"]} == {"ww-executive", "ww-community-board"}
    exit_status = run_json(stack, "exit", "status", SLUG, "ww-trust")
    # The process writes its notices a moment after it starts.
    assert exit_status["status"] in ("notified", "awaiting-acknowledgements")
    assert (exit_status["organisation"], exit_status["effective_on"]) == ("ww-trust", leaving)

    # A committee formed to the file's plan, shifted to start a month ahead.
    first_target = TODAY + timedelta(days=30)
    started = run_json(
        stack, "committee", "start", SLUG, COMMITTEE, "--shift-to", first_target.isoformat()
    )
    assert [m["milestone_id"] for m in started["plan"]] == ["terms-agreed", "shadow", "live"]
    assert started["plan"][0]["target_on"] == first_target.isoformat()
    assert_ok(
        stack.run(
            "committee", "agree", SLUG, COMMITTEE, "terms-agreed", "ww-executive", "--date", DAY
        )
    )
    met = run_json(
        stack, "committee", "meet", SLUG, COMMITTEE, "terms-agreed", "--date", DAY,
        "--evidence", "Executive minute",
    )  # fmt: skip
    assert met["name"] == "West Wessex Joint Committee"
    milestones = {m["milestone_id"]: m for m in met["milestones"]}
    assert milestones["terms-agreed"]["met_on"] == DAY
    assert milestones["shadow"]["met_on"] is None

    # An escalation: raised at the board, referred up, decided by the Executive.
    raised = run_json(
        stack, "escalation", "raise", SLUG, "beds", "--by", "ww-community-board",
        "--reason", "outcome-not-delivered", "--summary", "Community beds short",
        "--date", DAY, "--affected", "ww-council",
    )  # fmt: skip
    assert (raised["status"], raised["level"]) == ("open", 1)
    assert raised["respond_by"] == (TODAY + timedelta(days=14)).isoformat()
    referred = run_json(
        stack, "escalation", "refer-up", SLUG, "beds", "--level", "1",
        "--body", "ww-community-board", "--date", DAY, "--notes", "no agreement",
    )  # fmt: skip
    assert referred["at"]["level"] == 2
    decided = run_json(
        stack, "escalation", "decide", SLUG, "beds", "--level", "2", "--body", "ww-executive",
        "--date", DAY, "--present", "icb-place-director", "--present", "council-adults-director",
        "--present", "vcse-lead", "--for", "icb-place-director", "--for", "vcse-lead",
        "--against", "council-adults-director", "--summary", "a recovery plan",
    )  # fmt: skip
    decision = decided["decision"]
    assert (decision["body"], decision["carried"]) == ("ww-executive", True)
