"""A Merkle tree over the log in the form of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Leaf i (0-based) is the row at position i + 1; its entry is that row's 32-byte chain hash, so a
tree head commits to every row's content, metadata, position and recording time, and a proof of
one event needs only that row and the chain hash before it. Nodes are stored as perfect subtrees
`(level, index)`: the root of leaves [index * 2**level, (index + 1) * 2**level). Every range the
RFC's recursion visits is either such a subtree or the tree's ragged right edge, so any proof
reads O(log n) stored nodes. Nothing here trusts stored nodes: a proof checks against a signed
root, and verification recomputes the root from the rows.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeReader = Callable[[int, int], bytes]
"""(level, index) -> the stored root of that perfect subtree."""


class ProofError(ValueError):
    """A proof that does not prove what it claims; the message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_root(start: int, end: int, read: NodeReader) -> bytes:
    """MTH(D[start:end]) from stored perfect subtrees; `start` must be aligned as the RFC's
    recursion aligns it (a multiple of the largest power of two not above end - start)."""
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return read(level, start >> level)
    k = _split(size)
    return node_hash(subtree_root(start, start + k, read), subtree_root(start + k, end, read))


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 2.1.3.1, from the leaf upwards."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_root(start + k, end, read))
            end = start + k
        else:
            path.append(subtree_root(start, start + k, read))
            start += k
    path.reverse()
    return path


def consistency_proof(old: int, new: int, read: NodeReader) -> list[bytes]:
    """PROOF(old, D[new]) of RFC 9162 2.1.4.1."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {old} cannot be a prefix of a tree of {new}")
    if old == 0 or old == new:
        return []
    path: list[bytes] = []
    start, end, complete = 0, new, True
    while True:
        size = end - start
        if old - start == size:
            if not complete:
                path.append(subtree_root(start, end, read))
            break
        k = _split(size)
        if old - start <= k:
            path.append(subtree_root(start + k, end, read))
            end = start + k
        else:
            path.append(subtree_root(start, start + k, read))
            start += k
            complete = False
    path.reverse()
    return path


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless `leaf` is leaf `index` of the tree `root`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_length(p)
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the tree's root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless the tree `old_root` of `old` leaves is a prefix
    of the tree `new_root` of `new` leaves."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {old} cannot be a prefix of a tree of {new}")
    if old == new or old == 0:
        if proof:
            raise ProofError("a proof between a tree and itself or the empty tree must be empty")
        if old == new and old_root != new_root:
            raise ProofError("two trees of the same size have different roots")
        if old == 0 and old_root != EMPTY_ROOT:
            raise ProofError("the old root is not the empty tree's")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    for p in proof:
        _check_length(p)
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError("the consistency proof does not lead to the old tree's root")
    if sr != new_root:
        raise ProofError("the consistency proof does not lead to the new tree's root")


def _check_length(value: bytes) -> None:
    if len(value) != 32:
        raise ProofError(f"a proof hash has {len(value)} bytes, not 32")


class CompactRange:
    """The perfect subtrees along the right edge of a growing tree: the root of every prefix in
    O(log n) space, for checking a log against its checkpoints in one pass."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []  # (level, hash), highest level first

    def append(self, leaf: bytes) -> None:
        level, value = 0, leaf
        peaks = self._peaks
        while peaks and peaks[-1][0] == level:
            value = node_hash(peaks.pop()[1], value)
            level += 1
        peaks.append((level, value))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        value = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            value = node_hash(left, value)
        return value


def new_nodes(
    old_size: int, leaves: Sequence[bytes], read: NodeReader
) -> Iterable[tuple[int, int, bytes]]:
    """The perfect subtrees `(level, index, hash)` that appending `leaves` to a tree of
    `old_size` completes; `read` supplies the old left siblings it pairs with (O(log n))."""
    new_size = old_size + len(leaves)
    level_nodes = list(leaves)
    first = old_size
    level = 0
    while level_nodes:
        yield from ((level, first + i, value) for i, value in enumerate(level_nodes))
        parent_first = old_size >> (level + 1)
        parent_end = new_size >> (level + 1)
        parents: list[bytes] = []
        for j in range(parent_first, parent_end):
            left_index = 2 * j
            left = (
                read(level, left_index) if left_index < first else level_nodes[left_index - first]
            )
            parents.append(node_hash(left, level_nodes[left_index + 1 - first]))
        level_nodes, first, level = parents, parent_first, level + 1
