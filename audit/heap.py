"""The cyclic garbage collector during a long read of the log."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_reading = 0
"""Reads under way in this process: the heap is frozen until the last of them ends."""


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keeps every object alive when the read begins (imported modules, pydantic's validators:
    nearly the whole heap, and none of it garbage the read makes) out of the collector's passes
    until the read ends. A read of 100,000 events allocates enough to set off many full passes,
    each walking all of it: an eighth of a replay's time (bench/audit.py). Objects the read
    makes are collected as ever."""
    global _reading
    if _reading == 0:
        gc.freeze()
    _reading += 1
    try:
        yield
    finally:
        _reading -= 1
        if _reading == 0:
            gc.unfreeze()
