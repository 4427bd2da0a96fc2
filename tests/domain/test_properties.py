"""Property-based tests (hypothesis) of the thresholds, the folds and the event round trip."""

import importlib
import json
import pkgutil
import types
import typing
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given, settings, strategies as st
from pydantic import BaseModel

from domain.aggregates import partnership as agg, review
from domain.bodies import Body
from domain.events import (
    EVENT_ADAPTER,
    DomainEvent,
    ReviewOutcome,
    event_from_dict,
    event_to_json_dict,
)
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.rules import thresholds

NAMES = st.sampled_from([f"org-{i}" for i in range(12)])
GROUPS = st.sets(NAMES, max_size=12)


# ------------------------------------------------- unanimity, CDCP MoU §25 / MSE MoU 2020 §10.1


@given(signatories=GROUPS.filter(bool), agreed=GROUPS, refused=GROUPS)
def test_unanimity_fails_exactly_when_a_signatory_has_not_agreed(
    signatories: set[str], agreed: set[str], refused: set[str]
) -> None:
    result = thresholds.unanimity(signatories, agreed, refused)
    someone_not_agreed = any(s not in agreed or s in refused for s in signatories)
    assert result.carried is not someone_not_agreed


# ----------------------------------------------------------------- 75%, MSE MoU 2020 §8.4


@given(eligible=st.integers(min_value=1, max_value=400), data=st.data())
def test_three_quarters_boundary_is_exact_003_s8_4(eligible: int, data: st.DataObject) -> None:
    votes = data.draw(st.integers(min_value=0, max_value=eligible))
    members = [f"m{i}" for i in range(eligible)]
    result = thresholds.three_quarters_of_eligible(members, members[:votes])
    assert result.carried is (Fraction(votes, eligible) >= Fraction(3, 4))
    assert result.required == min(n for n in range(eligible + 1) if 4 * n >= 3 * eligible)


def test_three_quarters_known_points_003_s8_4() -> None:
    members = [f"m{i}" for i in range(4)]
    assert thresholds.three_quarters_of_eligible(members, members[:3]).carried
    assert not thresholds.three_quarters_of_eligible(members[:3], members[:2]).carried
    many = [f"m{i}" for i in range(10000)]
    assert not thresholds.three_quarters_of_eligible(many, many[:7499]).carried


# ------------------------------------------------ majorities, MSE MoU 2020 §8.10(2)


@given(present=GROUPS, eligible=GROUPS, affected=GROUPS, in_favour=GROUPS, extra=GROUPS)
def test_majority_counts_only_eligible_affected_members_present_003_s8_10(
    present: set[str], eligible: set[str], affected: set[str], in_favour: set[str], extra: set[str]
) -> None:
    counted = present & eligible & affected
    result = thresholds.eligible_majority(present, eligible, affected, in_favour)
    assert result.counted == len(counted)
    assert result.in_favour == len(in_favour & counted)
    assert result.carried is (2 * len(in_favour & counted) > len(counted))
    # Votes from anyone not counted change nothing.
    outsiders = extra - counted
    again = thresholds.eligible_majority(present, eligible, affected, in_favour | outsiders)
    assert again.carried is result.carried and again.in_favour == result.in_favour


# ---------------------------------------- folding what decide returns, partnership


CONFIG: Partnership = load_partnership("county-durham")


@given(
    order=st.permutations(CONFIG.signatories),
    offsets=st.lists(st.integers(0, 60), min_size=8, max_size=8),
    stop=st.integers(min_value=1, max_value=len(CONFIG.signatories)),
)
def test_folding_sign_mou_events_gives_the_intended_state_003_s15_3(
    order: list[str], offsets: list[int], stop: int
) -> None:
    start = date(2022, 7, 1)
    state = agg.initial_state(CONFIG)
    signed: dict[str, date] = {}
    for organisation, offset in list(zip(order, offsets, strict=True))[:stop]:
        on = start + timedelta(days=offset)
        command = agg.SignMou(
            organisation=organisation, signatory_name="N", signatory_role="R", signed_on=on
        )
        state = agg.fold(state, agg.decide(state, command))
        signed[organisation] = on
    assert {s.organisation: s.signed_on for s in state.signatures} == signed
    assert set(state.outstanding_signatures) == set(CONFIG.signatories) - set(signed)
    if stop == len(CONFIG.signatories):
        assert state.effective_on == max(signed.values())
        assert state.mou_version == 1
        assert state.review_due_on is not None
        assert state.review_due_on.replace(year=state.review_due_on.year - 1) == state.effective_on
    else:
        assert state.effective_on is None and state.mou_version == 0


