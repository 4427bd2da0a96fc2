"""Judging one command over HTTP as every role (issue 10): who is refused gets 403 with the
events table unchanged (count and last hash), who is allowed sees their command recorded with
their own verified provenance. Each outcome is kept for the summary and docs/authority.md."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from deploy.dev_users import first_user, representative, secretary
from domain.partnership import Partnership
from eventstore.models import Digest
from eventstore.store import EventStore
from tests.people import seat_holder
from tests.web.signing_in import program_token

SEAT, OTHER_SEAT = "icb-director-place-based-delivery", "icb-medical-director"
"""A seat with a named deputy, and another."""
ORGANISATION = "dcc"
"""The organisation whose representative is asked to issue the secretariat's own commands."""
OUTSIDER = "dev-secretary-nenc-ics"
"""Signed in, but with no role in County Durham (the secretary of another partnership)."""
REASON = "recorded from the signed letter received by post"

ROLES = (
    "secretariat",
    "secretariat on behalf",
    "representative",
    "other representative",
    "member",
    "deputy",
    "other member",
    "auditor",
    "administrator",
    "no role",
    "no token",
)
"""The columns of the table: `representative` represents the organisation the command is for,
`member`/`deputy` hold or deputise for the seat it is for (for a command for neither, the
representative of dcc and the holder and deputy of SEAT); `secretariat on behalf` records for
that party with a reason."""

ALLOWED: Mapping[str, frozenset[str]] = {
    "secretariat": frozenset({"secretariat"}),
    "organisation": frozenset({"representative", "secretariat on behalf"}),
    "seat": frozenset({"member", "deputy", "secretariat on behalf"}),
    "planner": frozenset(
        {"secretariat", "secretariat on behalf", "representative", "other representative"}
    ),
    "start": frozenset({"secretariat"}),
    "vote": frozenset({"member", "deputy"}),
}
"""Who may issue a command, by whom it is for (docs/rules.md A1-A4, A11): the table under test.
`vote` is a member's own vote, cast by the seat's holder or deputy and by no one for them.
`start` starts a partnership's workflow (A1), `planner` asks a what-if question, which records
nothing (A12: a stranger to the partnership is told it is not found)."""
SEAT_RULES = ("seat", "vote")
"""The rules of commands issued for a seat."""
UNASKED: Mapping[str, frozenset[str]] = {"start": frozenset({"secretariat on behalf"})}
"""Roles a rule's route has no way to express: starting a partnership is for no one else."""


@dataclass(frozen=True)
class Outcome:
    command: str
    role: str
    status: int


