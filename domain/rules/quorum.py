"""Quorum: enough voting members (or their deputies) present, with the required mix.

CDCPE ToR §10: "The meeting will be quorate with at least four members or
their deputies present, including where possible, representation across health and social care.
Members of the CDCPE may appoint a deputy to attend meetings in their place." A meeting with four
members but nobody from social care is quorate, but Concordat says so distinctly, because "where
possible" asks the chair to have tried.
"""

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body
from domain.errors import DomainError
from domain.organisations import Sector
from domain.text import Name


class QuorumStatus(StrEnum):
    """The four outcomes staff need to tell apart, plus bodies with no quorum rule."""

    QUORATE = "quorate"
    QUORATE_WITHOUT_SOCIAL_CARE = "quorate, but without social care"
    QUORATE_WITHOUT_HEALTH = "quorate, but without health"
    QUORATE_WITHOUT_MIX = "quorate, but without health or social care"
    NOT_QUORATE = "not quorate"
    NO_QUORUM_RULE = "no quorum rule"


class Attendance(BaseModel):
    """A seat present at a meeting, by its member or by a nominated deputy (CDCPE ToR §3)."""

    model_config = ConfigDict(frozen=True)

    seat: Name
    deputy: bool = False


class QuorumResult(BaseModel):
    """A quorum assessment with the count and reasons, for the minutes and for staff."""

    model_config = ConfigDict(frozen=True)

    body: str
    status: QuorumStatus
    counted: tuple[str, ...]
    required: int
    sectors_present: tuple[Sector, ...]
    not_counted: tuple[str, ...]
    explanation: str

    @property
    def is_quorate(self) -> bool:
        """Whether business may be transacted (any "quorate" outcome)."""
        return self.status not in (QuorumStatus.NOT_QUORATE,)


def counted_attendance(
    body: Body, present: Iterable[Attendance]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Seats that count towards quorum, and why any others do not.

    Only voting members count ("members", CDCPE ToR §3, not those invited to attend), and a
    deputy only where the body allows deputies (ToR §3, §10). An unknown or repeated seat is
    refused rather than guessed at.
    """
    attendance = tuple(present)
    if repeated := sorted(s for s, n in Counter(a.seat for a in attendance).items() if n > 1):
        raise DomainError(f"seat {', '.join(repeated)} is listed more than once")
    counted: list[str] = []
    not_counted: list[str] = []
    for item in attendance:
        member = body.member(item.seat)
        if member is None:
            raise DomainError(f"{item.seat!r} is not a seat on {body.slug}")
        if not member.voting:
            not_counted.append(f"{item.seat} attends but is not a voting member")
        elif item.deputy and not body.deputies_allowed:
            not_counted.append(f"{item.seat} sent a deputy, which {body.slug} does not allow")
        else:
            counted.append(item.seat)
    return tuple(counted), tuple(not_counted)


def assess_quorum(body: Body, present: Iterable[Attendance]) -> QuorumResult:
    """Whether `body` is quorate with `present`, and with which mix (CDCPE ToR §10)."""
    counted, not_counted = counted_attendance(body, present)
    counted_sectors = {m.sector for m in body.members if m.seat in counted}
    sectors = tuple(s for s in Sector if s in counted_sectors)
    rule = body.quorum
    if rule is None:
        return QuorumResult(
            body=body.slug,
            status=QuorumStatus.NO_QUORUM_RULE,
            counted=counted,
            required=0,
            sectors_present=sectors,
            not_counted=not_counted,
            explanation=f"{body.slug} has no quorum rule; {len(counted)} voting members present",
        )
    missing = [s for s in rule.required_sectors if s not in sectors]
    if len(counted) < rule.minimum_present:
        status = QuorumStatus.NOT_QUORATE
        explanation = f"{len(counted)} of the {rule.minimum_present} members needed are present"
    elif not missing:
        status = QuorumStatus.QUORATE
        explanation = f"{len(counted)} members present, at least {rule.minimum_present} needed"
    elif not rule.mix_where_possible:
        status = QuorumStatus.NOT_QUORATE
        explanation = f"no member present from {', '.join(missing)}, which the rule requires"
    else:
        status = _without(missing)
        explanation = (
            f"{len(counted)} members present, at least {rule.minimum_present} needed, but none "
            f"from {', '.join(missing)} ({rule.clause})"
        )
    return QuorumResult(
        body=body.slug,
        status=status,
        counted=counted,
        required=rule.minimum_present,
        sectors_present=sectors,
        not_counted=not_counted,
        explanation=explanation,
    )


def _without(missing: list[Sector]) -> QuorumStatus:
    if missing == [Sector.SOCIAL_CARE]:
        return QuorumStatus.QUORATE_WITHOUT_SOCIAL_CARE
    if missing == [Sector.HEALTH]:
        return QuorumStatus.QUORATE_WITHOUT_HEALTH
    return QuorumStatus.QUORATE_WITHOUT_MIX


def can_be_quorate(body: Body) -> bool:
    """Whether the body has enough voting seats to be quorate at all (docs/rules.md P2)."""
    return body.quorum is None or len(body.voting_members) >= body.quorum.minimum_present
