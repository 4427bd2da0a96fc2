"""`concordat meeting`, the declarations round's commands and `concordat admission`, spawned as a
user runs them against the real embedded stack: each recorded as the person signed in (the
event's provenance names them), and refusals in the domain's words, writing nothing.

The meeting cycles and declarations rounds are started as their schedules start them (the
workflow id the schedule gives, with the fire time appended), for County Durham's Executive.
The embedded stack runs on the real clock, so a meeting here is weeks away: what is recorded once
it is held (attendance, opening, decisions, minutes) is refused here as not yet possible, in the
cycle's words; tests/web/test_authority_over_http.py records each one on a time-skipped stack.
"""

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.declarations import RoundKind
from domain.partnerships_config import load_partnership
from tests.cli.conftest import Stack
from tests.cli.effective import TODAY, make_effective
from tests.cli.operator import FOR
from tests.cli.refusals import assert_ok, assert_refused
from workflows.contracts.declarations import DeclarationsInput
from workflows.contracts.meeting_cycle import MeetingCycleInput
from workflows.declarations import DeclarationsWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow
from workflows.schedule_plan import (
    declarations_schedule_workflow_id,
    meeting_schedule_workflow_id,
)

CD = "county-durham"
DAY = TODAY.isoformat()
MEETING = TODAY + timedelta(days=28)
CANCELLED = TODAY + timedelta(days=56)
WEEK = timedelta(days=7)
SEAT = "icb-medical-director"
MEMBER = f"dev-member-{SEAT}-{CD}"
DCC = f"dev-rep-dcc-{CD}"
NEW = "neas"
SECRETARY = f"dev-secretary-{CD}"


def _start(stack: Stack, workflow: Any, arg: BaseModel, workflow_id: str) -> None:
    """Starts `workflow` on the stack's Temporal as its schedule would."""

    async def start() -> None:
        port = stack.env["CONCORDAT_EMBEDDED_TEMPORAL_PORT"]
        client = await Client.connect(f"127.0.0.1:{port}", data_converter=pydantic_data_converter)
        fired = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        await client.start_workflow(
            workflow, arg, id=f"{workflow_id}-{fired}", task_queue="concordat"
        )

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, start()).result()


def _listed(stack: Stack, workflow_type: str, status: str, count: int) -> None:
    """Waits until the process list shows `count` open `workflow_type`s at `status`."""
    for _ in range(100):
        rows = json.loads(assert_ok(stack.run("workflows", "list", "--open", "--json")))
        found = [
            r
            for r in rows
            if r["workflow_type"] == workflow_type and r["concordat_status"] == status
        ]
        if len(found) == count:
            return
        time.sleep(0.3)
    raise AssertionError(f"{count} {workflow_type} at {status} never listed: {rows}")


@pytest.fixture(scope="module")
def cd(stack: Stack) -> Stack:
    secretary = make_effective(stack, CD)
    config = load_partnership(CD)
    for meeting_on in (MEETING, CANCELLED):
        cycle = MeetingCycleInput(config=config, body="cdcpe", meeting_on=meeting_on)
        workflow_id = f"{meeting_schedule_workflow_id(CD, 'cdcpe')}-{meeting_on}"
        _start(stack, MeetingCycleWorkflow.run, cycle, workflow_id)
    kinds: tuple[RoundKind, ...] = ("annual", "review")
    for kind in kinds:
        round_ = DeclarationsInput(config=config, body="cdcpe", kind=kind, requested_on=TODAY)
        _start(
            stack,
            DeclarationsWorkflow.run,
            round_,
            declarations_schedule_workflow_id(CD, "cdcpe", kind),
        )
    _listed(secretary, "MeetingCycle", "scheduled", 2)
    _listed(secretary, "Declarations", "open", 2)
    return secretary


def provenance(stack: Stack, before: str, event_type: str) -> dict[str, Any]:
    """The provenance of the one `event_type` recorded since `before`."""
    (event,) = [e for e in stack.events(before) if e.type == event_type]
    found: dict[str, Any] = event.metadata["provenance"]
    return found