@dataclass
class Judge:
    """Sends commands to the API as the people the partnership's access data names."""

    api: httpx.AsyncClient
    store: EventStore
    issuer: str
    config: Partnership
    outcomes: list[Outcome] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    def subject(self, role: str, party: str | None, seat: bool) -> str | None:
        """The development user in `role` for a command for `party` (an organisation, or a
        seat when `seat`); None for no token."""
        config = self.config
        organisation = party if party is not None and not seat else ORGANISATION
        held = party if party is not None and seat else SEAT
        other_org = next(o for o in config.signatories if o != organisation)
        other_seat = next(s.seat for s in config.access.members if s.seat != held)
        people = {
            "secretariat": lambda: secretary(config),
            "secretariat on behalf": lambda: secretary(config),
            "representative": lambda: representative(config, organisation),
            "other representative": lambda: representative(config, other_org),
            "member": lambda: seat_holder(config, held),
            "deputy": lambda: seat_holder(config, held, deputy=True),
            "other member": lambda: seat_holder(config, other_seat),
            "auditor": lambda: first_user(config.access.auditors),
            "administrator": lambda: first_user(config.access.administrators),
        }
        if role == "no token":
            return None
        if role == "no role":
            return OUTSIDER
        return people[role]().subject

    async def headers(self, subject: str | None) -> dict[str, str]:
        if subject is None:
            return {}
        if subject not in self._tokens:
            self._tokens[subject] = await program_token(self.issuer, subject)
        return {"Authorization": f"Bearer {self._tokens[subject]}"}

    async def reader(self) -> dict[str, str]:
        """Headers to read with: the auditor's token."""
        return await self.headers(self.subject("auditor", None, False))

    async def settled(self) -> Digest | None:
        """The log's digest once notices delivered in the background have been recorded."""
        last: Digest | None = None
        steady = 0
        for _ in range(400):
            now = await self._digest()
            steady = steady + 1 if now == last else 0
            if steady == 4:
                return now
            last = now
            await asyncio.sleep(0.05)
        raise AssertionError("the log never settled")

    async def _digest(self) -> Digest | None:
        return None if not await self.store.read_all(limit=1) else await self.store.digest()

    async def post(
        self, path: str, body: Any, role: str, party: str | None, seat: bool
    ) -> httpx.Response:
        subject = self.subject(role, party, seat)
        params = (
            {"on_behalf_of": party or ORGANISATION, "reason": REASON}
            if role == "secretariat on behalf"
            else {}
        )
        return await self.api.post(
            path, json=body, params=params, headers=await self.headers(subject)
        )

    async def refusals(
        self, command: str, path: str, body: Any, rule: str, party: str | None = None
    ) -> None:
        """`body` sent as every role `rule` does not allow: 401 without a token, else 403, and
        the events table unchanged."""
        seat = rule in SEAT_RULES
        before = await self.settled()
        for role in ROLES:
            if role in ALLOWED[rule] or role in UNASKED.get(rule, ()):
                continue
            response = await self.post(path, body, role, party, seat)
            expected = 401 if role == "no token" else 403
            if rule == "planner" and role == "no role":
                expected = 404
            assert response.status_code == expected, (command, role, response.text)
            assert await self._digest() == before, (command, role, "the log changed")
            self.outcomes.append(Outcome(command, role, response.status_code))

    async def allowed(
        self,
        command: str,
        path: str,
        body: Any,
        role: str,
        rule: str,
        party: str | None = None,
    ) -> Any:
        """`body` sent as `role`, whom `rule` allows: it takes effect, and what it recorded
        names that person, in that role, through the API, for that party."""
        assert role in ALLOWED[rule], (command, role)
        seat = rule in SEAT_RULES
        before = await self.settled()
        response = await self.post(path, body, role, party, seat)
        assert response.status_code == 200, (command, role, response.text)
        self.outcomes.append(Outcome(command, role, response.status_code))
        if rule == "planner":
            assert await self._digest() == before, (command, "a question wrote to the log")
        if rule in ("planner", "start"):
            return response.json()
        subject = self.subject(role, party, seat)
        after = before.position if before is not None else 0
        await self.settled()  # a process started records its first events as it starts
        recorded = [
            e.metadata["provenance"]
            for e in await self.store.read_all(after_position=after)
            if e.metadata["provenance"]["person"]["subject"] == subject
        ]
        assert recorded, (command, role, "nothing was recorded in their name")
        for provenance in recorded:
            assert provenance["person"]["issuer"] == self.issuer, provenance
            assert provenance["channel"] == "api", provenance
            assert provenance["role"] == _recorded_role(role), provenance
            if role == "secretariat on behalf":
                assert provenance["on_behalf_of"] == (party or ORGANISATION), provenance
                assert provenance["reason"] == REASON, provenance
        return response.json()


def _recorded_role(role: str) -> str:
    return "secretariat" if role.startswith("secretariat") else role


def roles_table(outcomes: list[Outcome]) -> str:
    """The table as proved, for docs/authority.md: one row for each set of commands that every
    role found alike; `yes` took effect, 403, 404 and 401 were refused, `-` is not expressible."""
    status = {(o.command, o.role): o.status for o in outcomes}
    rows: dict[tuple[str, ...], list[str]] = {}
    for command in sorted({o.command for o in outcomes}):
        cells = tuple(_cell(status.get((command, role))) for role in ROLES)
        rows.setdefault(cells, []).append(f"`{command}`")
    lines = [
        "| Commands | " + " | ".join(ROLES) + " |",
        "|---" * (len(ROLES) + 1) + "|",
        *(
            f"| {', '.join(commands)} | " + " | ".join(cells) + " |"
            for cells, commands in sorted(rows.items(), key=lambda row: -len(row[1]))
        ),
    ]
    return "\n".join(lines) + "\n"


def _cell(status: int | None) -> str:
    return {None: "-", 200: "yes"}.get(status, str(status))
