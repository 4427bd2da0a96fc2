"""What a partner's exit does to each body: seats lost, and bodies that can no longer be quorate.

CDCP MoU §27: when a partner leaves, the MoU is amended as appropriate, so
the membership and quorum of the Executive and boards change; docs/rules.md P2 asks Concordat to
flag a body that can no longer be quorate.
"""

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body
from domain.organisations import Sector
from domain.rules.quorum import can_be_quorate


class BodyExitEffect(BaseModel):
    """One body's loss from an exit."""

    model_config = ConfigDict(frozen=True)

    body: str
    seats_lost: tuple[str, ...]
    voting_before: int
    voting_after: int
    quorum_minimum: int | None
    can_be_quorate: bool
    sectors_lost: tuple[Sector, ...]
    chair_lost: bool


class ExitEffect(BaseModel):
    """Every body that loses members when `organisations` leave."""

    model_config = ConfigDict(frozen=True)

    organisations: tuple[str, ...]
    bodies: tuple[BodyExitEffect, ...]

    @property
    def cannot_be_quorate(self) -> tuple[str, ...]:
        """Bodies flagged because they no longer have enough voting seats for their quorum."""
        return tuple(b.body for b in self.bodies if not b.can_be_quorate)


def without_organisations(body: Body, organisations: Iterable[str]) -> Body:
    """`body` with the seats of `organisations` removed (their chair seat too)."""
    gone = set(organisations)
    kept = tuple(m for m in body.members if m.organisation not in gone)
    if len(kept) == len(body.members):
        return body
    chair = body.chair if body.chair in {m.seat for m in kept} else None
    return body.model_copy(update={"members": kept, "chair": chair})


def exit_effect(bodies: Iterable[Body], organisations: Iterable[str]) -> ExitEffect:
    """The effect on `bodies` of `organisations` leaving (CDCP MoU §27)."""
    leaving = tuple(dict.fromkeys(organisations))
    effects: list[BodyExitEffect] = []
    for body in bodies:
        after = without_organisations(body, leaving)
        if after is body:
            continue
        before_sectors = {m.sector for m in body.voting_members}
        after_sectors = {m.sector for m in after.voting_members}
        effects.append(
            BodyExitEffect(
                body=body.slug,
                seats_lost=tuple(m.seat for m in body.members if m.organisation in leaving),
                voting_before=len(body.voting_members),
                voting_after=len(after.voting_members),
                quorum_minimum=body.quorum.minimum_present if body.quorum else None,
                can_be_quorate=can_be_quorate(after),
                sectors_lost=tuple(s for s in Sector if s in before_sectors - after_sectors),
                chair_lost=body.chair is not None and after.chair is None,
            )
        )
    return ExitEffect(organisations=leaving, bodies=tuple(effects))
