"""Who may read a partnership's calendar, and which of its bodies' (docs/rules.md A9).

Everyone the partnership's `[access]` names sees its own dates (reviews, exits, milestones);
the secretariat, auditors and administrators see every body; a representative sees the bodies
their organisation holds a seat on, and a member or deputy the bodies of their seats.
"""

from domain.partnership import Partnership
from domain.provenance import Person


def bodies_seen(config: Partnership, person: Person) -> tuple[str, ...] | None:
    """The bodies of `config` whose calendars `person` may read, in the file's order; None if
    the partnership's access data gives them no role at all."""
    access = config.access
    if any(
        holds(person)
        for holds in (access.is_secretariat, access.is_auditor, access.is_administrator)
    ):
        return tuple(b.slug for b in config.bodies)
    organisations = set(access.organisations_of(person))
    seats = {
        (s.body, s.seat) for deputy in (False, True) for s in access.seats_of(person, deputy=deputy)
    }
    if not (organisations or seats):
        return None
    return tuple(
        body.slug
        for body in config.bodies
        if any(
            m.organisation in organisations or (body.slug, m.seat) in seats for m in body.members
        )
    )