def by(found: dict[str, Any]) -> tuple[str, str, str | None]:
    return found["person"]["subject"], found["role"], found.get("on_behalf_of")


# ---------------------------------------------------------------------------------- meeting


def test_a_meeting_is_asked_for_items_set_moved_and_another_cancelled(cd: Stack) -> None:
    dcc = cd.signed_in(DCC)
    before = cd.settled_digest()
    asked = assert_ok(
        dcc.run(
            "meeting", "request-item", CD, "cdcpe", str(MEETING), "--item", "Discharge to assess",
            "--by", "dcc", "--date", DAY,
        )
    )  # fmt: skip
    assert asked.strip() == (
        f"the meeting of cdcpe on {MEETING} is scheduled; agenda items: Discharge to assess; "
        "other business: none"
    )
    assert by(provenance(cd, before, "AgendaItemRequested")) == (DCC, "representative", None)

    where = ("--starts-at", "14:00", "--venue", "Committee Room 2, County Hall, Durham")
    set_on, moved_to = MEETING + timedelta(days=1), MEETING + timedelta(days=2)
    before = cd.settled_digest()
    assert_ok(cd.run("meeting", "set", CD, "cdcpe", str(MEETING), "--held-on", str(set_on), *where))
    assert by(provenance(cd, before, "MeetingArranged")) == (SECRETARY, "secretariat", None)
    # Named now by the date it was set for.
    moved = json.loads(
        assert_ok(
            cd.run(
                "meeting", "move", CD, "cdcpe", str(set_on), "--held-on", str(moved_to), *where,
                "--reason", "the Chair is away", "--json",
            )
        )
    )  # fmt: skip
    assert moved == {
        "status": "scheduled",
        "agenda_items": ["Discharge to assess"],
        "any_other_business": [],
    }
    # Published a week on, the plan's 28 clear days reach the moved meeting.
    plan = assert_ok(cd.run("partnerships", "forward-plan", CD, "--on", str(TODAY + WEEK)))
    executive = load_partnership(CD).body("cdcpe").name
    assert f"\n  {moved_to} cdcpe: {executive} meets: Discharge to assess\n" in plan
    status = json.loads(assert_ok(cd.run("workflows", "list", "--open", "--json")))
    assert sum(r["workflow_type"] == "MeetingCycle" for r in status) == 2

    before = cd.settled_digest()
    cancelled = assert_ok(
        cd.run("meeting", "cancel", CD, "cdcpe", str(CANCELLED), "--reason", "no business")
    )
    assert cancelled.startswith(f"cancelled: the meeting of cdcpe on {CANCELLED} is")
    assert by(provenance(cd, before, "MeetingCancelled")) == (SECRETARY, "secretariat", None)


def test_meeting_refusals_write_nothing(cd: Stack) -> None:
    at = (CD, "cdcpe", str(MEETING))
    refusals = {
        ("meeting", "attendance", *at, "--present", SEAT):
            f"cannot record attendance for the meeting of {MEETING}: its cycle is scheduled",
        ("meeting", "approve-minutes", *at, "--date", DAY, "--reference", "CDCPE/1"):
            f"cannot approve minutes for the meeting of {MEETING}: its cycle is scheduled",
        ("meeting", "open", *at, "--confirmed", SEAT):
            "its attendance is not recorded",
        ("meeting", "decide", *at, "--item", "Discharge to assess", "--decision", "Agreed"):
            "its attendance is not recorded",
        ("meeting", "request-item", *at, "--item", "Winter plan", "--by", "dcc", "--date", DAY):
            "without recording it on behalf of dcc with a reason (rule A4)",
        ("meeting", "request-item", *at, "--item", "Discharge to assess", "--by", "dcc",
         "--date", DAY, *FOR):
            f"'Discharge to assess' is already on the meeting of {MEETING}",
        ("meeting", "open", *at, "--conflict", "Discharge to assess", SEAT, "a trust", "maybe"):
            f"--conflict ruling for {SEAT} must be one of: leave,",
        ("meeting", "set", *at, "--held-on", DAY, "--starts-at", "14:00", "--venue", "Hall"):
            "the meeting is already set for ",
        ("meeting", "move", *at, "--held-on", DAY, "--starts-at", "14:00", "--venue", "Hall",
         "--reason", "x"):
            f"a meeting cannot be set for {DAY}: it must be after today",
        ("meeting", "cancel", CD, "cdcpe", DAY, "--reason", "x"):
            f"no meeting of cdcpe of {CD} on {DAY} is open (open meetings of cdcpe: {MEETING}",
        ("meeting", "cancel", CD, "narnia", DAY, "--reason", "x"):
            f"'narnia' is not a body of {CD}",
    }  # fmt: skip
    before = cd.settled_digest()
    for result, reason in zip(cd.run_all(*refusals), refusals.values(), strict=True):
        assert_refused(result, reason)
    assert cd.digest() == before


