"""The partnership as its stream makes it: signatories, signatures, MoU versions, review date,
departures, bodies established, seats given to partners admitted, an admission proposed and
the processes it has started."""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.bodies import Body, Member
from domain.errors import UnknownBodyError
from domain.events import AdmissionAgreed, AdmissionProposed, ProcessKind
from domain.organisations import Organisation, find_organisation
from domain.partnership import Partnership
from domain.rules.exits import without_organisations


class Signature(BaseModel):
    """One partner's executed counterpart."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    signatory_name: str
    signatory_role: str
    signed_on: date


class Departure(BaseModel):
    """A partner that has left (CDCP MoU §27)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    exit_id: str
    ended_on: date


class ProcessRecord(BaseModel):
    """A process the partnership started: open until it has an outcome."""

    model_config = ConfigDict(frozen=True)

    process: ProcessKind
    process_id: str
    subject: str
    started_on: date
    ended_on: date | None = None
    outcome: str | None = None


class PartnershipState(BaseModel):
    """The partnership as the events so far make it."""

    model_config = ConfigDict(frozen=True)

    config: Partnership
    organisations: tuple[Organisation, ...]
    signatories: tuple[str, ...]
    signatures: tuple[Signature, ...] = ()
    effective_on: date | None = None
    mou_version: int = 0
    review_due_on: date | None = None
    departures: tuple[Departure, ...] = ()
    established_bodies: tuple[Body, ...] = ()
    admitted_seats: tuple[tuple[str, Member], ...] = ()
    """Seats partners admitted since were given, by body (P7)."""
    admission: AdmissionProposed | None = None
    """The admission proposed and not yet decided (P7)."""
    admission_agreements: tuple[AdmissionAgreed, ...] = ()
    processes: tuple[ProcessRecord, ...] = ()

    @property
    def admission_agreed_by(self) -> tuple[str, ...]:
        """Signatories that agreed in writing to the admission proposed."""
        return tuple(a.organisation for a in self.admission_agreements)

    @property
    def admission_agreed_on(self) -> tuple[date, ...]:
        return tuple(a.agreed_on for a in self.admission_agreements)

    @property
    def slug(self) -> str:
        """The partnership's slug."""
        return self.config.slug

    @property
    def is_effective(self) -> bool:
        """Whether the MoU has commenced."""
        return self.effective_on is not None

    def signature(self, organisation: str) -> Signature | None:
        """The counterpart `organisation` executed, if any."""
        return next((s for s in self.signatures if s.organisation == organisation), None)

    @property
    def open_processes(self) -> tuple[ProcessRecord, ...]:
        """The processes started and not yet ended, oldest first."""
        return tuple(p for p in self.processes if p.outcome is None)

    def open_process(
        self, process: ProcessKind, subject: str | None = None
    ) -> ProcessRecord | None:
        """The open process of kind `process` (about `subject`, when given), if any."""
        return next(
            (
                p
                for p in self.open_processes
                if p.process is process and subject in (None, p.subject)
            ),
            None,
        )

    def departure(self, organisation: str) -> Departure | None:
        """When `organisation` left, if it has."""
        return next((d for d in self.departures if d.organisation == organisation), None)

    @property
    def outstanding_signatures(self) -> tuple[str, ...]:
        """Current signatories that have not yet signed, in configuration order."""
        signed = {s.organisation for s in self.signatures}
        return tuple(o for o in self.signatories if o not in signed)

    def organisation(self, slug: str) -> Organisation:
        """The organisation called `slug` (configured or admitted); refuses an unknown one."""
        return find_organisation(self.organisations, slug, self.slug)

    @property
    def bodies(self) -> tuple[Body, ...]:
        """The bodies with the seats of partners admitted added (P7) and of departed partners
        removed (CDCP MoU §27)."""
        gone = [d.organisation for d in self.departures]
        configured = (*self.config.bodies, *self.established_bodies)
        return tuple(
            without_organisations(self._with_admitted_seats(body), gone) for body in configured
        )

    def _with_admitted_seats(self, body: Body) -> Body:
        added = tuple(m for slug, m in self.admitted_seats if slug == body.slug)
        return body.model_copy(update={"members": (*body.members, *added)}) if added else body

    def body(self, slug: str) -> Body:
        """The body called `slug` as it stands after exits; refuses an unknown one."""
        found = next((b for b in self.bodies if b.slug == slug), None)
        if found is None:
            known = ", ".join(b.slug for b in self.bodies)
            raise UnknownBodyError(
                f"{slug!r} is not a body of {self.slug}; its bodies are: {known}"
            )
        return found


def initial_state(config: Partnership) -> PartnershipState:
    """A partnership whose MoU nobody has signed yet."""
    return PartnershipState(
        config=config, organisations=config.organisations, signatories=config.signatories
    )
