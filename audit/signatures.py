"""An auditor's check of who acted on an event: the Ed25519 signature kept in its metadata.

The service signs each command's envelope (the verified person, the command, the time); every
event the command led to keeps that signature, the public key and the command, so anyone with
the log can confirm, without the service, that the key's holder vouched for this person doing
this. Whether the key is the service's own is for the auditor to compare with its published key.
"""

import functools
import json
from enum import StrEnum
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from domain.provenance import Actor, signed_text


class Seal(StrEnum):
    VERIFIED = "signed"
    SYSTEM = "system actor"
    UNSIGNED = "unsigned"
    BROKEN = "SIGNATURE DOES NOT VERIFY"


def seal_of(metadata: dict[str, Any]) -> tuple[Seal, str | None]:
    """Whether the metadata's signature covers its provenance and command, and by which key."""
    if "provenance" not in metadata:
        # Recorded before provenance was kept: a bare name, which nothing vouched for.
        return Seal.UNSIGNED, None
    # Every event one command led to (its decision, the notices and their receipts) records the
    # same provenance and signature: judged once, by their exact content.
    recorded = [metadata["provenance"], metadata.get("signature")]
    try:
        sealed = orjson.dumps(recorded, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, which orjson does not write
        sealed = json.dumps(recorded, sort_keys=True).encode()
    return _seal_of(sealed)


@functools.lru_cache(maxsize=4096)
def _seal_of(sealed: bytes) -> tuple[Seal, str | None]:
    provenance, signature_record = json.loads(sealed)
    try:
        actor = Actor.from_metadata({"provenance": provenance, "signature": signature_record})
    except ValidationError:
        return Seal.BROKEN, None
    if actor is None:
        return Seal.UNSIGNED, None
    if actor.provenance.is_system:
        return Seal.SYSTEM, None
    signature = actor.signature
    if signature is None or actor.command is None:
        return Seal.UNSIGNED, None
    text = signed_text(actor.command, actor.provenance, signature.issued_at)
    if not _verifies(signature.key, signature.value, text):
        return Seal.BROKEN, signature.key
    return Seal.VERIFIED, signature.key


def _verifies(key_hex: str, signature_hex: str, text: str) -> bool:
    """Whether the signature holds over `text`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex))
        key.verify(bytes.fromhex(signature_hex), text.encode())
    except (InvalidSignature, ValueError):
        return False
    return True
