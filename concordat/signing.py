"""The service's Ed25519 key, and the envelopes signed with it.

The private key lives in a file readable only by the operator who runs the stack (mode 0600);
the embedded stack creates it in its data folder at first start. Whoever holds it can act as
any person the access data names, so the web service and the CLI hold it and nothing else does.
"""

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from concordat.settings import Settings
from domain.access import Access
from domain.authority import provenance_for
from domain.provenance import Actor, Channel, Person, Provenance, Signature, signed_text
from workflows.contracts.process import Command

C = TypeVar("C")


class Signer:
    """Signs envelopes for verified people, as the service."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def from_file(cls, path: Path, *, create: bool = False) -> "Signer":
        """The key in `path` (PEM, PKCS#8); with `create`, a new one written there mode 0600
        when the file does not exist yet."""
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
            return cls(key)
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except OSError as error:
            raise SigningKeyError(
                f"the signing key {path} cannot be read: {error.strerror}"
            ) from None
        except ValueError as error:
            raise SigningKeyError(f"the signing key {path} is not a PEM key: {error}") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise SigningKeyError(f"the signing key {path} is not an Ed25519 key")
        return cls(loaded)

    @property
    def public_key(self) -> str:
        """The public key, hex: what workers trust."""
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return raw.hex()

    def sign(self, command: C, provenance: Provenance) -> Command[C]:
        """`command` in an envelope for `provenance`, signed now."""
        return Command(command=command, actor=self.actor(command, provenance))

    def actor(self, command: Any, provenance: Provenance) -> Actor:
        """`provenance` with a signature, made now, over it, `command` and the time."""
        issued_at = datetime.now(UTC)
        text = signed_text(command, provenance, issued_at)
        value = self._key.sign(text.encode()).hex()
        signature = Signature(key=self.public_key, value=value, issued_at=issued_at)
        return Actor(provenance=provenance, signature=signature)

    def envelope(
        self,
        access: Access,
        person: Person,
        command: C,
        channel: Channel,
        *,
        on_behalf_of: str | None = None,
        reason: str | None = None,
    ) -> Command[C]:
        """`command` signed for `person` in the role the access data gives them for it, or
        `NotAuthorisedError` naming who, what and the rule: nothing is sent."""
        provenance = provenance_for(
            access, person, command, channel, on_behalf_of=on_behalf_of, reason=reason
        )
        return self.sign(command, provenance)


class SigningKeyError(Exception):
    """The signing key file is missing, unreadable or not an Ed25519 key."""


def service_signer(settings: Settings, *, create: bool = False) -> Signer:
    """The signer holding the key `settings` name (created there with `create`)."""
    return Signer.from_file(settings.signing_key(), create=create)


def trusted_keys(settings: Settings) -> list[str]:
    """The public keys the worker trusts: the configured ones, or on the embedded stack the
    public half of its own signing key (created at first start)."""
    if settings.trusted_keys:
        return list(settings.trusted_keys)
    if settings.embedded:
        return [service_signer(settings, create=True).public_key]
    raise SigningKeyError(
        "CONCORDAT_TRUSTED_KEYS is not set: the worker would refuse every command; set it to "
        "the JSON list of the web service's public keys"
    )
