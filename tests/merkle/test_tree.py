"""The stored-subtree tree against the RFC 9162 definitions written out naively, and its proofs
verified for random sizes and positions."""

import hashlib

from hypothesis import given, settings, strategies as st

from eventstore.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.merkle.memory_tree import MemoryTree


def entry(i: int) -> bytes:
    return hashlib.sha256(i.to_bytes(8, "big")).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, word for word."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = _k(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """RFC 9162 2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def tree_of(n: int) -> MemoryTree:
    tree = MemoryTree()
    tree.extend(entry(i) for i in range(n))
    return tree


SIZES = st.integers(min_value=1, max_value=300)


@given(SIZES, st.data())
@settings(max_examples=150, deadline=None)
def test_roots_and_inclusion_proofs_match_the_rfc(n: int, data: st.DataObject) -> None:
    entries = [entry(i) for i in range(n)]
    tree = MemoryTree()
    cut = data.draw(st.integers(min_value=0, max_value=n), label="grown in two steps at")
    tree.extend(entries[:cut])
    tree.extend(entries[cut:])
    root = tree.root()
    assert root == mth(entries)
    m = data.draw(st.integers(min_value=0, max_value=n - 1), label="leaf")
    proof = inclusion_proof(m, n, tree.read)
    assert proof == path(m, entries)
    verify_inclusion(m, n, leaf_hash(entries[m]), proof, root)


@given(SIZES, st.data())
@settings(max_examples=150, deadline=None)
def test_consistency_proofs_match_the_rfc_and_verify(n: int, data: st.DataObject) -> None:
    entries = [entry(i) for i in range(n)]
    tree = tree_of(n)
    m = data.draw(st.integers(min_value=1, max_value=n), label="old size")
    proof = consistency_proof(m, n, tree.read)
    assert proof == (subproof(m, entries, True) if m < n else [])
    verify_consistency(m, n, mth(entries[:m]), tree.root(), proof)


@given(st.integers(min_value=0, max_value=200))
def test_the_compact_range_gives_every_prefix_root(n: int) -> None:
    compact = CompactRange()
    entries = [entry(i) for i in range(n)]
    assert compact.root() == EMPTY_ROOT
    for i, e in enumerate(entries):
        compact.append(leaf_hash(e))
        assert compact.root() == mth(entries[: i + 1])


def test_proofs_are_logarithmic() -> None:
    n = 1_000_003
    reads: list[tuple[int, int]] = []

    def read(level: int, index: int) -> bytes:
        reads.append((level, index))
        return bytes(32)

    inclusion_proof(n // 3, n, read)
    consistency_proof(n // 2 + 1, n, read)
    assert len(reads) <= 4 * n.bit_length()
