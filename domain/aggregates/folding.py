"""Folding events into state: how every view is rebuilt (docs/architecture.md principle 4)."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from domain.events import DomainEvent

State = TypeVar("State")


def fold_with(
    evolve: Callable[[State, DomainEvent], State], initial: State, events: Iterable[DomainEvent]
) -> State:
    """Apply `events` in order to `initial` with `evolve`."""
    state = initial
    for event in events:
        state = evolve(state, event)
    return state
