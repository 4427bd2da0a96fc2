"""`concordat escalation ...` spawned as a user runs it, against the real embedded stack.

County Durham's ladder (CDCPE ToR §1.2, §1.3, §2): a thematic board, then the CDCP Executive
(simple majority, quorum of four, ToR §10), then the partners' own governance and the HWBB. Each
test raises escalations of its own; deadlines are 28 days away, so no timer fires meanwhile.
"""

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from concordat.cli import cli
from tests.cli.conftest import Stack
from tests.cli.effective import TODAY, make_effective
from tests.cli.operator import shown
from tests.cli.refusals import assert_ok, assert_refused

CD = "county-durham"
DAY = TODAY.isoformat()
RESPOND_BY = TODAY + timedelta(days=28)
PRESENT = (
    "icb-director-place-based-delivery",
    "icb-medical-director",
    "cddft-chief-executive",
    "dcc-director-adults-health",
    "healthwatch-chair",
)
ATTENDANCE = tuple(arg for seat in PRESENT for arg in ("--present", seat))
CONFLICT = (
    "--declare", "cddft-chief-executive:CDDFT runs the services escalated",
    "--ruling", "cddft-chief-executive:discuss",
)  # fmt: skip


@pytest.fixture(scope="module")
def effective(stack: Stack) -> Stack:
    return make_effective(stack, CD)


def raise_(stack: Stack, escalation_id: str) -> str:
    return assert_ok(
        stack.run(
            "escalation", "raise", CD, escalation_id, "--by", "acute-care-board",
            "--reason", "outcome-not-delivered", "--summary", "Discharge delays above plan",
            "--date", DAY, "--affected", "cddft", "--affected", "dcc",
        )
    )  # fmt: skip


def at_the_executive(stack: Stack, escalation_id: str) -> None:
    raise_(stack, escalation_id)
    referred = assert_ok(
        stack.run(
            "escalation", "refer-up", CD, escalation_id, "--level", "1",
            "--body", "acute-care-board", "--date", DAY, "--notes", "partners cannot agree",
        )
    )  # fmt: skip
    assert referred.strip() == (
        f"referred up: open at level 2 (CDCP Executive: cdcpe), respond by {RESPOND_BY}"
    )


def vote(escalation_id: str, *extra: str, level: str = "2") -> tuple[str, ...]:
    return (
        "escalation", "decide", CD, escalation_id, "--level", level, "--body", "cdcpe",
        "--date", DAY, *ATTENDANCE, "--summary", "CDDFT to bring a recovery plan", *extra,
    )  # fmt: skip


CARRIED = (
    "--for", "icb-director-place-based-delivery", "--for", "icb-medical-director",
    "--for", "dcc-director-adults-health", "--against", "healthwatch-chair",
)  # fmt: skip


def test_raise_starts_at_the_first_level(effective: Stack) -> None:
    out = raise_(effective, "esc-raised")
    assert out.strip() == (
        f"raised escalation:{CD}:esc-raised: open at level 1 (Thematic partnership board: "
        f"acute-care-board, cyp-board, pcsc-board, mhld-board), respond by {RESPOND_BY}"
    )
    as_json, as_text = effective.run_all(
        ("escalation", "status", CD, "esc-raised", "--json"),
        ("escalation", "status", CD, "esc-raised"),
    )
    status = json.loads(assert_ok(as_json))
    assert (status["status"], status["level"], status["respond_by"]) == (
        "open", 1, RESPOND_BY.isoformat()
    )  # fmt: skip
    assert status["level_view"]["bodies"][0] == "acute-care-board"
    assert status["affected"] == ["cddft", "dcc"]
    text = assert_ok(as_text)
    assert f"raised {DAY} by acute-care-board (outcome not delivered)" in text
    assert "actions (0):" in text


