"""Proofs and checkpoints made to lie, each refused by the service's verifier and by the
standalone one (audit/verify_offline.py). A verifier that accepted a proof for a tree it never
checked is how immudb's GHSA-672p-m5jq-mrh8 let a server fork history: every field counts."""

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import verify_offline
from eventstore import merkle
from eventstore.checkpoint import (
    Checkpoint,
    CheckpointError,
    Signer,
    VerifierKey,
    open_checkpoint,
)
from tests.merkle.memory_tree import MemoryTree

Inclusion = Callable[[int, int, bytes, Sequence[bytes], bytes], None]
Consistency = Callable[[int, int, bytes, bytes, Sequence[bytes]], None]

INCLUSION: list[Inclusion] = [merkle.verify_inclusion, verify_offline.verify_inclusion]
CONSISTENCY: list[Consistency] = [merkle.verify_consistency, verify_offline.verify_consistency]
N = 21
TREE = MemoryTree()
TREE.extend(hashlib.sha256(bytes([i])).digest() for i in range(N))
ROOT = TREE.root()


def leaf(i: int) -> bytes:
    return merkle.leaf_hash(hashlib.sha256(bytes([i])).digest())


@pytest.mark.parametrize("verify", INCLUSION)
@pytest.mark.parametrize("index", [0, 5, 16, 20])
def test_inclusion_proofs_that_lie_are_refused(verify: Inclusion, index: int) -> None:
    proof = merkle.inclusion_proof(index, N, TREE.read)
    verify(index, N, leaf(index), proof, ROOT)  # the honest proof passes

    def refused(i: int, size: int, entry: bytes, path: Sequence[bytes], root: bytes) -> None:
        with pytest.raises(ValueError):
            verify(i, size, entry, path, root)

    for k in range(len(proof)):  # a wrong sibling, at every height
        refused(index, N, leaf(index), [*proof[:k], bytes(32), *proof[k + 1 :]], ROOT)
    refused(index, N, leaf(index), proof[::-1], ROOT)  # siblings in the wrong order
    if index == N - 1:
        # A tree size off by one, where the size decides the proof's shape. Elsewhere the same
        # path is valid in either size, and the size the verifiers use is the signed one.
        refused(index, N + 1, leaf(index), proof, ROOT)
        refused(index, N - 1, leaf(index), proof, ROOT)
    refused(index ^ 1, N, leaf(index), proof, ROOT)  # another leaf's place
    refused(index, N, leaf(index + 1), proof, ROOT)  # another leaf
    refused(index, N, leaf(index), proof[:-1], ROOT)  # a proof cut short
    refused(index, N, leaf(index), [*proof, bytes(32)], ROOT)  # or padded
    refused(index, N, leaf(index), [p[:31] for p in proof], ROOT)  # malformed hashes
    refused(N, N, leaf(index), proof, ROOT)  # a leaf past the end
    refused(index, N, leaf(index), proof, TREE.root(N - 1))  # another tree's root


@pytest.mark.parametrize("verify", CONSISTENCY)
@pytest.mark.parametrize("old", [1, 4, 7, 8, 13, 17, 20])
def test_consistency_proofs_that_lie_are_refused(verify: Consistency, old: int) -> None:
    proof = merkle.consistency_proof(old, N, TREE.read)
    old_root = TREE.root(old)
    verify(old, N, old_root, ROOT, proof)

    def refused(m: int, n: int, a: bytes, b: bytes, path: Sequence[bytes]) -> None:
        with pytest.raises(ValueError):
            verify(m, n, a, b, path)

    for k in range(len(proof)):
        refused(old, N, old_root, ROOT, [*proof[:k], bytes(32), *proof[k + 1 :]])
    if len(proof) > 1:
        refused(old, N, old_root, ROOT, proof[::-1])
    refused(old + 1, N, old_root, ROOT, proof)  # an old size off by one
    refused(old - 1, N, old_root, ROOT, proof)
    if old > 16:  # a new size one short, where it decides the shape (as above)
        refused(old, N - 1, old_root, ROOT, proof)
    refused(old, N, TREE.root(old + 1), ROOT, proof)  # a forked old tree
    refused(old, N, old_root, TREE.root(N - 1), proof)
    refused(old, N, old_root, ROOT, [])
    refused(old, N, old_root, ROOT, [*proof, bytes(32)])
    refused(N, old, ROOT, old_root, proof)  # the newer offered as the older
    refused(N, N, ROOT, TREE.root(N - 1), [])  # one size, two roots


SIGNER = Signer("concordat.test/log", Ed25519PrivateKey.generate())
NOTE = SIGNER.sign(Checkpoint(SIGNER.origin, N, ROOT, datetime(2026, 3, 1, tzinfo=UTC))).note


def _opens(note: str, key_text: str) -> None:
    """Both verifiers open `note` with the key, or both refuse it."""
    outcomes = []
    try:
        open_checkpoint(note, VerifierKey.parse(key_text))
        outcomes.append(True)
    except CheckpointError:
        outcomes.append(False)
    try:
        verify_offline.open_checkpoint(note, verify_offline.parse_key(key_text))
        outcomes.append(True)
    except verify_offline.Refused:
        outcomes.append(False)
    assert outcomes[0] == outcomes[1], outcomes
    if not outcomes[0]:
        raise ValueError("refused")


def test_an_honest_checkpoint_opens_in_both() -> None:
    _opens(NOTE, str(SIGNER.verifier))


def test_a_bad_signature_is_refused() -> None:
    body, _, signature = NOTE.partition("\n\n")
    stamp = signature.rstrip("\n").rpartition(" ")[2]
    flipped = stamp[:10] + ("A" if stamp[10] != "A" else "B") + stamp[11:]
    with pytest.raises(ValueError):
        _opens(f"{body}\n\n{signature.replace(stamp, flipped)}", str(SIGNER.verifier))
    for line, forged in ((1, str(N + 1)), (3, "time 2027-01-01T00:00:00Z")):
        lines = NOTE.split("\n")
        lines[line] = forged
        with pytest.raises(ValueError):
            _opens("\n".join(lines), str(SIGNER.verifier))


def test_a_checkpoint_from_another_key_is_refused() -> None:
    other = Signer(SIGNER.origin, Ed25519PrivateKey.generate())
    forged = other.sign(Checkpoint(SIGNER.origin, N, ROOT, datetime(2026, 3, 1, tzinfo=UTC)))
    with pytest.raises(ValueError):
        _opens(forged.note, str(SIGNER.verifier))
    # nor does the honest body under the other key's signature
    signature = forged.note.partition("\n\n")[2]
    with pytest.raises(ValueError):
        _opens(NOTE.partition("\n\n")[0] + "\n\n" + signature, str(SIGNER.verifier))


def test_a_key_whose_id_does_not_match_is_refused() -> None:
    name, _, encoded = str(SIGNER.verifier).split("+", 2)
    with pytest.raises(CheckpointError):
        VerifierKey.parse(f"{name}+00000000+{encoded}")
    with pytest.raises(verify_offline.Refused):
        verify_offline.parse_key(f"{name}+00000000+{encoded}")
