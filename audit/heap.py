"""The cyclic garbage collector during a long read of the log."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_reading = 0
"""Reads under way in this process: the collector is set for reading until the last ends."""
_YOUNG = 20_000
"""New objects between the collector's passes over the young, while reading (700 by default):
a read makes and drops a few dozen an event, nearly all freed by their counts alone."""
_thresholds = gc.get_threshold()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keeps every object alive when the read begins (imported modules, pydantic's validators:
    nearly the whole heap, and none of it garbage the read makes) out of the collector's passes
    until the read ends, and passes over the young less often. A read of 100,000 events
    allocates enough to set off many full passes, each walking all of it: an eighth of a
    replay's time, and the young passes a few per cent more (bench/audit.py). Objects the read
    makes are collected as ever."""
    global _reading, _thresholds
    if _reading == 0:
        gc.freeze()
        _thresholds = gc.get_threshold()
        gc.set_threshold(max(_YOUNG, _thresholds[0]), *_thresholds[1:])
    _reading += 1
    try:
        yield
    finally:
        _reading -= 1
        if _reading == 0:
            gc.set_threshold(*_thresholds)
            gc.unfreeze()
