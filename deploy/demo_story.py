"""The County Durham 2022-23 story, told through the real workflows (README `make demo`).

Every step is a command staff would give (the same update a `concordat` command sends) on the day
it happened in the story, with the workflow clock moved to that day by Temporal's time-skipping
server; the timers (slippage, exit effective date, annual review) fire on their own as the clock
passes them. The story is shifted so that its first day is the server's today: a timer cannot
fire in the past, so 2022 dates would make every deadline lapse at once. Intervals are kept, and
each line shows both the story's date and the day it was played on.
"""

import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from concordat.settings import PROJECT_ROOT
from concordat.signing import Signer
from deploy.dev_users import entitled
from domain.aggregates.committee_commands import (
    ConfirmMembership,
    MeetMilestone,
    RecordMilestoneAgreement,
    ReplanMilestone,
)
from domain.aggregates.escalation import (
    AgreeAction,
    CompleteAction,
    DecideEscalation,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.aggregates.exit import AcknowledgeNotice, NotifyExit
from domain.aggregates.partnership import PartnershipState, SignMou, StartCommittee
from domain.committee_plans import shift_plan
from domain.events import ActionKind, ConflictRuling, EscalationReason, ProcessKind
from domain.partnership import Partnership
from domain.provenance import Channel
from domain.rules.committee_membership import ProposedSeat
from domain.rules.quorum import Attendance
from domain.streams import committee_stream, escalation_stream, partnership_stream
from workflows.committee import CommitteeWorkflow
from workflows.contracts.committee import CommitteeResult
from workflows.contracts.escalation import EscalationResult
from workflows.contracts.exit import ExitResult
from workflows.contracts.partnership import PartnershipInput, ProcessStart, Started
from workflows.contracts.process import Command
from workflows.escalation import EscalationWorkflow
from workflows.exit import ExitWorkflow
from workflows.partnership import PartnershipWorkflow

STORY_START = date(2022, 8, 16)
"""The first signature; the story is played from the server's today, shifted by whole days."""

C = TypeVar("C")
COMMITTEE = "joint-committee"
ESCALATION = "acute-discharge"
LEAVER = "hdft"
SEATS_FILE = PROJECT_ROOT / "deploy" / "examples" / "joint-committee-seats.toml"

SIGNATURES = (
    (date(2022, 8, 16), "icb", "Executive Director of Place Based Delivery"),
    (date(2022, 8, 16), "dcc", "Corporate Director of Adult and Health Services"),
    (date(2022, 8, 18), "cddft", "Chief Executive"),
    (date(2022, 8, 18), "tewv", "Chief Executive"),
    (date(2022, 8, 18), "hdft", "Chief Executive"),
    (date(2022, 8, 22), "pcns", "PCN Clinical Director"),
    (date(2022, 8, 22), "durham-community-action", "Executive Director"),
    (date(2022, 8, 23), "healthwatch", "Chair"),
)
"""Who signed when (CDCP MoU "Introduction"; signed 23 Aug 2022); names are not in the
documents, so each counterpart is signed by the role."""

CDCPE_PRESENT = (
    "icb-director-place-based-delivery",
    "icb-medical-director",
    "cddft-chief-executive",
    "tewv-chief-executive",
    "dcc-director-adults-health",
    "director-public-health",
    "healthwatch-chair",
)
CDCPE_FOR = (
    "icb-director-place-based-delivery",
    "icb-medical-director",
    "tewv-chief-executive",
    "dcc-director-adults-health",
    "director-public-health",
    "director-integrated-community-services",
)


class Story:
    """Plays the story on `env` against the partnership `config`, narrating through `say`."""

    def __init__(
        self,
        env: WorkflowEnvironment,
        config: Partnership,
        task_queue: str,
        today: date,
        say: Callable[[str], None],
        signer: Signer,
    ) -> None:
        self._signer = signer
        self._env = env
        self._client = env.client
        self._config = config
        self._task_queue = task_queue
        self.offset = today - STORY_START
        self._say = say
        self._day = STORY_START
        self._lead: WorkflowHandle[PartnershipWorkflow, Any] = self._client.get_workflow_handle_for(
            PartnershipWorkflow.run, partnership_stream(config.slug)
        )
        self._committee: WorkflowHandle[CommitteeWorkflow, CommitteeResult]
        self._committee = self._client.get_workflow_handle_for(
            CommitteeWorkflow.run, committee_stream(config.slug, COMMITTEE)
        )
        self._escalation: WorkflowHandle[EscalationWorkflow, EscalationResult]
        self._escalation = self._client.get_workflow_handle_for(
            EscalationWorkflow.run, escalation_stream(config.slug, ESCALATION)
        )
        self._exit: WorkflowHandle[ExitWorkflow, ExitResult] | None = None

    # ------------------------------------------------------------------------------ the clock

    def played(self, story_day: date) -> date:
        """The day `story_day` is played on."""
        return story_day + self.offset

    def story(self, played_day: date) -> date:
        """The story's date of a day the workflows recorded."""
        return played_day - self.offset

    async def at(self, story_day: date) -> None:
        """Moves the workflow clock to midday of `story_day` (played); timers fire on the way."""
        if story_day < self._day:
            raise ValueError(f"the story cannot go back from {self._day} to {story_day}")
        target = datetime.combine(self.played(story_day), time(12), tzinfo=UTC)
        now = await self._env.get_current_time()
        if target > now:
            await self._env.sleep(target - now)
        self._day = story_day

    def say(self, text: str) -> None:
        self._say(f"{self._day:%d %b %Y} (played {self.played(self._day)})  {text}")

    # ------------------------------------------------------------------------------ commands

    def staff(self, command: C) -> Command[C]:
        """`command` signed for the development person the partnership's access data
        entitles to it: the secretary, or the representative of the partner it is for."""
        person, _ = entitled(self._config, command)
        return self._signer.envelope(self._config.access, person, command, Channel.WEB)

    async def start(self, command: ProcessStart) -> Started:
        """Asks the partnership to start a process, as staff do."""
        started: Started = await self._lead.execute_update(
            PartnershipWorkflow.start, self.staff(command)
        )
        return started

    # ------------------------------------------------------------------------------ the story

    async def play(self) -> None:
        """The steps in the order of their dates: the clock only moves forward."""
        await self.signatures()
        await self.committee_starts()
        await self.escalation_raised()
        await self.committee_cabinet_decision()
        await self.escalation_decided()
        await self._agree_and_meet("co-production", date(2022, 9, 28), "ICB board minute", ("icb",))
        await self.escalation_resolved()
        await self._agree_and_meet(
            "shadow-form", date(2022, 10, 19), "first shadow Joint Committee meeting"
        )
        await self.slippage_and_replan()
        await self._agree_and_meet(
            "delegation-agreed",
            date(2023, 1, 27),
            "delegation schedule signed by every partner",
            self._config.signatories,
        )
        await self.exit_notice()
        await self.committee_membership()
        await self.exit_takes_effect()
        await self.committee_operational()
        await self.annual_review()

    async def signatures(self) -> None:
        await self._client.start_workflow(
            PartnershipWorkflow.run,
            PartnershipInput(config=self._config),
            id=self._lead.id,
            task_queue=self._task_queue,
        )
        for signed_on, organisation, role in SIGNATURES:
            await self.at(signed_on)
            signature = SignMou(
                organisation=organisation,
                signatory_name="named on the counterpart (not in the documents)",
                signatory_role=role,
                signed_on=self.played(signed_on),
            )
            await self._lead.execute_update(PartnershipWorkflow.execute, self.staff(signature))
            self.say(f"{self._config.organisation(organisation).name} signs the MoU")
        state: PartnershipState = await self._lead.query(PartnershipWorkflow.state)
        assert state.effective_on is not None and state.review_due_on is not None
        self.say(
            f"all eight partners have signed: the MoU is effective from "
            f"{self.story(state.effective_on):%d %b %Y} (CDCP MoU §24); first annual review due "
            f"{self.story(state.review_due_on):%d %b %Y}"
        )

    async def committee_starts(self) -> None:
        await self.at(date(2022, 9, 1))
        planned = self._config.committee_plan(COMMITTEE).milestones
        plan = shift_plan(planned, self.played(date(2022, 9, 14)))
        await self.start(StartCommittee(committee=COMMITTEE, plan=plan))
        self.say(
            f"staff start forming the County Durham Joint Committee: {len(plan)} milestones "
            "from the Cabinet decision (14 Sep 2022) to operation (1 Apr 2023), DCC Cabinet 2022 "
            "§6"
        )

    async def escalation_raised(self) -> None:
        await self.at(date(2022, 9, 5))
        raised = RaiseEscalation(
            escalation_id=ESCALATION,
            raised_by="acute-care-board",
            reason=EscalationReason.OUTCOME_NOT_DELIVERED,
            summary="Discharge to assess: delayed discharges above plan for a third month",
            raised_on=self.played(self._day),
            affected=("cddft", "dcc"),
        )
        await self.start(raised)
        self.say("the Acute Care Partnership Board raises an escalation: outcome not delivered")

        await self.at(date(2022, 9, 12))
        referred = ReferUp(
            level=1,
            body="acute-care-board",
            referred_on=self.played(self._day),
            notes="the partners on the board cannot agree the recovery resources (MoU §10)",
        )
        await self._escalation.execute_update(EscalationWorkflow.execute, self.staff(referred))
        self.say("the board cannot settle it and refers it up to the CDCP Executive (ToR §2)")

    async def escalation_decided(self) -> None:
        await self.at(date(2022, 9, 27))
        vote = DecideEscalation(
            level=2,
            body="cdcpe",
            decided_on=self.played(self._day),
            present=(
                *(Attendance(seat=s) for s in CDCPE_PRESENT),
                Attendance(seat="director-integrated-community-services", deputy=True),
            ),
            in_favour=(*CDCPE_FOR, "cddft-chief-executive"),
            against=("healthwatch-chair",),
            declarations={"cddft-chief-executive": "CDDFT runs the services escalated"},
            rulings={"cddft-chief-executive": ConflictRuling.DISCUSS_NOT_DECIDE},
            summary="CDDFT to bring a recovery plan, with DCC reablement capacity",
        )
        try:
            await self._escalation.execute_update(EscalationWorkflow.execute, self.staff(vote))
        except WorkflowUpdateFailedError as refused:
            self.say(f"the CDCPE's vote is refused as first recorded: {refused.cause}")
        progress = await self._escalation.execute_update(
            EscalationWorkflow.execute,
            self.staff(vote.model_copy(update={"in_favour": CDCPE_FOR})),
        )
        decided = progress.decision
        assert decided is not None
        self.say(
            f"the CDCPE decides, the CDDFT Chief Executive discussing but not voting (ToR §6): "
            f"{'carried' if decided.carried else 'not carried'}, {len(decided.in_favour)} for "
            f"and {len(decided.against)} against ({decided.explanation})"
        )
        action = AgreeAction(
            kind=ActionKind.RECOVERY_PLAN,
            owner="cddft",
            due_on=self.played(date(2022, 10, 7)),
            agreed_on=self.played(self._day),
            description="Discharge recovery plan with weekly trajectories to the CDCPE",
        )
        await self._escalation.execute_update(EscalationWorkflow.execute, self.staff(action))
        self.say("the CDCPE agrees a recovery plan, owned by CDDFT, due 07 Oct 2022")

    async def escalation_resolved(self) -> None:
        await self.at(date(2022, 10, 6))
        completed = CompleteAction(action_id="a1", completed_on=self.played(self._day))
        await self._escalation.execute_update(EscalationWorkflow.execute, self.staff(completed))
        resolved = ResolveEscalation(
            resolved_on=self.played(self._day),
            resolution="recovery plan received and accepted; the board monitors delivery",
        )
        progress = await self._escalation.execute_update(
            EscalationWorkflow.execute, self.staff(resolved)
        )
        self.say(f"the recovery plan is in; the escalation is {progress.status} at level 2")

    async def _agree_and_meet(
        self, milestone: str, on: date, evidence: str, agreed_by: tuple[str, ...] = ()
    ) -> None:
        await self.at(on)
        for agreeing in agreed_by:
            agreement = RecordMilestoneAgreement(
                milestone_id=milestone, agreed_by=agreeing, agreed_on=self.played(on)
            )
            await self._committee.execute_update(CommitteeWorkflow.execute, self.staff(agreement))
        met = MeetMilestone(milestone_id=milestone, met_on=self.played(on), evidence=evidence)
        state = await self._committee.execute_update(CommitteeWorkflow.execute, self.staff(met))
        agreed = f" (agreed by {', '.join(agreed_by)})" if agreed_by else ""
        self.say(f"milestone met: {state.milestone(milestone).title}{agreed}")

    async def committee_cabinet_decision(self) -> None:
        await self.at(date(2022, 9, 13))
        try:
            early = MeetMilestone(
                milestone_id="shadow-form",
                met_on=self.played(self._day),
                evidence="shadow meeting planned",
            )
            await self._committee.execute_update(CommitteeWorkflow.execute, self.staff(early))
        except WorkflowUpdateFailedError as refused:
            self.say(f"shadow form recorded too early is refused: {refused.cause}")
        await self._agree_and_meet(
            "preferred-option",
            date(2022, 9, 14),
            "Cabinet decision 14 Sep 2022, DCC Cabinet 2022 recommendation 7(b)",
            ("cabinet",),
        )

    async def slippage_and_replan(self) -> None:
        await self.at(date(2023, 1, 3))
        statuses = await self._committee.query(CommitteeWorkflow.milestones)
        slipped = [m for m in statuses if m.status == "slipped"]
        for m in slipped:
            self.say(
                f"the slippage timer finds '{m.milestone_id}' unmet after its target "
                f"{self.story(m.target_on):%d %b %Y} and writes to its owner and the CDCPE"
            )
        await self.at(date(2023, 1, 4))
        replan = ReplanMilestone(
            milestone_id="functions-identified",
            new_target_on=self.played(date(2023, 1, 20)),
            reason="Legal and Democratic Services' review of delegable functions runs on",
        )
        await self._committee.execute_update(CommitteeWorkflow.execute, self.staff(replan))
        self.say("DCC re-plans 'functions-identified' to 20 Jan 2023")
        await self._agree_and_meet(
            "functions-identified", date(2023, 1, 18), "Legal and Democratic Services report"
        )

    async def exit_notice(self) -> None:
        await self.at(date(2023, 2, 1))
        started = await self.start(
            NotifyExit(
                organisation=LEAVER,
                notified_on=self.played(self._day),
                effective_on=self.played(date(2023, 3, 31)),
                signatory_name="Chief Executive",
                reason="its services lie outside County Durham's place arrangements",
            )
        )
        self.say(
            f"{self._config.organisation(LEAVER).name} gives written notice to leave on "
            f"31 Mar 2023 (CDCP MoU §27); each other partner is written to"
        )
        self._exit = self._client.get_workflow_handle_for(ExitWorkflow.run, started.process_id)
        exit_handle = self._exit
        await self.at(date(2023, 2, 6))
        for recipient in await exit_handle.query(ExitWorkflow.unacknowledged):
            acknowledged = AcknowledgeNotice(
                recipient=recipient,
                acknowledged_on=self.played(self._day),
                acknowledged_by="Board Secretary",
            )
            await exit_handle.execute_update(ExitWorkflow.execute, self.staff(acknowledged))
        self.say("every other partner acknowledges the notice")

    async def committee_membership(self) -> None:
        await self._agree_and_meet("mou-and-tor", date(2023, 2, 20), "MoU and ToR agreed")
        await self.at(date(2023, 2, 24))
        with SEATS_FILE.open("rb") as file:
            seats = tuple(ProposedSeat(**s) for s in tomllib.load(file)["seats"])
        membership = ConfirmMembership(seats=seats, confirmed_on=self.played(self._day))
        await self._committee.execute_update(CommitteeWorkflow.execute, self.staff(membership))
        self.say(
            f"membership confirmed: {len(seats)} seats meet the minimum list of DCC Cabinet "
            "2022 §19"
        )
        await self._agree_and_meet(
            "membership-confirmed", date(2023, 2, 24), "membership confirmed against §19"
        )
        await self._agree_and_meet(
            "constitution-reviewed", date(2023, 3, 22), "Council approves Constitution changes"
        )

    async def exit_takes_effect(self) -> None:
        await self.at(date(2023, 3, 31))
        assert self._exit is not None
        result = await self._exit.result()
        state: PartnershipState = await self._lead.query(PartnershipWorkflow.state)
        assert state.review_due_on is not None
        lost = "; ".join(
            f"{b.body} {b.voting_before}->{b.voting_after} voting members"
            + ("" if b.can_be_quorate else " (can no longer be quorate)")
            for b in result.bodies
        )
        self.say(
            f"on its effective date {LEAVER} leaves (exit timer): {len(state.signatories)} "
            f"signatories remain, MoU version {state.mou_version}; seats removed: {lost}"
        )
        self.say(
            f"review date revised (CDCP MoU §27): due {self.story(state.review_due_on):%d %b %Y}, "
            f"within {self._config.exit_policy.review_within_days} days of the exit unless "
            "already due sooner (policy)"
        )

    async def committee_operational(self) -> None:
        await self._agree_and_meet("operational", date(2023, 4, 1), "first formal meeting")
        await self.at(date(2023, 4, 2))
        state: PartnershipState = await self._lead.query(PartnershipWorkflow.state)
        joined = any(b.slug == COMMITTEE for b in state.bodies)
        self.say(
            "the Joint Committee is established"
            + (" and is now a body of the partnership" if joined else "")
        )

    async def annual_review(self) -> None:
        state: PartnershipState = await self._lead.query(PartnershipWorkflow.state)
        assert state.review_due_on is not None
        lead_time = timedelta(days=self._config.review_policy.lead_time_days)
        await self.at(self.story(state.review_due_on - lead_time))
        opened: PartnershipState = await self._lead.query(PartnershipWorkflow.state)
        review = opened.open_process(ProcessKind.REVIEW)
        review_id = review.process_id if review is not None else None
        self.say(
            f"the annual review opens on its timer, {lead_time.days // 7} weeks before it is due "
            f"on {self.story(state.review_due_on):%d %b %Y}: {review_id}"
        )
