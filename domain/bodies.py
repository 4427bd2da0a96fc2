"""Governance bodies: executives, boards, forums, joint committees and upward bodies.

A body has members (seats, each held by a person representing an organisation), a chair, a
quorum rule, decision rules and a meeting cadence, all taken from the partnership's source
documents and written in its configuration file.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.organisations import Sector, Slug
from domain.rules.eligibility import Annex1Element
from domain.rules.statutory_days import Deadline
from domain.text import Line, Name

_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Named = Annotated[Slug, StringConstraints(pattern=_SLUG)]
"""A slug naming a seat, an organisation or a body: checked wherever a body holds one, so no
name it carries can hold a character that breaks a printed line."""


class BodyKind(StrEnum):
    """What sort of governance body this is (docs/rules.md "Words used")."""

    EXECUTIVE = "executive"
    BOARD = "board"
    FORUM = "forum"
    GROUP = "group"
    JOINT_COMMITTEE = "joint_committee"
    UPWARD_BODY = "upward_body"


class DecisionRuleKind(StrEnum):
    """The thresholds of `domain.rules.thresholds`, by name."""

    CONSENSUS = "consensus"
    SIMPLE_MAJORITY = "simple_majority"
    ELIGIBLE_MAJORITY = "eligible_majority"
    THREE_QUARTERS_OF_ELIGIBLE = "three_quarters_of_eligible"
    UNANIMITY = "unanimity"


class Member(BaseModel):
    """A seat on a body; `organisation` is omitted for an independent seat (an independent chair).

    `voting` is False for those "invited to attend" (CDCPE ToR §3); `illustrative` marks seats that
    the source document does not name and the configuration fills in as an example.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seat: Slug = Field(pattern=_SLUG)
    role: Name = Field(min_length=1)
    organisation: Named | None = None
    sector: Sector
    voting: bool = True
    illustrative: bool = False


class QuorumRule(BaseModel):
    """How many voting members (or deputies) must be present, and the mix required.

    CDCPE ToR §10: "at least four members or their deputies present, including where possible,
    representation across health and social care". `mix_where_possible` keeps a meeting without
    the mix quorate but says so; when False the mix is mandatory.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum_present: int = Field(ge=1)
    required_sectors: tuple[Sector, ...] = ()
    mix_where_possible: bool = True
    clause: Line = Field(min_length=1)


class DecisionRule(BaseModel):
    """A threshold a body uses for a kind of matter; the Annex 1 element decides eligibility."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DecisionRuleKind
    matter: Line = Field(min_length=1)
    annex1_element: Annex1Element | None = None
    clause: Line = Field(min_length=1)


class Cadence(BaseModel):
    """How often a body meets (CDCPE ToR §4, CDCP MoU §11; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU
    §17, §20)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meetings_per_year: int = Field(ge=1, le=52)
    description: Line = Field(min_length=1)
    clause: Line = Field(min_length=1)


class InterestRegister(BaseModel):
    """The body keeps a register of its members' interests (docs/rules.md P6), under `clause`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clause: Line = Field(min_length=1)


class MeetingDeadlines(BaseModel):
    """The deadlines before a meeting that the body's terms of reference set, in their words
    (docs/rules.md P5.7); a body that declares none keeps the calendar days of CDCPE ToR §5."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agenda_requests: Deadline | None = None
    agenda_issue: Deadline | None = None


class Body(BaseModel):
    """A governance body of a partnership."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug = Field(pattern=_SLUG)
    name: Name = Field(min_length=1)
    kind: BodyKind
    members: tuple[Member, ...] = ()
    deputies_allowed: bool = False
    chair: Named | None = None
    chair_illustrative: bool = False
    quorum: QuorumRule | None = None
    decision_rules: tuple[DecisionRule, ...] = ()
    cadence: Cadence | None = None
    answers_to: tuple[Named, ...] = ()
    register_of_interests: InterestRegister | None = None
    deadlines: MeetingDeadlines = MeetingDeadlines()
    clause: Line = Field(min_length=1)

    @property
    def voting_members(self) -> tuple[Member, ...]:
        """Seats that count towards quorum and vote."""
        return tuple(m for m in self.members if m.voting)

    def member(self, seat: Slug) -> Member | None:
        """The seat called `seat`, or None."""
        return next((m for m in self.members if m.seat == seat), None)

    def decision_rule(self, kind: DecisionRuleKind) -> DecisionRule | None:
        """This body's rule of `kind`, or None when the body does not decide that way."""
        return next((r for r in self.decision_rules if r.kind == kind), None)