def test_the_executive_decides_and_its_recovery_plan_is_delivered(effective: Stack) -> None:
    at_the_executive(effective, "esc-plan")
    decided = assert_ok(effective.run(*vote("esc-plan", *CONFLICT, *CARRIED)))
    assert decided.startswith(
        f"level 2 decision of cdcpe on {DAY}: CARRIED (simple_majority; 3 for, 1 against)"
    )
    agreed = assert_ok(
        effective.run(
            "escalation", "action", "agree", CD, "esc-plan", "--kind", "recovery-plan",
            "--owner", "cddft", "--due", (TODAY + timedelta(days=10)).isoformat(),
            "--date", DAY, "--description", "Discharge recovery plan",
        )
    )  # fmt: skip
    assert agreed.strip() == (
        f"agreed action a1 (recovery-plan), owner cddft, due {TODAY + timedelta(days=10)}"
    )
    completed = assert_ok(
        effective.run("escalation", "action", "complete", CD, "esc-plan", "a1", "--date", DAY)
    )
    assert completed.strip() == "completed a1; actions open: none"
    resolved = assert_ok(
        effective.run(
            "escalation", "resolve", CD, "esc-plan", "--date", DAY, "--summary", "plan accepted"
        )
    )
    assert resolved.strip() == f"resolved on {DAY}: plan accepted"

    text = assert_ok(effective.run("escalation", "status", CD, "esc-plan"))
    assert f"esc-plan: resolved on {DAY}: plan accepted" in text
    assert f"decided at level 2 by cdcpe on {DAY}: carried" in text
    assert f"a1 recovery-plan (cddft), completed {DAY}: Discharge recovery plan" in text
    trail = assert_ok(effective.run("audit", "trail", CD))
    assert "cddft-chief-executive" in trail
    assert f"(by {shown(CD)} (secretariat; api); signed by key" in trail


def test_a_decision_not_accepted_climbs_and_the_top_level_may_close(effective: Stack) -> None:
    at_the_executive(effective, "esc-climb")
    assert_ok(effective.run(*vote("esc-climb", *CARRIED)))
    climbed = assert_ok(
        effective.run(
            "escalation", "not-accepted", CD, "esc-climb", "--level", "2", "--by", "dcc",
            "--date", DAY, "--reason", "the Council cannot fund reablement",
        )
    )  # fmt: skip
    assert climbed.startswith(
        "not accepted: open at level 3 (Partner organisations' governance and the Health and "
        "Wellbeing Board: hwbb)"
    )
    closed = assert_ok(
        effective.run(
            "escalation", "close", CD, "esc-climb", "--date", DAY, "--reason", "to the HWBB"
        )
    )
    assert closed.strip() == f"closed on {DAY}: to the HWBB"