# ------------------------------------------------------------------------ declarations round


def test_a_round_takes_returns_amendments_and_its_review(cd: Stack) -> None:
    member = cd.signed_in(MEMBER)
    interest = ("--interest", "financial:Shares in Acme Care Ltd")
    before = cd.settled_digest()
    assert_refused(
        member.run("declarations", "return", CD, "cdcpe", SEAT, "--date", DAY),
        f"more than one declarations round of cdcpe of {CD} is open (annual (requested {DAY}), "
        f"review (requested {DAY})): say which with --round",
    )
    returned = assert_ok(
        member.run("declarations", "return", CD, "cdcpe", SEAT, "--date", DAY, "--round",
                   "annual", *interest)
    )  # fmt: skip
    assert returned.startswith(f"{SEAT} returned: round declarations:{CD}:cdcpe:annual-")
    outstanding = returned.split("is open; declarations outstanding: ")[1].strip().split(", ")
    assert "icb-director-place-based-delivery" in outstanding and SEAT not in outstanding
    assert by(provenance(cd, before, "DeclarationReturned")) == (MEMBER, "member", None)

    before = cd.settled_digest()
    amended = assert_ok(
        member.run("declarations", "amend", CD, "cdcpe", SEAT, "--date", DAY, "--round", "annual")
    )
    assert amended.startswith(f"{SEAT} amended: round ")
    (event,) = [e for e in cd.events(before) if e.type == "DeclarationReturned"]
    assert event.data["update"] is True and event.data["interests"] == []
    assert by(event.metadata["provenance"]) == (MEMBER, "member", None)

    other = "dcc-director-adults-health"
    before = cd.settled_digest()
    assert_ok(
        cd.run("declarations", "return", *FOR, CD, "cdcpe", other, "--date", DAY, "--round",
               "annual")
    )  # fmt: skip
    assert by(provenance(cd, before, "DeclarationReturned")) == (SECRETARY, "secretariat", other)
    register = assert_ok(member.run("declarations", "register", CD, "cdcpe")).splitlines()
    assert register[0] == (
        f"register of interests of cdcpe of {CD}: 2 seats declared; last reviewed never"
    )
    assert register[1].startswith(f"  {SEAT} declared {DAY} (declarations:{CD}:cdcpe:annual:")
    assert register[1].endswith(": nil")  # as amended, not as first returned
    assert register[2].startswith(f"  {other} declared {DAY} ")

    before = cd.settled_digest()
    assert_refused(
        member.run("declarations", "review", CD, "cdcpe", "--date", DAY),
        "may not RecordReview: only the partnership's secretariat",
    )
    assert cd.digest() == before
    reviewed = json.loads(
        assert_ok(cd.run("declarations", "review", CD, "cdcpe", "--date", DAY, "--json"))
    )
    assert reviewed["status"] == "closed"
    assert by(provenance(cd, before, "DeclarationsReviewed")) == (SECRETARY, "secretariat", None)


