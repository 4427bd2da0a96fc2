"""The heap frozen for a read, and the collector's thresholds, are given back when the last read
ends."""

import gc

from audit.heap import frozen_heap


def test_the_heap_is_frozen_while_any_read_lasts_and_collected_after() -> None:
    gc.unfreeze()
    thresholds = gc.get_threshold()
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert gc.get_threshold()[0] > thresholds[0]
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == frozen  # the inner read's end leaves the outer's
        assert gc.get_threshold()[0] > thresholds[0]
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_a_read_that_fails_still_gives_the_heap_back() -> None:
    thresholds = gc.get_threshold()
    try:
        with frozen_heap():
            raise LookupError
    except LookupError:
        pass
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
