"""Every command the API offers, as every role, over HTTP on the real stack (issue 10): bearer
tokens from the real OpenID provider, the web service, Temporal, the worker and PostgreSQL.

The rows come from the API's own OpenAPI document, so a command added without a row here fails.
Each command is sent, valid in its process's state, first as every role that may not issue it
(403, or 401 without a token, and the events table unchanged), then as the role that may, which
records it under that person's verified provenance. The partnership is run three times, under
three slugs: representatives and members acting in their own right, the secretariat recording
for them with a reason (a member still casts their own vote: no one does for them), and a named
deputy declaring for their seat. `-s` prints the table."""

import asyncio
import tomllib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from concordat.settings import PROJECT_ROOT
from domain.aggregates.committee_commands import (
    ConfirmMembership,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    ReplanMilestone,
)
from domain.aggregates.escalation import (
    AgreeAction,
    CastVote,
    CloseEscalation,
    CompleteAction,
    DecideEscalation,
    DecisionNotAccepted,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.aggregates.exit import AcknowledgeNotice, NotifyExit, WithdrawExit
from domain.aggregates.partnership import (
    AgreeAdmission,
    ProposeAdmission,
    RequestReview,
    SignCounterpart,
    SignMou,
    StartCommittee,
    UpdateInterests,
)
from domain.aggregates.review import (
    AgreeVariation,
    ProposeVariation,
    RecordResponse,
    RefuseVariation,
)
from domain.committee_plans import shift_plan
from domain.declarations import RecordReview, ReturnDeclaration, UpdateDeclaration
from domain.events import ActionKind, EscalationReason, SeatOnBody, VoteChoice
from domain.meeting_proceedings import OpenMeeting, RecordDecision
from domain.meetings import (
    ApproveMinutes,
    CancelMeeting,
    MoveMeeting,
    RecordAttendance,
    RequestItem,
    SetMeeting,
)
from domain.organisations import Organisation, Sector
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, load_partnership
from domain.rules.committee_membership import ProposedSeat
from domain.rules.quorum import Attendance
from domain.streams import partnership_stream
from domain.what_if import ProposedChange
from eventstore.store import EventStore
from tests.web.authority_judge import ALLOWED, ROLES, SEAT, UNASKED, Judge, roles_table
from tests.web.conftest import Serve
from workflows.contracts.declarations import DeclarationsInput
from workflows.contracts.meeting_cycle import MeetingCycleInput
from workflows.declarations import DeclarationsWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow

SHIPPED_SLUG = "county-durham"
NEW_PARTNER = "neas"
NEW_PARTNER_NAME = "North East Ambulance Service NHS Foundation Trust"
NEW_PARTNER_REPRESENTATIVE = "dev.rep.neas@nenc-ics.example"
"""Who represents the organisation to be admitted: the partnership's file names it and them,
as it would once the organisation is in prospect."""
PRESENT = (
    "icb-director-place-based-delivery",
    "cddft-chief-executive",
    "dcc-director-adults-health",
    "tewv-chief-executive",
    "director-of-place",
)
START, SIGNATURES, PROCESSES, WHAT_IF, DECLARATIONS, COMMANDS = (
    "/partnerships/{slug}/start",
    "/partnerships/{slug}/signatures",
    "/partnerships/{slug}/processes",
    "/partnerships/{slug}/what-if",
    "/partnerships/{slug}/declarations",
    "/processes/{process_id}/commands",
)


def json(command: BaseModel) -> dict[str, Any]:
    return command.model_dump(mode="json", exclude_none=True)


def offered(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (route, command type) the API takes a POST for: each body's command types, or the
    route alone when its body is not a command."""
    rows: set[tuple[str, str]] = set()
    for path, operations in openapi["paths"].items():
        if "post" not in operations:
            continue
        route = path.removeprefix("/api/v1")
        content = operations["post"].get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            rows.add((route, "-"))
        elif "discriminator" in schema:
            rows |= {(route, kind) for kind in schema["discriminator"]["mapping"]}
        else:
            name = schema["$ref"].rsplit("/", 1)[1]
            properties = openapi["components"]["schemas"][name]["properties"]
            rows.add((route, properties["type"]["const"] if "type" in properties else "-"))
    return rows


def partnership_file(folder: Path, slug: str) -> None:
    """County Durham under `slug`, also naming the organisation to be admitted and who
    represents it."""
    text = (SHIPPED / f"{SHIPPED_SLUG}.toml").read_text(encoding="utf-8")
    text = text.replace(f'slug = "{SHIPPED_SLUG}"', f'slug = "{slug}"', 1)
    text += (
        f'\n[[organisations]]\nslug = "{NEW_PARTNER}"\nname = "{NEW_PARTNER_NAME}"\n'
        'kind = "trust"\nsector = "health"\n'
        f'\n[[access.representatives]]\norganisation = "{NEW_PARTNER}"\n'
        f'people = ["{NEW_PARTNER_REPRESENTATIVE}"]\n'
    )
    (folder / f"{slug}.toml").write_text(text, encoding="utf-8")


@dataclass
class Run:
    """One partnership taken through every command, party commands issued as `acting` does."""

    judge: Judge
    env: WorkflowEnvironment
    temporal: Client
    task_queue: str
    slug: str
    acting: dict[str, str]
    """The role that issues an organisation's and a seat's commands in this run."""
    refusals: bool
    covered: set[tuple[str, str]] = field(default_factory=set)

    @property
    def config(self) -> Partnership:
        return self.judge.config

    async def today(self) -> date:
        return (await self.env.get_current_time()).astimezone(UTC).date()

    async def step(
        self, route: str, command: BaseModel | None, rule: str, party: str | None = None, **at: str
    ) -> Any:
        """`command` judged as every role, then issued as the one this run acts as."""
        kind = "-" if command is None else str(getattr(command, "type", "-"))
        self.covered.add((route, kind))
        path = route.format(slug=self.slug, **at)
        body = None if command is None else json(command)
        label = kind if kind != "-" else route
        if self.refusals:
            await self.judge.refusals(label, path, body, rule, party)
        role = self.acting.get(rule, "secretariat")
        return await self.judge.allowed(label, path, body, role, rule, party)

    async def setup(self, route: str, command: BaseModel, party: str, **at: str) -> None:
        """A command that is not under test here, issued by its party's representative."""
        response = await self.judge.post(
            route.format(slug=self.slug, **at), json(command), "representative", party, False
        )
        assert response.status_code == 200, response.text

    async def state(self, process_id: str, ready: str = "") -> dict[str, Any]:
        """A process's state, once `ready` (a status) if given and its notices are delivered."""
        for _ in range(400):
            view = await self.judge.api.get(
                f"/processes/{process_id}", headers=await self.judge.reader()
            )
            if view.status_code == 200:
                state: dict[str, Any] = view.json()["state"]
                delivered = len(state.get("notices_delivered", ())) == len(
                    state.get("notices_issued", ())
                )
                if (not ready or state.get("status") == ready) and delivered:
                    return state
            await asyncio.sleep(0.05)
        raise AssertionError(f"{process_id} never became {ready or 'visible'}: {view.text}")

    # ------------------------------------------------------------------------------ the story

    async def partnership(self) -> None:
        assert (await self.step(START, None, "start"))["started"] is True
        today = await self.today()
        for organisation in self.config.signatories:
            signature = SignMou(
                organisation=organisation,
                signatory_name=f"Chief Executive of {organisation}",
                signatory_role="Chief Executive",
                signed_on=today,
            )
            if organisation == "dcc":
                await self.step(SIGNATURES, signature, "organisation", organisation)
            else:
                await self.setup(SIGNATURES, signature, organisation)

    async def what_if(self) -> None:
        change = json(ProposedChange(leaving=("tewv",)))
        self.covered.add((WHAT_IF, "-"))
        path = WHAT_IF.format(slug=self.slug)
        await self.judge.refusals(WHAT_IF, path, change, "planner")
        for role in sorted(ALLOWED["planner"]):
            await self.judge.allowed(WHAT_IF, path, change, role, "planner")

    async def start_round(self, workflow: Any, input: BaseModel, kind: str) -> str:
        """A process a schedule starts (a meeting cycle, a declarations round), started as the
        schedule would."""
        process_id = f"{kind}:{self.slug}:cdcpe-{uuid.uuid4().hex[:8]}"
        await self.temporal.start_workflow(
            workflow, input, id=process_id, task_queue=self.task_queue
        )
        return process_id

    async def meetings(self) -> None:
        today = await self.today()
        held_on = today + timedelta(days=21)
        cycle = await self.start_round(
            MeetingCycleWorkflow.run,
            MeetingCycleInput(config=self.config, body="cdcpe", meeting_on=held_on),
            "meeting",
        )
        await self.state(cycle, "scheduled")
        at = {"process_id": cycle}
        item = RequestItem(item="Discharge to assess", requested_by="dcc", requested_on=today)
        await self.step(COMMANDS, item, "organisation", "dcc", **at)
        venue = "Committee Room 2, County Hall, Durham"
        await self.step(
            COMMANDS,
            SetMeeting(held_on=held_on + timedelta(days=1), starts_at=time(14), venue=venue),
            "secretariat",
            **at,
        )
        moved = MoveMeeting(held_on=held_on, starts_at=time(10), venue=venue, reason="the chair")
        await self.step(COMMANDS, moved, "secretariat", **at)
        now = await self.env.get_current_time()
        await self.env.sleep(datetime.combine(held_on, time(13), tzinfo=now.tzinfo) - now)
        await self.state(cycle, "agenda_issued")
        await self.step(COMMANDS, RecordAttendance(present=PRESENT), "secretariat", **at)
        opened = OpenMeeting(declarations_confirmed=PRESENT[:2])
        await self.step(COMMANDS, opened, "secretariat", **at)
        decided = RecordDecision(item=item.item, decision="Agreed: a pilot from April")
        await self.step(COMMANDS, decided, "secretariat", **at)
        minutes = ApproveMinutes(approved_on=held_on, reference="CDCPE/minutes/1")
        await self.step(COMMANDS, minutes, "secretariat", **at)

        other = await self.start_round(
            MeetingCycleWorkflow.run,
            MeetingCycleInput(
                config=self.config, body="cdcpe", meeting_on=held_on + timedelta(days=28)
            ),
            "meeting",
        )
        await self.state(other, "scheduled")
        cancel = CancelMeeting(reason="no business this month")
        await self.step(COMMANDS, cancel, "secretariat", process_id=other)

    async def declarations(self, review: bool = True) -> None:
        today = await self.today()
        annual = await self.start_round(
            DeclarationsWorkflow.run,
            DeclarationsInput(config=self.config, body="cdcpe", kind="annual", requested_on=today),
            "declarations",
        )
        await self.state(annual, "open")
        at = {"process_id": annual}
        returned = ReturnDeclaration(seat=SEAT, returned_on=today)
        await self.step(COMMANDS, returned, "seat", SEAT, **at)
        updated = UpdateDeclaration(seat=SEAT, updated_on=today)
        await self.step(COMMANDS, updated, "seat", SEAT, **at)
        between_rounds = UpdateInterests(body="cdcpe", seat=SEAT, updated_on=today)
        await self.step(DECLARATIONS, between_rounds, "seat", SEAT)
        process_id = partnership_stream(self.slug)
        await self.step(COMMANDS, between_rounds, "seat", SEAT, process_id=process_id)
        if not review:
            return
        reviewed = await self.start_round(
            DeclarationsWorkflow.run,
            DeclarationsInput(config=self.config, body="cdcpe", kind="review", requested_on=today),
            "declarations",
        )
        await self.state(reviewed, "open")
        await self.step(
            COMMANDS, RecordReview(reviewed_on=today), "secretariat", process_id=reviewed
        )

    async def review(self) -> None:
        started = await self.step(PROCESSES, RequestReview(), "secretariat")
        review = started["process_id"]
        await self.state(review, "open")
        today = await self.today()
        at = {"process_id": review}
        response = RecordResponse(organisation="dcc", received_on=today, confirms_unchanged=True)
        await self.step(COMMANDS, response, "organisation", "dcc", **at)
        proposed = ProposeVariation(proposed_by="dcc", summary="A new partner", proposed_on=today)
        await self.step(COMMANDS, proposed, "organisation", "dcc", **at)
        variation = (await self.state(review))["variation_id"]
        agreed = AgreeVariation(variation_id=variation, organisation="dcc", agreed_on=today)
        await self.step(COMMANDS, agreed, "organisation", "dcc", **at)
        refused = RefuseVariation(variation_id=variation, organisation="tewv", refused_on=today)
        await self.step(COMMANDS, refused, "organisation", "tewv", **at)

    async def committee(self) -> None:
        today = await self.today()
        plan = shift_plan(self.config.committee_plan("joint-committee").milestones, today)
        start = StartCommittee(committee="joint-committee", plan=plan)
        formation = (await self.step(PROCESSES, start, "secretariat"))["process_id"]
        at = {"process_id": formation}
        await self.state(formation)
        agreement = RecordMilestoneAgreement(
            milestone_id="preferred-option", agreed_by="cabinet", agreed_on=today
        )
        await self.step(COMMANDS, agreement, "secretariat", **at)
        met = MeetMilestone(milestone_id="preferred-option", met_on=today, evidence="minute 7(b)")
        await self.step(COMMANDS, met, "secretariat", **at)
        guidance = PublishGuidance(
            title="Place-based partnership guidance",
            published_on=today,
            changes_preferred_option=False,
        )
        await self.step(COMMANDS, guidance, "secretariat", **at)
        replan = ReplanMilestone(
            milestone_id="functions-identified",
            new_target_on=today + timedelta(days=200),
            reason="the review of delegable functions runs on",
        )
        await self.step(COMMANDS, replan, "secretariat", **at)
        seats_file = PROJECT_ROOT / "deploy" / "examples" / "joint-committee-seats.toml"
        seats = tuple(
            ProposedSeat(**s) for s in tomllib.loads(seats_file.read_text("utf-8"))["seats"]
        )
        membership = ConfirmMembership(seats=seats, confirmed_on=today)
        await self.step(COMMANDS, membership, "secretariat", **at)

    async def escalations(self) -> None:
        today = await self.today()

        def raised(escalation_id: str) -> RaiseEscalation:
            return RaiseEscalation(
                escalation_id=escalation_id,
                raised_by="acute-care-board",
                reason=EscalationReason.OUTCOME_NOT_DELIVERED,
                summary="Delayed discharges above plan for a third month",
                raised_on=today,
                affected=("cddft", "dcc"),
            )

        escalation = (await self.step(PROCESSES, raised("discharge"), "secretariat"))["process_id"]
        at = {"process_id": escalation}
        await self.state(escalation)
        referred = ReferUp(level=1, body="acute-care-board", referred_on=today, notes="stuck")
        await self.step(COMMANDS, referred, "secretariat", **at)
        vote = CastVote(body="cdcpe", level=2, seat=SEAT, vote=VoteChoice.FOR, cast_on=today)
        await self.step(COMMANDS, vote, "vote", SEAT, **at)
        if self.refusals:  # the named deputy may change the seat's vote too (A11)
            path = COMMANDS.format(**at)
            await self.judge.allowed("CastVote", path, json(vote), "deputy", "vote", SEAT)
        decided = DecideEscalation(
            level=2,
            body="cdcpe",
            decided_on=today,
            present=tuple(Attendance(seat=s) for s in PRESENT),
            in_favour=PRESENT,
            summary="CDDFT to produce a recovery plan",
        )
        await self.step(COMMANDS, decided, "secretariat", **at)
        action = AgreeAction(
            kind=ActionKind.RECOVERY_PLAN,
            description="Recovery plan with weekly trajectories",
            owner="cddft",
            due_on=today + timedelta(days=10),
            agreed_on=today,
        )
        await self.step(COMMANDS, action, "secretariat", **at)
        done = CompleteAction(action_id="a1", completed_on=today)
        await self.step(COMMANDS, done, "secretariat", **at)
        not_accepted = DecisionNotAccepted(level=2, by="dcc", on=today, reason="not in Durham")
        await self.step(COMMANDS, not_accepted, "secretariat", **at)
        resolved = ResolveEscalation(resolved_on=today, resolution="recovery plan accepted")
        await self.step(COMMANDS, resolved, "secretariat", **at)

        second = PROCESSES.format(slug=self.slug)
        started = await self.judge.post(second, json(raised("second")), "secretariat", None, False)
        other = started.json()["process_id"]
        await self.state(other)
        closed = CloseEscalation(closed_on=today, reason="withdrawn by the board")
        await self.step(COMMANDS, closed, "secretariat", process_id=other)

    async def admission(self) -> None:
        today = await self.today()
        new = Organisation(
            slug=NEW_PARTNER,
            name=NEW_PARTNER_NAME,
            kind="trust",
            sector=Sector.HEALTH,
        )
        seat = SeatOnBody(body="cdcpe", seat="neas-chief-executive", role="Chief Executive")
        proposed = ProposeAdmission(
            proposed_by="dcc", organisation=new, seats=(seat,), proposed_on=today
        )
        await self.step(COMMANDS, proposed, "organisation", "dcc", process_id=self.lead)
        for organisation in self.config.signatories:
            agreed = AgreeAdmission(organisation=organisation, agreed_on=today, reference="letter")
            if organisation == "dcc":
                await self.step(COMMANDS, agreed, "organisation", "dcc", process_id=self.lead)
            else:
                await self.setup(COMMANDS, agreed, organisation, process_id=self.lead)
        counterpart = SignCounterpart(
            organisation=NEW_PARTNER,
            signatory_name="Chief Executive of NEAS",
            signatory_role="Chief Executive",
            signed_on=today,
        )
        await self.step(COMMANDS, counterpart, "organisation", NEW_PARTNER, process_id=self.lead)

    @property
    def lead(self) -> str:
        return partnership_stream(self.slug)

    async def exit(self) -> None:
        today = await self.today()
        notice = NotifyExit(
            organisation="tewv",
            notified_on=today,
            effective_on=today + timedelta(days=60),
            signatory_name="Chief Executive",
        )
        exit_id = (await self.step(PROCESSES, notice, "organisation", "tewv"))["process_id"]
        await self.state(exit_id)
        at = {"process_id": exit_id}
        acknowledged = AcknowledgeNotice(
            recipient="icb", acknowledged_on=today, acknowledged_by="ICB Secretary"
        )
        await self.step(COMMANDS, acknowledged, "secretariat", **at)
        withdrawn = WithdrawExit(withdrawn_on=today, reason="agreed to stay")
        await self.step(COMMANDS, withdrawn, "secretariat", **at)


async def test_every_command_as_every_role_through_the_api(
    serve: Serve,
    issuer: str,
    time_skipping_env: WorkflowEnvironment,
    temporal: Client,
    worker: Worker,
    store: EventStore,
    task_queue: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "partnerships"
    folder.mkdir()
    runs = {
        "own right": {"organisation": "representative", "seat": "member", "vote": "member"},
        "on behalf": {
            "organisation": "secretariat on behalf",
            "seat": "secretariat on behalf",
            "vote": "member",
        },
        "deputy": {"seat": "deputy"},
    }
    slugs = {name: f"{SHIPPED_SLUG}-{i}{uuid.uuid4().hex[:4]}" for i, name in enumerate(runs)}
    for slug in slugs.values():
        partnership_file(folder, slug)
    async with (
        serve(
            temporal=temporal,
            task_queue=task_queue,
            partnerships_dir=folder,
            auditor_database_url=SecretStr(database_url),
        ) as web,
        httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api,
    ):
        openapi = (await api.get("/openapi.json")).json()
        covered: set[tuple[str, str]] = set()
        judges = []
        for name, acting in runs.items():
            judge = Judge(api, store, issuer, load_partnership(slugs[name], folder))
            judges.append(judge)
            run = Run(
                judge,
                time_skipping_env,
                temporal,
                task_queue,
                slugs[name],
                acting,
                refusals=name == "own right",
            )
            if name == "deputy":
                await run.step(START, None, "start")
                await run.declarations(review=False)
                continue
            await run.partnership()
            if name == "own right":
                await run.what_if()
            await run.meetings()
            await run.declarations()
            await run.review()
            await run.committee()
            await run.escalations()
            await run.admission()
            await run.exit()
            covered |= run.covered

    assert offered(openapi) == covered, (
        f"without a row: {sorted(offered(openapi) - covered)}; "
        f"not offered: {sorted(covered - offered(openapi))}"
    )
    outcomes = {(o.command, o.role): o.status for j in judges for o in j.outcomes}
    commands = sorted({command for command, _ in outcomes})
    for command in commands:
        roles = {role for c, role in outcomes if c == command}
        unasked = UNASKED["start"] if command == START else frozenset()
        assert roles == set(ROLES) - unasked, (command, set(ROLES) - roles)
    counts = Counter("allowed" if s == 200 else "refused" for s in outcomes.values())
    table = roles_table([o for j in judges for o in j.outcomes])
    print(f"\n{len(commands)} commands x {len(ROLES)} roles: {dict(counts)}\n{table}")
    documented = (PROJECT_ROOT / "docs" / "authority.md").read_text(encoding="utf-8")
    assert table in documented, "docs/authority.md: paste the table this test prints with -s"
