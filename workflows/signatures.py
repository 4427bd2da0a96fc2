"""The public keys a worker trusts, and the check of an envelope's signature against them.

The worker calls `trust` once before it starts (worker.py); the workflow sandbox passes this
module through, so every workflow's update validator sees the same keys. Signatures are checked
only in validators, which Temporal does not replay, so rotating a key never breaks a replay.
"""

from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from temporalio import workflow

from domain.provenance import Provenance, Signature, signed_text

_trusted: dict[str, Ed25519PublicKey] = {}


def trust(keys: Iterable[str]) -> None:
    """Trusts exactly `keys` (hex Ed25519 public keys) from now on; refuses a malformed one."""
    loaded: dict[str, Ed25519PublicKey] = {}
    for key in keys:
        try:
            loaded[key] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key))
        except ValueError as error:
            raise ValueError(f"trusted key {key!r} is not a hex Ed25519 public key") from error
    _trusted.clear()
    _trusted.update(loaded)


def verify(command: Any, provenance: Provenance, signature: Signature | None) -> str | None:
    """Why an envelope is refused: unsigned, signed by a key this worker does not trust, or
    its signature not over exactly this command, person and time; None when it holds. (A
    reason, not an exception: this module is the worker's own, outside the sandbox, and its
    exception classes would not be the sandboxed workflow's.)"""
    if signature is None:
        return "the envelope is not signed; only a signed envelope may act"
    key = _trusted.get(signature.key)
    if key is None:
        return (
            f"the envelope is signed by key {signature.key[:16]}..., which this worker does "
            "not trust"
        )
    text = signed_text(command, provenance, signature.issued_at)
    try:
        # A bad signature makes cryptography's native code import its exception class; inside
        # the workflow sandbox that import must reach the worker's own module, or it aborts.
        with workflow.unsafe.imports_passed_through():
            key.verify(bytes.fromhex(signature.value), text.encode())
    except InvalidSignature:
        return "the envelope's signature does not match its command, person and time"
    return None
