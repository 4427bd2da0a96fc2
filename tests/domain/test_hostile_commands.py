"""Hostile text and dates thrown at every command (issue 9): each is built or refused by pydantic,
and decided into events or refused by the domain; nothing else escapes, nothing refused is
half-recorded, and nothing accepted holds what the text rules (R5, R8) or the date policy (R10)
forbid.

The commands are discovered from the unions, so a new command is covered without touching this
module; values are generated from each field's annotation.
"""

import types
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date, time, timedelta
from enum import Enum
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from domain import declarations, meetings
from domain.aggregates import committee_commands, escalation, exit, partnership, review
from domain.aggregates.exit_commands import ExitCommand
from domain.errors import DomainError
from domain.events import DomainEvent, EscalationReason
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.date_policy import EARLIEST_GOVERNANCE_DATE
from domain.text import LINE_MAX, NAME_MAX, TEXT_MAX, Line, Name, Text, refused_character
from tests.domain.conftest import sign_all

UNIONS: dict[str, Any] = {
    "ExitCommand": ExitCommand,
    "ReviewCommand": review.ReviewCommand,
    "CommitteeCommand": committee_commands.CommitteeCommand,
    "EscalationCommand": escalation.EscalationCommand,
    "MeetingCommand": meetings.MeetingCommand,
    "DeclarationsCommand": declarations.DeclarationsCommand,
    "PartnershipCommand": partnership.PartnershipCommand,
    # Staff commands the partnership's workflow takes outside its aggregate's union.
    "PartnershipStaff": partnership.RequestReview | partnership.StartCommittee,
}
COMMANDS: list[type[BaseModel]] = [c for union in UNIONS.values() for c in get_args(union)]

TODAY = date(2023, 6, 15)
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)

# --------------------------------------------------------------------------- the text types

TEXT_KINDS: dict[int, tuple[str, int, frozenset[str]]] = {
    id(get_args(Name)[1]): ("Name", NAME_MAX, frozenset()),
    id(get_args(Line)[1]): ("Line", LINE_MAX, frozenset()),
    id(get_args(Text)[1]): ("Text", TEXT_MAX, frozenset("\n\t")),
}
PLAIN = ("str", None, frozenset[str]())
"""A field typed plain `str`: no limit to check, but a command's text is still one clean line."""


def text_kind(metadata: Any) -> tuple[str, int | None, frozenset[str]] | None:
    """The text type a field's metadata holds, if any."""
    for meta in metadata:
        if id(meta) in TEXT_KINDS:
            return TEXT_KINDS[id(meta)]
    return None


# --------------------------------------------------------------------------- hostile values

HOSTILE_CHARACTERS = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\r",
    "\n",
    "\t",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200f",
    "\u061c",
    "\ud800",
    "\udfff",
]
LENGTHS = [0, 1, NAME_MAX, NAME_MAX + 1, LINE_MAX, LINE_MAX + 1, TEXT_MAX, TEXT_MAX + 1, 100_000]


def hostile_text(realistic: list[str]) -> st.SearchStrategy[str]:
    """Realistic values (so some commands get through to decide), and values built to break."""
    alphabet = st.one_of(st.characters(), st.sampled_from(HOSTILE_CHARACTERS))
    realistic_or_a = st.sampled_from(realistic or ["a"])
    return st.one_of(
        realistic_or_a,
        realistic_or_a,
        st.text(alphabet, max_size=40),
        st.builds(
            lambda head, bad, tail: head + bad + tail,
            realistic_or_a,
            st.sampled_from(HOSTILE_CHARACTERS),
            st.sampled_from(["", "x", "\nSIGNED: forged line"]),
        ),
        st.builds(lambda n, c: c * n, st.sampled_from(LENGTHS), st.sampled_from(["a", "\u202e"])),
        st.integers(0, 100_000).map(lambda n: "b" * n),
    )


