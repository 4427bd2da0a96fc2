"""Folding events into state: how every view is rebuilt (docs/architecture.md principle 4)."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

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


Model = TypeVar("Model", bound=BaseModel)
_set = object.__setattr__


def updated(model: Model, update: Mapping[str, object]) -> Model:
    """`model.model_copy(update=update)`: the same shallow copy, made without pydantic's generic
    copying (a sixth of a replay's fold, bench/audit.py) for a model with neither extra fields
    nor private attributes, as every aggregate's state is; any other is copied pydantic's way."""
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        return model.model_copy(update=update)
    return assembled(
        type(model),
        {**model.__dict__, **update},
        model.__pydantic_fields_set__ | update.keys(),
    )


def assembled(model_type: type[Model], values: dict[str, Any], fields_set: set[str]) -> Model:
    """A `model_type` holding `values` as they are, not validated again: only for values made
    from validated ones, for a model with neither extra fields nor private attributes."""
    model = model_type.__new__(model_type)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
