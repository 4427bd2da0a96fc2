"""Who may read a partnership, its processes and its calendars (docs/rules.md A9, A12).

A partnership and its processes (their states, timelines with people's emails, its registers of
interests, its forward plan) are read only by the people its `[access]` names in some role; the
what-if tool is for its secretariat and representatives.

Of its calendars, everyone its `[access]` names sees its own dates (reviews, exits, milestones);
the secretariat, auditors and administrators see every body; a representative sees the bodies
their organisation holds a seat on, and a member or deputy the bodies of their seats.
"""

from domain.access import Access
from domain.authority import NotAuthorisedError
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


def reads(access: Access, person: Person) -> bool:
    """Whether `person` may read a partnership and its processes (A12): anyone its access data
    names in a role. Its registers of interests are published to all of them."""
    return (
        access.is_secretariat(person)
        or access.is_auditor(person)
        or access.is_administrator(person)
        or bool(access.organisations_of(person))
        or any(access.seats_of(person, deputy=deputy) for deputy in (False, True))
    )


def require_reader(access: Access, person: Person, partnership: str) -> None:
    """Refuses anyone `partnership`'s access data does not name reading it (A12). The reason
    is the same as for a partnership that does not exist, so it tells a stranger nothing."""
    if not reads(access, person):
        raise NotAuthorisedError(unreadable(person, f"partnership {partnership!r}"))


def require_planner(access: Access, person: Person, partnership: str) -> None:
    """Refuses anyone but the secretariat and the representatives asking what-if questions of
    `partnership` (A12): planning who leaves or is absent is theirs; other readers see the
    bodies' quorum as it stands."""
    require_reader(access, person, partnership)
    if not reads_what_if(access, person):
        raise NotAuthorisedError(
            f"{_who(person)} may not ask what-if questions of {partnership}: only its "
            "secretariat and the representatives of its organisations do (rule A12)"
        )


def reads_what_if(access: Access, person: Person) -> bool:
    """Whether `person` asks what-if questions of a partnership (A12)."""
    return access.is_secretariat(person) or bool(access.organisations_of(person))


def unreadable(person: Person, what: str) -> str:
    """Why `person` is not shown `what`: said alike whether it exists or not (A12)."""
    return (
        f"there is no {what} that {_who(person)} may read: a partnership and its processes are "
        "read only by the people its access data names (rule A12)"
    )


def _who(person: Person) -> str:
    return f"{person.name} ({person.issuer}:{person.subject})"