def hostile_dates(today: date) -> st.SearchStrategy[date]:
    edges = [
        date(1, 1, 1),
        date(1999, 12, 31),
        EARLIEST_GOVERNANCE_DATE,
        date(2999, 12, 31),
        today - timedelta(days=1),
        today,
        today + timedelta(days=1),
    ]
    return st.one_of(
        st.sampled_from(edges), st.dates(today - timedelta(days=400), today + timedelta(days=60))
    )


class Draw(NamedTuple):
    """Where a command's values come from: realistic ones, or those built to break."""

    text: st.SearchStrategy[str]
    dates: st.SearchStrategy[date]
    hostile: bool
    clean: "Draw | None" = None
    """When set, one field of each model takes these values and the rest take `clean`'s, so
    each field is probed on its own, however deep."""


def values_for(tp: Any, metadata: Any, draw: Draw) -> st.SearchStrategy[Any]:
    """Raw (unvalidated) values for a field of type `tp`: what an edge could send."""
    if get_origin(tp) is Annotated:
        base, *extra = get_args(tp)
        return values_for(base, [*metadata, *extra], draw)
    origin = get_origin(tp)
    args = get_args(tp)
    if tp is str:
        return draw.text
    if tp is bool:
        return st.booleans()
    if tp is int:
        return (
            st.one_of(st.integers(0, 5), st.integers(-(2**70), 2**70))
            if draw.hostile
            else st.integers(0, 5)
        )
    if tp is date:
        return draw.dates
    if tp is time:
        return st.times()
    if tp is type(None):
        return st.none()
    if isinstance(tp, type) and issubclass(tp, Enum):
        members = st.sampled_from([m.value for m in tp])
        return st.one_of(members, draw.text) if draw.hostile else members
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return model_data(tp, draw)
    if origin is Literal:
        return st.sampled_from(args)
    if origin in (Union, types.UnionType):
        return st.one_of([values_for(a, metadata, draw) for a in args])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            element = values_for(args[0], [], draw)
            return st.lists(element, max_size=3).map(tuple)
        return st.tuples(*(values_for(a, [], draw) for a in args))
    if origin in (Mapping, dict):
        key, value = args
        return st.dictionaries(values_for(key, [], draw), values_for(value, [], draw), max_size=3)
    raise AssertionError(f"no hostile values for {tp!r}: teach values_for this type")


def model_data(model: type[BaseModel], draw: Draw) -> st.SearchStrategy[dict[str, Any]]:
    """A dict for `model`: every required field, each optional one sometimes."""
    if draw.clean is None:
        return _fields(model, draw, draw, None)
    probed = [name for name in model.model_fields if name != "type"]
    if not probed:
        return _fields(model, draw.clean, draw.clean, None)
    clean = draw.clean
    return st.sampled_from(probed).flatmap(lambda pick: _fields(model, draw, clean, pick))


def _fields(
    model: type[BaseModel], draw: Draw, clean: Draw, probed: str | None
) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        values = values_for(field.annotation, field.metadata, draw if name == probed else clean)
        (required if field.is_required() or name == probed else optional)[name] = values
    return st.fixed_dictionaries(required, optional=optional)


def command_data(
    classes: list[type[BaseModel]], realistic: list[str], today: date, probe: str | None = None
) -> st.SearchStrategy[tuple[type[BaseModel], dict[str, Any]]]:
    """A command class and its data: drawn from realistic values alone (so some get through to
    decide), from a mix of realistic and hostile ones, or realistic but for one hostile field
    (`probe`, if given, of the one class given)."""
    realistic_dates = st.dates(today - timedelta(days=14), today)
    clean = Draw(st.sampled_from(realistic), realistic_dates, hostile=False)
    hostile = Draw(hostile_text(realistic), hostile_dates(today), hostile=True)
    if probe is not None:
        (cls,) = classes
        return _fields(cls, hostile._replace(clean=clean), clean, probe).map(lambda d: (cls, d))
    draws = [clean, hostile, hostile._replace(clean=clean)]
    return st.tuples(st.sampled_from(classes), st.sampled_from(draws)).flatmap(
        lambda pick: model_data(pick[0], pick[1]).map(lambda data: (pick[0], data))
    )


