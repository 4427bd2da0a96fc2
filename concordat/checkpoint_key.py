"""The checkpoint signing key as configured: a setting in production, a file of the embedded
stack's data folder otherwise, readable by its owner only."""

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from concordat.settings import Settings
from eventstore.checkpoint import CheckpointError, Signer, VerifierKey


class SigningKeyError(Exception):
    """No usable signing or public key; the message says where it looked."""


def create_key_file(settings: Settings) -> bool:
    """Makes the embedded stack's key file (mode 0600) unless it exists; True if it made it."""
    path = settings.checkpoint_key_file()
    if settings.checkpoint_key is not None or path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, new_seed() + "\n")
    return True


def new_seed() -> str:
    """A new checkpoint signing key: base64 of its 32-byte Ed25519 seed."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return base64.b64encode(seed).decode()


def write_private(path: Path, text: str) -> None:
    """Writes `text` to a new file readable by its owner only; refuses to replace one."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(text)


def signer_from_settings(settings: Settings) -> Signer:
    secret = settings.checkpoint_key
    path = settings.checkpoint_key_file()
    if secret is not None:
        text, where = secret.get_secret_value(), "CONCORDAT_CHECKPOINT_KEY"
    else:
        try:
            text, where = path.read_text(encoding="ascii"), str(path)
        except OSError as error:
            raise SigningKeyError(
                f"no checkpoint signing key: set CONCORDAT_CHECKPOINT_KEY or start the embedded "
                f"stack once to make {path} ({error.strerror})"
            ) from error
    try:
        seed = base64.b64decode(text.strip(), validate=True)
        private = Ed25519PrivateKey.from_private_bytes(seed)
    except (binascii.Error, ValueError) as error:
        raise SigningKeyError(f"the checkpoint key in {where} is not base64 of 32 bytes") from error
    return Signer(settings.checkpoint_origin, private)


def verifier_from_settings(settings: Settings) -> VerifierKey:
    """The key auditors check checkpoints with: their own copy if set, else the signer's."""
    if settings.checkpoint_public_key is not None:
        try:
            return VerifierKey.parse(settings.checkpoint_public_key)
        except CheckpointError as error:
            raise SigningKeyError(f"CONCORDAT_CHECKPOINT_PUBLIC_KEY: {error}") from error
    return signer_from_settings(settings).verifier
