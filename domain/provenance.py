"""Who acted: the verified person, the role they acted in, the channel, and the signature.

Every event carries an `Actor` in its metadata. A person's part (issuer, subject, name, email,
groups) comes from the verified session, never from the caller's words; the role and
organisation are what the partnership's access data (`domain.access`) grants them. Timers and
schedules act as named system actors under `SYSTEM_ISSUER`, which no envelope may claim.
"""

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import to_jsonable_python

from domain.text import Name, Text

SYSTEM_ISSUER = "concordat"
"""The issuer of the service's own actors (timers, schedules, a process acting on its result);
an envelope claiming it is refused."""

LEGACY_ISSUER = "unverified"
"""The issuer given, when read back, to a bare actor string recorded before provenance was
verified (old workflow histories); never a way in, since such an envelope has no signature."""


class Channel(StrEnum):
    """How the command reached the service."""

    WEB = "web"
    API = "api"
    CLI = "cli"
    TIMER = "timer"
    SCHEDULE = "schedule"
    PROCESS = "process"
    """A workflow acting on what one of its processes ended with."""


SYSTEM_CHANNELS = frozenset({Channel.TIMER, Channel.SCHEDULE, Channel.PROCESS})


class Role(StrEnum):
    """What the access data lets a person do (docs/rules.md A1-A11)."""

    SECRETARIAT = "secretariat"
    REPRESENTATIVE = "representative"
    MEMBER = "member"
    DEPUTY = "deputy"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    SYSTEM = "system"


class Person(BaseModel):
    """A verified person, as the identity provider (or the local machine) vouches for them."""

    model_config = ConfigDict(frozen=True)

    issuer: Name = Field(min_length=1)
    subject: Name = Field(min_length=1)
    name: Name = Field(min_length=1)
    email: Name | None = None
    groups: tuple[Name, ...] = ()


class Provenance(BaseModel):
    """Who acted, in which role, for whom, how, and why (when recording for someone else)."""

    model_config = ConfigDict(frozen=True)

    person: Person
    role: Role | None = None
    organisation: Name | None = Field(default=None, description="the person's own organisation")
    seat: Name | None = Field(default=None, description="the seat held or deputised for")
    channel: Channel
    on_behalf_of: Name | None = None
    reason: Text | None = None

    @property
    def is_system(self) -> bool:
        return self.person.issuer == SYSTEM_ISSUER

    def display(self) -> str:
        """One line for a trail: `Jane Roe <jane@x> (representative of dcc, cli)`."""
        if self.is_system:
            return self.person.subject
        who = self.person.name
        if self.person.email:
            who += f" <{self.person.email}>"
        if self.role is None:
            return f"{who} ({self.person.issuer}:{self.person.subject}, {self.channel})"
        role = str(self.role)
        if self.organisation:
            role += f" of {self.organisation}"
        if self.seat:
            role += f", seat {self.seat}"
        parts = [role, str(self.channel)]
        if self.on_behalf_of:
            parts.append(f"on behalf of {self.on_behalf_of}: {self.reason}")
        return f"{who} ({'; '.join(parts)})"


class Signature(BaseModel):
    """An Ed25519 signature over `signed_text(command, provenance, issued_at)`."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(pattern=r"^[0-9a-f]{64}$", description="the signer's public key, hex")
    value: str = Field(pattern=r"^[0-9a-f]{128}$", description="the signature, hex")
    issued_at: datetime


class Actor(BaseModel):
    """Who acted on an event, with the signature that vouches for it (None for a system
    actor, which acts from inside the workflow)."""

    model_config = ConfigDict(frozen=True)

    provenance: Provenance
    signature: Signature | None = None
    command: dict[str, Any] | None = Field(
        default=None,
        description="the command the signature covers, as JSON, kept with every event it led "
        "to so an auditor can check the signature; set by the workflow, not the caller",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_recorded_string(cls, data: Any) -> Any:
        """Old histories carried a bare string: read it as an unverified, unsigned actor."""
        if isinstance(data, str):
            issuer, name = (
                (SYSTEM_ISSUER, data)
                if data.partition(":")[0] in ("timer", "schedule", "workflow", "process")
                else (LEGACY_ISSUER, data)
            )
            person = {"issuer": issuer, "subject": name or "?", "name": name or "?"}
            return {"provenance": {"person": person, "channel": Channel.CLI}}
        return data

    def display(self) -> str:
        return self.provenance.display()

    def metadata(self) -> dict[str, Any]:
        """What an event's metadata records of who acted: a display line for the trail, the
        provenance, and the signature with the command it covers."""
        recorded: dict[str, Any] = {
            "actor": self.display(),
            "provenance": self.provenance.model_dump(mode="json", exclude_none=True),
        }
        if self.signature is not None:
            recorded["signature"] = {
                **self.signature.model_dump(mode="json"),
                "command": self.command,
            }
        return recorded

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> "Actor | None":
        """The actor an event's metadata records (None when it records none); a bare `actor`
        string, recorded before provenance was kept, reads as an unverified actor."""
        if "provenance" in metadata:
            signature = metadata.get("signature")
            return cls(
                provenance=metadata["provenance"],
                signature=signature,
                command=signature.get("command") if isinstance(signature, dict) else None,
            )
        if isinstance(metadata.get("actor"), str):
            return cls.model_validate(metadata["actor"])
        return None

    def signed_by_command(self, command: Any) -> "Actor":
        """This actor as recorded for `command`, which its signature covers."""
        return self.model_copy(update={"command": to_jsonable_python(command)})


def system_actor(name: str, channel: Channel = Channel.TIMER) -> Actor:
    """A named system actor (`timer:annual-review`, `workflow:partnership:...`)."""
    person = Person(issuer=SYSTEM_ISSUER, subject=name, name=name)
    return Actor(provenance=Provenance(person=person, role=Role.SYSTEM, channel=channel))


def signed_text(command: Any, provenance: Provenance, issued_at: datetime) -> str:
    """The canonical text an envelope's signature covers: the command, who, and when, as JSON
    with sorted keys and no spaces, so the signer and every verifier agree byte for byte."""
    return json.dumps(
        {
            "command": to_jsonable_python(command),
            "issued_at": issued_at.isoformat(),
            # As the metadata records it (no empty fields), so an auditor can rebuild this
            # text from an event alone (audit/verify_offline.py).
            "provenance": provenance.model_dump(mode="json", exclude_none=True),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