# ----------------------------------------------------------------- what a built command holds


def strings_in(value: Any, tp: Any, metadata: Any, path: str) -> Iterator[tuple[str, Any, str]]:
    """(path, text kind, string) for every string a built value holds, with the type that held
    it: a Name, Line or Text field, or a plain `str`."""
    if get_origin(tp) is Annotated:
        base, *extra = get_args(tp)
        yield from strings_in(value, base, [*metadata, *extra], path)
        return
    if isinstance(value, Enum) or value is None:
        return
    if isinstance(value, str):
        yield path, text_kind(metadata) or _kind_in_union(tp) or PLAIN, value
    elif isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            yield from strings_in(
                getattr(value, name), field.annotation, field.metadata, f"{path}.{name}"
            )
    elif isinstance(value, tuple):
        element = _argument(tp, tuple)
        for i, item in enumerate(value):
            yield from strings_in(item, element[0] if element else Any, [], f"{path}[{i}]")
    elif isinstance(value, Mapping):
        key, item_type = _argument(tp, Mapping) or (Any, Any)
        for k, v in value.items():
            yield from strings_in(k, key, [], f"{path}[key]")
            yield from strings_in(v, item_type, [], f"{path}[{k!r}]")


def _kind_in_union(tp: Any) -> tuple[str, int | None, frozenset[str]] | None:
    for arg in get_args(tp):
        if get_origin(arg) is Annotated and (kind := text_kind(get_args(arg)[1:])):
            return kind
    return None


def _argument(tp: Any, origin: Any) -> tuple[Any, ...] | None:
    candidates = [tp, *get_args(tp)] if get_origin(tp) in (Union, types.UnionType) else [tp]
    for candidate in candidates:
        if get_origin(candidate) is origin:
            return get_args(candidate)
    return None


def text_breaches(command: BaseModel) -> list[tuple[str, str]]:
    """Each string `command` holds that breaks the text rules: its field, and what it holds."""
    breaches = []
    for path, (kind, limit, allowed), value in strings_in(command, type(command), [], ""):
        where = f"{type(command).__name__}{path} ({kind})"
        if limit is not None and len(value) > limit:
            breaches.append((where, f"{len(value)} characters"))
        if (bad := refused_character(value, allowed)) is not None:
            breaches.append((where, f"{bad} in {value[:40]!r}"))
    return breaches


# --------------------------------------------------------------------------- (1) building


def test_every_command_of_every_union_is_discovered() -> None:
    assert len(COMMANDS) == len(set(COMMANDS)) == 66


def wire(union: Any) -> TypeAdapter[Any]:
    return TypeAdapter(Annotated[union, Field(discriminator="type")])


def test_hostile_values_build_a_clean_command_or_are_refused_by_pydantic() -> None:
    figures: Counter[str] = Counter()
    breaches: dict[str, str] = {}
    realistic = ["dcc", "tewv", "icb", "r1", "e1", "a1", "shadow-form", "Chief Executive"]
    for union in UNIONS.values():
        for cls in get_args(union):
            # Each command and each of its fields on its own, so none is left to the luck of
            # the draw.
            _build(cls, union, None, realistic, figures, breaches)
            for field in cls.model_fields:
                if field != "type":
                    _build(cls, union, field, realistic, figures, breaches)
    print(f"\nbuilding: {dict(figures)}")
    assert figures["tried"] == figures["refused"] + figures["built"]
    assert figures["refused"] and figures["built"]
    print("\n".join(f"gets through: {where}: {what}" for where, what in sorted(breaches.items())))
    assert breaches == {}, "\n".join(f"{where}: {what}" for where, what in breaches.items())


