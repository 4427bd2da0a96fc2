"""A partnership as configured: its signatories, bodies, MoU terms, policies, escalation ladder
and the committees it plans.

This is the static configuration of one TOML file (`domain/partnerships/*.toml` as shipped); what
changes over time (signatures, exits, MoU versions, review dates) is the partnership aggregate's
state, folded from events (`domain.aggregates.partnership`).
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.access import Access
from domain.bodies import Body, DecisionRuleKind
from domain.committee_plans import CommitteePlan
from domain.errors import DomainError, UnknownBodyError
from domain.letters.stationery import Letters, Officer
from domain.organisations import Organisation, Slug, find_organisation
from domain.rules.eligibility import Annex1Element
from domain.rules.statutory_days import BankHolidays, Region
from domain.text import Name


class MouTerms(BaseModel):
    """The MoU's term and review cycle.

    CDCP MoU §24: commences on the date of signature of the partners, runs
    for an initial year and is reviewed at least annually; MSE MoU 2020 §1.5 likewise for MSE. The
    CDCPE ToR carries its own latest review date ("no later than 1 April 2023").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    signed_on: date | None = None
    initial_term_months: int = Field(default=12, ge=1)
    review_interval_months: int = Field(default=12, ge=1, le=12)
    tor_effective_from: date | None = None
    tor_review_by: date | None = None
    clause: str = Field(min_length=1)


class ReviewPolicy(BaseModel):
    """Policy for the annual review (docs/rules.md P1): lead time, response window, reminders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_time_days: int = Field(default=56, ge=1)
    response_days: int = Field(default=28, ge=1)
    reminder_interval_days: int = Field(default=7, ge=1)


class ExitPolicy(BaseModel):
    """Policy for exit notices (docs/rules.md P2): acknowledgement window and reminders, and how
    soon after an exit takes effect the MoU is reviewed (CDCP MoU §27 "review date revised")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acknowledgement_days: int = Field(default=28, ge=1)
    reminder_interval_days: int = Field(default=7, ge=1)
    review_within_days: int = Field(default=90, ge=1)


class StageKind(StrEnum):
    """What happens at a rung of an escalation ladder."""

    CONSIDERATION = "consideration"
    DECISION = "decision"
    INDEPENDENT_FACILITATOR = "independent_facilitator"
    PARTNER_GOVERNANCE = "partner_governance"


class LadderStage(BaseModel):
    """One rung of a partnership's escalation ladder (docs/rules.md P4).

    `bodies` are the bodies that handle the escalation at this level (empty for an independent
    facilitator, MSE MoU 2020 §8.10(3)); `decision_rule` is the threshold used when the stage
    decides.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: int = Field(ge=1)
    name: Name = Field(min_length=1)
    kind: StageKind
    bodies: tuple[Slug, ...] = ()
    decision_rule: DecisionRuleKind | None = None
    annex1_element: Annex1Element | None = None
    response_days: int = Field(default=28, ge=1)
    clause: str = Field(min_length=1)


class Partnership(BaseModel):
    """A partnership: a set of signatory organisations bound by one MoU, and its bodies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Name = Field(min_length=1)
    source: str = Field(min_length=1)
    organisations: tuple[Organisation, ...]
    signatories: tuple[Slug, ...]
    bodies: tuple[Body, ...]
    mou: MouTerms
    review_policy: ReviewPolicy = ReviewPolicy()
    exit_policy: ExitPolicy = ExitPolicy()
    ladder: tuple[LadderStage, ...] = ()
    committees: tuple[CommitteePlan, ...] = ()
    access: Access = Access()
    bank_holidays: BankHolidays = BankHolidays()
    """The bank holidays its working days skip. Its file names the region (England and Wales
    unless it says Scotland or Northern Ireland); the days are filled in as it is read."""
    officer: Officer | None = None
    """Who signs its letters; every file names one (checked as it is read), a configuration
    recorded before officers were named has none and its letters are signed by the partnership."""
    letters: Letters = Letters()
    web_base_url: str | None = Field(default=None, pattern=r"^https?://[^/\s]+(/[^\s]*[^/\s])?$")
    """Where the web service's pages are, for the addresses in letters: set from the service's
    settings by whoever starts the partnership's workflow, never by its file."""

    @field_validator("bank_holidays", mode="before")
    @classmethod
    def days_of_the_region(cls, value: object, info: ValidationInfo) -> object:
        """A region's name, as a file gives it, becomes its bank holidays; a partnership
        carried in a workflow's input already has them, and is never looked up again. Read
        with the context `{"calendar": False}` (by a reader that counts no working days), it
        keeps the region but no days, and refuses to count working days."""
        if not isinstance(value, str):
            return value
        regions = ", ".join(r.value for r in Region)
        if value not in regions.split(", "):
            raise ValueError(f"{value!r} is not one of {regions}")
        if isinstance(info.context, dict) and info.context.get("calendar") is False:
            return BankHolidays(region=Region(value))
        return BankHolidays.of(Region(value))

    def organisation(self, slug: Slug) -> Organisation:
        """The organisation called `slug`; refuses an unknown one, listing the known ones."""
        return find_organisation(self.organisations, slug, self.slug)

    def body(self, slug: Slug) -> Body:
        """The body called `slug`; refuses an unknown one, listing the known ones."""
        for body in self.bodies:
            if body.slug == slug:
                return body
        known = ", ".join(b.slug for b in self.bodies)
        raise UnknownBodyError(f"{slug!r} is not a body of {self.slug}; its bodies are: {known}")

    def committee_plan(self, slug: Slug) -> CommitteePlan:
        """The plan for forming committee `slug`; refuses one not planned, naming those that are."""
        for plan in self.committees:
            if plan.slug == slug:
                return plan
        planned = ", ".join(c.slug for c in self.committees) or "none"
        raise DomainError(
            f"{self.slug} plans no committee called {slug!r}; the committees it plans: {planned}"
        )

    def stage(self, level: int) -> LadderStage | None:
        """The ladder stage at `level`, or None above the top of the ladder."""
        return next((s for s in self.ladder if s.level == level), None)