SIGNATORIES = tuple(f"org-{i}" for i in range(5))


@given(
    answers=st.lists(st.sampled_from(["agree", "refuse", "silent"]), min_size=5, max_size=5),
)
def test_folding_review_events_varies_only_with_every_agreement_000_s25(
    answers: list[str],
) -> None:
    state = review.initial_state("p")
    opened = date(2023, 6, 1)

    def apply(command: review.ReviewCommand) -> None:
        nonlocal state
        state = review.fold(state, review.decide(state, command))

    apply(
        review.OpenReview(
            review_id="r", opened_on=opened, due_on=date(2023, 8, 1),
            response_deadline=date(2023, 7, 1), mou_version=1, signatories=SIGNATORIES,
        )
    )  # fmt: skip
    apply(review.ProposeVariation(proposed_by="org-0", summary="s", proposed_on=opened))
    for organisation, answer in zip(SIGNATORIES, answers, strict=True):
        if answer == "agree":
            apply(
                review.AgreeVariation(
                    variation_id="r-variation", organisation=organisation, agreed_on=opened
                )
            )
        elif answer == "refuse":
            apply(
                review.RefuseVariation(
                    variation_id="r-variation", organisation=organisation, refused_on=opened
                )
            )
    apply(review.ConcludeReview(concluded_on=date(2023, 7, 1)))
    expected = ReviewOutcome.VARIED if set(answers) == {"agree"} else ReviewOutcome.LAPSED
    assert state.outcome is expected
    assert state.next_review_due_on == date(2024, 7, 1)


# ------------------------------------------------------------ JSON round trip


TEXT = st.text(min_size=0, max_size=20)


# Nested models (a body carried by BodyEstablished) are drawn from the shipped configuration:
# valid by construction, and varied enough to exercise the round trip.
SHIPPED_BODIES = tuple(b for slug in partnership_slugs() for b in load_partnership(slug).bodies)


CLEAN_TEXT = st.from_regex(r"[a-z]{1,10}(-[a-z]{1,10})?", fullmatch=True)
"""For constrained text in nested models (Name, Line, slugs, non-empty): valid for each; the
plain `str` fields of events still take any text."""


def _strategy(annotation: Any) -> st.SearchStrategy[Any]:
    if annotation is str:
        return TEXT
    if annotation is Body:
        return st.sampled_from(SHIPPED_BODIES)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated and typing.get_args(annotation)[0] is str:
        return CLEAN_TEXT
    if origin in (types.UnionType, typing.Union):
        return st.one_of(*(_strategy(a) for a in typing.get_args(annotation)))
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _event_strategy(annotation)
    if origin is tuple:
        item = typing.get_args(annotation)[0]
        items = _event_strategy(item) if item is not str else TEXT
        return st.lists(items, max_size=4).map(tuple)
    return st.from_type(annotation)


def _event_strategy(cls: type[BaseModel]) -> st.SearchStrategy[BaseModel]:
    fields = {
        name: CLEAN_TEXT if info.metadata and info.annotation is str else _strategy(info.annotation)
        for name, info in cls.model_fields.items()
        if name not in ("type", "schema_version")
    }
    return st.fixed_dictionaries(fields).map(lambda kwargs: cls(**kwargs))


EVENT_TYPES: tuple[type[BaseModel], ...] = typing.get_args(typing.get_args(DomainEvent)[0])
ANY_EVENT = st.one_of(*(_event_strategy(cls) for cls in EVENT_TYPES))


def _no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return True


def test_every_event_type_is_in_the_union() -> None:
    # Every event class defined in any module of domain.events, whoever adds one, must be in
    # the union.
    from domain import events
    from domain.events.base import Event

    modules = [
        importlib.import_module(f"{events.__name__}.{info.name}")
        for info in pkgutil.iter_modules(events.__path__)
    ]
    defined = {
        cls
        for module in modules
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event
    }
    assert set(EVENT_TYPES) == defined
    for cls in EVENT_TYPES:
        assert cls.model_fields["type"].default == cls.__name__


@settings(max_examples=400)
@given(event=ANY_EVENT)
def test_every_event_survives_a_json_round_trip(event: DomainEvent) -> None:
    data = event_to_json_dict(event)
    assert data["type"] == type(event).__name__
    assert data["schema_version"] == 1
    assert _no_floats(data)
    text = json.dumps(data, sort_keys=True)
    assert EVENT_ADAPTER.validate_json(text) == event
    assert event_from_dict(json.loads(text)) == event