def _build(
    cls: type[BaseModel],
    union: Any,
    probe: str | None,
    realistic: list[str],
    figures: Counter[str],
    breaches: dict[str, str],
) -> None:
    @settings(SETTINGS, max_examples=15)
    @given(command_data([cls], realistic, TODAY, probe))
    def build(case: tuple[type[BaseModel], dict[str, Any]]) -> None:
        _, data = case
        figures["tried"] += 1
        try:
            command = cls.model_validate(data)
        except ValidationError:
            figures["refused"] += 1
            return
        figures["built"] += 1
        found = text_breaches(command)
        breaches.update(found)
        if not found:
            # What is built crosses the wire and comes back the same.
            assert wire(union).validate_json(command.model_dump_json()) == command

    build()


# --------------------------------------------------------------------------- (2) deciding

GOVERNANCE_DATE: dict[str, str] = {
    "SignMou": "signed_on",
    "NotifyExit": "notified_on",
    "AcknowledgeNotice": "acknowledged_on",
    "WithdrawExit": "withdrawn_on",
    "RecordResponse": "received_on",
    "ProposeVariation": "proposed_on",
    "AgreeVariation": "agreed_on",
    "RefuseVariation": "refused_on",
    "RaiseEscalation": "raised_on",
    "ConsiderEscalation": "considered_on",
    "ReferUp": "referred_on",
    "DecideEscalation": "decided_on",
    "CastVote": "cast_on",
    "AgreeAction": "agreed_on",
    "CloseEscalation": "closed_on",
}
"""The governance date of each command the date policy covers (docs/rules.md R10)."""

D = date


def open_review() -> review.ReviewState:
    state = review.initial_state("p")
    command = review.OpenReview(
        review_id="r1",
        opened_on=D(2023, 6, 1),
        due_on=D(2023, 8, 23),
        response_deadline=D(2023, 6, 29),
        mou_version=1,
        signatories=("a", "b", "c"),
    )
    return review.fold(state, review.decide(state, command))


def notified_exit(config: Partnership) -> exit.ExitState:
    state = exit.initial_state(config, ("dcc", "tewv", "icb"))
    command = exit.NotifyExit(
        exit_id="x1",
        organisation="tewv",
        notified_on=D(2023, 1, 10),
        effective_on=D(2023, 3, 31),
        signatory_name="Brent Kilmurray, Chief Executive",
    )
    return exit.fold(state, exit.decide(state, command))


def raised_escalation(config: Partnership) -> escalation.EscalationState:
    state = escalation.initial_state(config)
    command = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by=config.ladder[0].bodies[0],
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="waiting times",
        raised_on=D(2023, 1, 5),
        respond_by=D(2023, 2, 2),
    )
    return escalation.fold(state, escalation.decide(state, command))


EVENTS: TypeAdapter[list[DomainEvent]] = TypeAdapter(list[DomainEvent])
Decide = Callable[[Any, Any], list[DomainEvent]]
Fold = Callable[[Any, list[DomainEvent]], Any]


def throw_at(
    name: str,
    states: list[Any],
    union: Any,
    decide: Decide,
    fold: Fold,
    realistic: list[str],
    today: date,
    stamp: Callable[[BaseModel], BaseModel] = lambda command: command,
) -> Counter[str]:
    """Sequences of generated commands decided on each of `states` with `today` stamped as the
    process skeleton stamps it; the accepted ones folded in, so later commands meet later
    states. `stamp` sets what the launching workflow sets before deciding."""
    figures: Counter[str] = Counter()
    breaches: list[str] = []
    unpoliced: set[str] = set()
    classes = list(get_args(union))

    @settings(SETTINGS, max_examples=100)
    @given(
        st.sampled_from(states),
        st.lists(command_data(classes, realistic, today), min_size=1, max_size=5),
    )
    def run(state: Any, cases: list[tuple[type[BaseModel], dict[str, Any]]]) -> None:
        for cls, data in cases:
            figures["tried"] += 1
            try:
                command = cls.model_validate(data)
            except ValidationError:
                figures["refused (pydantic)"] += 1
                continue
            if "today" in cls.model_fields:
                command = command.model_copy(update={"today": today})
            command = stamp(command)
            try:
                events = decide(state, command)
            except DomainError:
                figures["refused (domain)"] += 1
                continue
            assert isinstance(events, list)
            # What is accepted can be recorded: it serialises and reads back the same.
            assert EVENTS.validate_json(EVENTS.dump_json(events)) == events
            figures["accepted"] += 1
            breaches.extend(date_breaches(command, events, today))
            for event in events:
                day = event.governance_date()
                if day is not None and not EARLIEST_GOVERNANCE_DATE <= day <= today:
                    # Outside the policy's commands: reported, not refused (yet).
                    figures["accepted, dated outside 2000..today"] += 1
                    unpoliced.add(f"{type(command).__name__} -> {type(event).__name__} on {day}")
            state = fold(state, events)

    run()
    print(f"\n{name}: {dict(figures)}")
    print("\n".join(f"  dated outside 2000..today: {line}" for line in sorted(unpoliced)))
    assert figures["tried"] == (
        figures["refused (pydantic)"] + figures["refused (domain)"] + figures["accepted"]
    )
    assert figures["accepted"] and figures["refused (domain)"]
    assert breaches == [], "\n".join(breaches)
    return figures


