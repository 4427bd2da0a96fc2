"""Every perfect subtree in memory: the reference the stored tree is tested against."""

from collections.abc import Iterable

from eventstore.merkle import leaf_hash, new_nodes, subtree_root


class MemoryTree:
    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def extend(self, entries: Iterable[bytes]) -> None:
        leaves = [leaf_hash(e) for e in entries]
        for level, index, value in new_nodes(self.size, leaves, self.read):
            self.nodes[level, index] = value
        self.size += len(leaves)

    def read(self, level: int, index: int) -> bytes:
        return self.nodes[level, index]

    def root(self, size: int | None = None) -> bytes:
        return subtree_root(0, self.size if size is None else size, self.read)
