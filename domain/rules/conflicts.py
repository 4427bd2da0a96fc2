"""Conflicts of interest: who discusses, who decides and who chairs an item.

CDCPE ToR §6: the Chair determines whether a member who declared an interest
should "leave the meeting for the discussion and decision making, take part in the discussion but
not the decision making or take part in both"; "In a situation whereby the Chair of the meeting
is conflicted, a non-conflicted member will Chair the meeting" (for that item). A member who
leaves is not present for the item, so counts neither towards quorum nor in the vote; one who
discusses but does not decide is present but neither votes nor counts towards the quorum for the
decision.
"""

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body
from domain.errors import DomainError
from domain.events import ConflictRuling
from domain.rules.quorum import Attendance, QuorumResult, assess_quorum, counted_attendance


class ItemParticipation(BaseModel):
    """How one agenda item is taken after the Chair's rulings (CDCPE ToR §6)."""

    model_config = ConfigDict(frozen=True)

    body: str
    item: str
    discussing: tuple[str, ...]
    deciding: tuple[str, ...]
    left: tuple[str, ...]
    discuss_only: tuple[str, ...]
    chair: str | None
    chair_replaced: bool
    quorum: QuorumResult


def acting_chair(
    body: Body, present: Iterable[Attendance], rulings: Mapping[str, ConflictRuling]
) -> str | None:
    """Who chairs the item: the chair, or the first non-conflicted voting member present.

    CDCPE ToR §6: a conflicted chair (one with any declared interest in the item) is replaced by a
    non-conflicted member. Returns None when the chair is absent and not conflicted (the meeting's
    own arrangements apply). Refuses when no non-conflicted member is present to take the chair.
    """
    seats = [a.seat for a in present]
    if body.chair is None or body.chair not in rulings:
        return body.chair if body.chair in seats else None
    for member in body.voting_members:
        if member.seat in seats and member.seat not in rulings:
            return member.seat
    raise DomainError(
        f"the chair of {body.slug} is conflicted and no non-conflicted member is present "
        f"to chair the item (CDCPE ToR §6)"
    )


def apply_rulings(
    body: Body,
    item: str,
    present: Iterable[Attendance],
    rulings: Mapping[str, ConflictRuling],
) -> ItemParticipation:
    """Apply the Chair's `rulings` (seat -> ruling) to the members `present` for `item`."""
    attendance = tuple(present)
    seats = {a.seat for a in attendance}
    if stray := sorted(set(rulings) - seats):
        raise DomainError(f"a ruling was given for {', '.join(stray)}, not present at {body.slug}")
    chair = acting_chair(body, attendance, rulings)
    staying = tuple(a for a in attendance if rulings.get(a.seat) is not ConflictRuling.LEAVE)
    deciding_attendance = tuple(
        a for a in staying if rulings.get(a.seat) is not ConflictRuling.DISCUSS_NOT_DECIDE
    )
    deciding, _ = counted_attendance(body, deciding_attendance)
    return ItemParticipation(
        body=body.slug,
        item=item,
        discussing=tuple(a.seat for a in staying),
        deciding=deciding,
        left=tuple(s for s, r in rulings.items() if r is ConflictRuling.LEAVE),
        discuss_only=tuple(s for s, r in rulings.items() if r is ConflictRuling.DISCUSS_NOT_DECIDE),
        chair=chair,
        chair_replaced=body.chair in rulings and chair != body.chair,
        quorum=assess_quorum(body, deciding_attendance),
    )