def test_refusals_write_nothing(effective: Stack) -> None:
    at_the_executive(effective, "esc-refused")
    assert_ok(
        effective.run(
            "escalation", "action", "agree", CD, "esc-refused", "--kind", "peer-review",
            "--owner", "cddft", "--due", DAY, "--date", DAY, "--description", "Peer review",
        )
    )  # fmt: skip
    refusals = {
        vote("esc-refused", *CONFLICT, *CARRIED, "--for", "cddft-chief-executive"):
            "cddft-chief-executive may discuss but not decide this item (CDCPE ToR §6)",
        vote("esc-refused", *CARRIED, "--for", "tewv-chief-executive"):
            "tewv-chief-executive is not a voting member present for this item",
        ("escalation", "decide", CD, "esc-refused", "--level", "2", "--body", "cdcpe",
         "--date", DAY, "--present", "icb-medical-director", "--for", "icb-medical-director",
         "--summary", "x"):
            "cdcpe is not quorate for this item",
        vote("esc-refused", *CARRIED, level="1"):
            "the escalation is at level 2 (CDCP Executive), not level 1",
        vote("esc-refused", "--declare", "cddft-chief-executive:provider", *CARRIED):
            "the Chair has not ruled on the interest declared by cddft-chief-executive",
        vote("esc-refused", "--declare", "cddft-chief-executive", *CARRIED):
            "--declare must be SEAT:INTEREST, not 'cddft-chief-executive'",
        ("escalation", "resolve", CD, "esc-refused", "--date", "2023-13-01", "--summary", "x"):
            "--date '2023-13-01' is not a real date",
        ("escalation", "resolve", CD, "esc-refused", "--date", DAY, "--summary", "x"):
            "actions still open: a1",
        ("escalation", "action", "complete", CD, "esc-refused", "a9", "--date", DAY):
            "no action 'a9' was agreed on this escalation",
        ("escalation", "not-accepted", CD, "esc-refused", "--level", "2", "--by", "dcc",
         "--date", DAY, "--reason", "x"):
            "no decision was taken at level 2 (CDCP Executive)",
        ("escalation", "raise", CD, "esc-refused", "--by", "acute-care-board", "--reason",
         "work-plan-exception", "--summary", "x", "--date", DAY):
            f"escalation:{CD}:esc-refused was started on {DAY} and is still open",
        ("escalation", "raise", CD, "esc-other", "--by", "narnia-board", "--reason",
         "work-plan-exception", "--summary", "x", "--date", DAY):
            f"'narnia-board' is not a body of {CD}",
        ("escalation", "raise", "mid-south-essex", "esc-other", "--by", "sle", "--reason",
         "issue-between-partners", "--summary", "x", "--date", DAY):
            "the mid-south-essex partnership's workflow is not running",
        ("escalation", "status", CD, "no-such-escalation"):
            f"no process escalation:{CD}:no-such-escalation",
    }  # fmt: skip
    before = effective.digest()
    for result, reason in zip(effective.run_all(*refusals), refusals.values(), strict=True):
        assert_refused(result, reason)
    assert effective.digest() == before


MEMBER_SEAT = "icb-medical-director"
MEMBER = f"dev-member-{MEMBER_SEAT}-{CD}"


def cast(escalation_id: str, seat: str = MEMBER_SEAT, *extra: str) -> tuple[str, ...]:
    return (
        "escalation", "vote", CD, escalation_id, "--level", "2", "--body", "cdcpe", "--seat",
        seat, "--vote", "for", "--date", DAY, *extra,
    )  # fmt: skip


def test_a_member_casts_their_own_vote_which_the_secretariat_may_not(effective: Stack) -> None:
    at_the_executive(effective, "esc-vote")
    member = effective.signed_in(MEMBER)
    before = effective.settled_digest()
    refusals = [
        (effective, cast("esc-vote"),
         f"may not CastVote for {MEMBER_SEAT} of cdcpe: only the seat's holder or its named "
         "deputy votes (rule A11)"),
        (effective, cast("esc-vote", MEMBER_SEAT, "--on-behalf-of", "by phone"),
         "No such option '--on-behalf-of'"),
        (member, cast("esc-vote", "healthwatch-chair"),
         f":{MEMBER}) may not CastVote for healthwatch-chair of cdcpe"),
    ]  # fmt: skip
    for who, command, reason in refusals:
        assert_refused(who.run(*command), reason)
    assert effective.digest() == before

    voted = assert_ok(member.run(*cast("esc-vote", MEMBER_SEAT, "--declare", "a GP partner")))
    assert voted.strip() == (
        f"{MEMBER_SEAT} voted for at level 2 of escalation:{CD}:esc-vote (cdcpe); the "
        "secretariat records the level's decision"
    )
    (vote_cast,) = [e for e in effective.events(before) if e.type == "VoteCast"]
    assert (vote_cast.data["seat"], vote_cast.data["vote"]) == (MEMBER_SEAT, "for")
    provenance = vote_cast.metadata["provenance"]
    assert (provenance["person"]["subject"], provenance["role"], provenance["seat"]) == (
        MEMBER, "member", MEMBER_SEAT
    )  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ("raise",), ("refer-up",), ("decide",), ("not-accepted",), ("resolve",), ("close",),
        ("status",), ("action", "agree"), ("action", "complete"), ("vote",),
    ],
)  # fmt: skip
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, ["escalation", *command, "--help"])
    assert result.exit_code == 0 and "PARTNERSHIP ESCALATION_ID" in result.output
