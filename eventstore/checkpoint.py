"""Signed checkpoints: the tree's size, root hash and time in the C2SP tlog-checkpoint form, signed
as a C2SP signed note with Ed25519, so an auditor can read one and check it with any tool.

    <origin>
    <tree size>
    <root hash, base64>
    time <UTC, ISO 8601>
    <blank line>
    — <key name> <base64 of key id (4 bytes) and signature (64 bytes)>

The key id is the first four bytes of SHA-256(key name, a newline, 0x01, the public key); the
signature covers every line before the blank one, each with its newline.
"""

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_ED25519 = b"\x01"
_DASH = "\u2014 "


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or is not signed by the key expected; says which."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """A public key and its name, written `<name>+<key id, hex>+<base64 of 0x01 and the key>`."""

    name: str
    public: bytes

    def __str__(self) -> str:
        encoded = base64.b64encode(_ED25519 + self.public).decode()
        return f"{self.name}+{key_id(self.name, self.public).hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        # The name holds no "+"; the base64 key may.
        name, _, rest = text.strip().partition("+")
        hex_id, _, rest = rest.partition("+")
        try:
            raw = base64.b64decode(rest, validate=True)
            expected_id = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError) as error:
            raise CheckpointError(f"public key {text!r} is not NAME+ID+KEY") from error
        if not name or len(raw) != 33 or raw[:1] != _ED25519:
            raise CheckpointError(f"public key {text!r} is not an Ed25519 NAME+ID+KEY")
        key = cls(name, raw[1:])
        if key_id(name, key.public) != expected_id:
            raise CheckpointError(f"public key {text!r}: its id does not match its name and key")
        return key


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    time: datetime

    def body(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        when = self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.origin}\n{self.tree_size}\n{root}\ntime {when}\n"


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    note: str
    """The whole signed note, exactly as signed and as published."""


class Signer:
    """The checkpoint signing key. Its name is the log's origin."""

    def __init__(self, origin: str, private: Ed25519PrivateKey) -> None:
        self.origin = origin
        self._private = private
        self.verifier = VerifierKey(origin, private.public_key().public_bytes_raw())

    def sign(self, checkpoint: Checkpoint) -> SignedCheckpoint:
        if checkpoint.origin != self.origin:
            raise CheckpointError(f"checkpoint of {checkpoint.origin} signed as {self.origin}")
        body = checkpoint.body()
        signature = self._private.sign(body.encode())
        stamp = base64.b64encode(key_id(self.origin, self.verifier.public) + signature).decode()
        return SignedCheckpoint(checkpoint, f"{body}\n{_DASH}{self.origin} {stamp}\n")


def open_checkpoint(note: str, key: VerifierKey) -> Checkpoint:
    """The checkpoint a note carries, once its signature by `key` is checked."""
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        raise CheckpointError("the checkpoint has no signature (no blank line after its body)")
    body += "\n"
    signature = _signature_by(signatures, key)
    try:
        Ed25519PublicKey.from_public_bytes(key.public).verify(signature, body.encode())
    except InvalidSignature as error:
        raise CheckpointError(f"the checkpoint's signature by {key.name} is not valid") from error
    return _parse_body(body, key.name)


def open_checkpoints(notes: Sequence[str], key: VerifierKey) -> list[Checkpoint]:
    """Every note opened by `open_checkpoint`; refuses naming the first bad one by its size."""
    opened: list[Checkpoint] = []
    for note in notes:
        try:
            opened.append(open_checkpoint(note, key))
        except CheckpointError as error:
            size = note.split("\n")[1] if note.count("\n") > 1 else "?"
            raise CheckpointError(f"checkpoint of size {size}: {error}") from error
    return opened


def _signature_by(signatures: str, key: VerifierKey) -> bytes:
    wanted = key_id(key.name, key.public)
    names: list[str] = []
    for line in signatures.splitlines():
        if not line.startswith(_DASH):
            raise CheckpointError(f"signature line {line!r} does not start with an em dash")
        name, _, stamp = line[len(_DASH) :].rpartition(" ")
        names.append(name)
        try:
            raw = base64.b64decode(stamp, validate=True)
        except binascii.Error as error:
            raise CheckpointError(f"signature line {line!r} is not base64") from error
        if name == key.name and raw[:4] == wanted and len(raw) == 68:
            return raw[4:]
    raise CheckpointError(
        f"the checkpoint is not signed by the key {key}; signed by: {', '.join(names) or 'none'}"
    )


def _parse_body(body: str, origin: str) -> Checkpoint:
    lines = body.split("\n")[:-1]
    if len(lines) < 4 or not lines[3].startswith("time "):
        raise CheckpointError("the checkpoint's body is not origin, size, root hash and time")
    if lines[0] != origin:
        raise CheckpointError(f"the checkpoint is of {lines[0]!r}, not {origin!r}")
    if not lines[1].isdigit():
        raise CheckpointError(f"the checkpoint's size {lines[1]!r} is not a number")
    try:
        root = base64.b64decode(lines[2], validate=True)
        time = datetime.strptime(lines[3][5:], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (binascii.Error, ValueError) as error:
        raise CheckpointError(f"the checkpoint's root or time cannot be read: {error}") from error
    if len(root) != 32:
        raise CheckpointError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root, time)