def date_breaches(command: BaseModel, events: list[DomainEvent], today: date) -> list[str]:
    """Dates an accepted command under the date policy let into its events."""
    field = GOVERNANCE_DATE.get(type(command).__name__)
    if field is None:
        return []
    ceiling = today if "today" in type(command).model_fields else date.max
    found = []
    for event in events:
        day = event.governance_date()
        if day is not None and not EARLIEST_GOVERNANCE_DATE <= day <= ceiling:
            found.append(f"{type(command).__name__}.{field} let {type(event).__name__} on {day}")
    day = getattr(command, field)
    if not EARLIEST_GOVERNANCE_DATE <= day <= ceiling:
        found.append(f"{type(command).__name__}.{field}={day} accepted (today {today})")
    return found


def test_hostile_commands_to_an_open_review_are_decided_or_refused() -> None:
    throw_at(
        "review",
        [open_review()],
        review.ReviewCommand,
        review.decide,
        review.fold,
        ["a", "b", "c", "r1", "r1-variation", "x"],
        TODAY,
    )


def test_hostile_commands_to_an_exit_are_decided_or_refused() -> None:
    config = load_partnership("county-durham")
    notified = notified_exit(config)
    issued = exit.fold(
        notified,
        exit.decide(
            notified, exit.IssueNotices(issued_on=D(2023, 1, 11), acknowledge_by=D(2023, 2, 8))
        ),
    )
    throw_at(
        "exit",
        [exit.initial_state(config, ("dcc", "tewv", "icb")), notified, issued],
        ExitCommand,
        exit.decide,
        exit.fold,
        ["dcc", "tewv", "icb", "x1", "Brent Kilmurray, Chief Executive"],
        D(2023, 2, 1),
        # The partnership names the exit's stream as it starts it (workflows/launches.py).
        lambda command: (
            command.model_copy(update={"exit_id": "x1"})
            if isinstance(command, exit.NotifyExit)
            else command
        ),
    )


def test_hostile_commands_to_an_escalation_are_decided_or_refused() -> None:
    config = load_partnership("county-durham")
    seats = [m.seat for b in config.bodies for m in b.members]
    bodies = [b.slug for b in config.bodies]
    throw_at(
        "escalation",
        [escalation.initial_state(config), raised_escalation(config)],
        escalation.EscalationCommand,
        escalation.decide,
        escalation.fold,
        ["e1", "a1", "1", *bodies, *seats[:6], *config.signatories],
        D(2023, 1, 20),
    )


def test_hostile_commands_to_a_partnership_are_decided_or_refused() -> None:
    config = load_partnership("county-durham")
    throw_at(
        "partnership",
        [partnership.initial_state(config), sign_all(config, D(2022, 8, 23))],
        partnership.PartnershipCommand,
        partnership.decide,
        partnership.fold,
        [*config.signatories, "r1", "x1", "Chief Executive"],
        TODAY,
    )