def test_round_refusals_write_nothing(cd: Stack) -> None:
    member = cd.signed_in(MEMBER)
    return_ = ("declarations", "return", CD, "cdcpe")
    refusals = [
        (member, (*return_, "healthwatch-chair", "--date", DAY, "--round", "annual"),
         f":{MEMBER}) may not ReturnDeclaration for healthwatch-chair: a person acts only for "
         "what they holds or deputises for (rule A3)"),
        (member, (*return_, SEAT, "--date", DAY, "--round", "annual"),
         f"{SEAT} has already returned a declaration in this round"),
        (cd, ("declarations", "amend", *FOR, CD, "cdcpe", "healthwatch-chair", "--date", DAY),
         "healthwatch-chair has returned no declaration in this round to update"),
        (cd, ("declarations", "review", CD, "acute-care-board", "--date", DAY),
         f"no review declarations round of acute-care-board of {CD} is open"),
        (cd, ("declarations", "register", CD, "acute-care-board"),
         f"acute-care-board of {CD} keeps no register of interests"),
    ]  # fmt: skip
    before = cd.settled_digest()
    for who, command, reason in refusals:
        assert_refused(who.run(*command), reason)
    assert cd.digest() == before


# -------------------------------------------------------------------------------- admission


def test_an_additional_partner_is_proposed_agreed_and_admitted(cd: Stack) -> None:
    dcc = cd.signed_in(DCC)
    before = cd.settled_digest()
    proposed = assert_ok(
        dcc.run(
            "admission", "propose", CD, NEW, "--name", "North East Ambulance Service NHS "
            "Foundation Trust", "--kind", "trust", "--sector", "health", "--seat",
            "cdcpe:neas-chief-executive:Chief Executive", "--by", "dcc", "--date", DAY,
        )
    )  # fmt: skip
    assert proposed.strip() == f"proposed by dcc: admission of {NEW} to {CD}; agreed by: none yet"
    assert by(provenance(cd, before, "AdmissionProposed")) == (DCC, "representative", None)

    refused = {
        ("admission", "sign", *FOR, CD, NEW, "--name", "A. Name", "--role", "CEO", "--date",
         DAY): f"{NEW} cannot be admitted: ",
        ("admission", "propose", *FOR, CD, "nhsp", "--name", "NHS Property", "--kind", "x",
         "--sector", "other", "--by", "icb", "--date", DAY):
            f"the admission of {NEW} is already proposed",
        ("admission", "agree", CD, "dcc", "--date", DAY, "--reference", "x"):
            "without recording it on behalf of dcc with a reason (rule A4)",
        ("admission", "propose", CD, NEW, "--name", "x", "--kind", "x", "--sector", "health",
         "--seat", "cdcpe", "--by", "dcc", "--date", DAY):
            "--seat must be BODY:SEAT:ROLE, not 'cdcpe'",
    }  # fmt: skip
    digest = cd.settled_digest()
    results = cd.run_all(*refused)
    for result, reason in zip(results, refused.values(), strict=True):
        assert_refused(result, reason)
    assert cd.digest() == digest

    signatories = load_partnership(CD).signatories
    before = cd.settled_digest()
    for result in cd.run_all(
        *(
            ("admission", "agree", *FOR, CD, org, "--date", DAY, "--reference", f"letter {org}")
            for org in signatories
        )
    ):
        assert_ok(result)
    agreed = [e for e in cd.events(before) if e.type == "AdmissionAgreed"]
    assert sorted(e.data["organisation"] for e in agreed) == sorted(signatories)
    assert {by(e.metadata["provenance"])[:2] for e in agreed} == {(SECRETARY, "secretariat")}

    before = cd.settled_digest()
    admitted = assert_ok(
        cd.run("admission", "sign", *FOR, CD, NEW, "--name", "A. Name", "--role", "CEO",
               "--date", DAY)
    )  # fmt: skip
    assert admitted.startswith(f"{NEW} admitted to {CD}: the MoU is amended (version ")
    assert by(provenance(cd, before, "PartnerAdmitted")) == (SECRETARY, "secretariat", NEW)
