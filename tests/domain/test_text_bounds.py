"""Every free-text field of every command is bounded and clean (docs/rules.md R5).

Issue 9: a 120,000-character name wedged a partnership, a NUL in a comment was retried for
ever, and a newline with a right-to-left override forged a line of the trail. Each field is
found by its type, so a new command with a plain `str` field fails
`test_every_text_field_of_every_command_is_bounded`.
"""

import typing
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from domain.aggregates.committee_commands import CommitteeCommand
from domain.aggregates.escalation import EscalationCommand
from domain.aggregates.exit_commands import ExitCommand
from domain.aggregates.partnership import PartnershipCommand
from domain.aggregates.partnership.commands import RequestReview, StartCommittee
from domain.aggregates.review import RecordResponse, ReviewCommand
from domain.declarations import DeclarationsCommand
from domain.meetings import MeetingCommand
from domain.organisations import Organisation
from domain.rules.committee_membership import ProposedSeat
from domain.rules.quorum import Attendance
from domain.text import (
    BIDI_CONTROLS,
    LINE_MAX,
    NAME_MAX,
    TEXT_MAX,
    Line,
    Name,
    Text,
    printable,
    refusal,
    refused_character,
)

BOUNDS = {
    id(typing.get_args(t)[1]): (t, limit)
    for t, limit in ((Name, NAME_MAX), (Line, LINE_MAX), (Text, TEXT_MAX))
}

UNIONS = (
    PartnershipCommand,
    ExitCommand,
    CommitteeCommand,
    EscalationCommand,
    ReviewCommand,
    MeetingCommand,
    DeclarationsCommand,
)
COMMANDS: tuple[type[BaseModel], ...] = (
    *{cls: None for union in UNIONS for cls in typing.get_args(union)},
    RequestReview,
    StartCommittee,
    Organisation,
    ProposedSeat,
    Attendance,
)
"""Every command, and the models commands carry that a person fills in."""


def _texts(annotation: Any) -> Iterator[tuple[Any, int, str]]:
    """(text type, limit, shape) for each bounded string in `annotation`; a plain `str` is
    yielded with limit 0, so it shows up as unbounded."""
    if annotation is str:
        yield str, 0, "plain"
        return
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        bound = next((BOUNDS[id(m)] for m in args[1:] if id(m) in BOUNDS), None)
        if bound is not None:
            yield bound[0], bound[1], "plain"
            return
    origin = typing.get_origin(annotation)
    for position, arg in enumerate(args):
        for text, limit, _ in _texts(arg):
            if origin is tuple:
                yield text, limit, "tuple"
            elif origin in (Mapping, dict, typing.get_origin(Mapping[str, str])):
                yield text, limit, "key" if position == 0 else "value"
            else:
                yield text, limit, "plain"


def text_fields() -> list[tuple[type[BaseModel], str, Any, int, str]]:
    return [
        (cls, name, text, limit, shape)
        for cls in COMMANDS
        for name, info in cls.model_fields.items()
        for text, limit, shape in _texts(_annotated(info))
    ]


def _annotated(info: Any) -> Any:
    """The field's annotation with pydantic's metadata put back (`Name` is stored as `str`
    with the validator in `metadata`)."""
    for metadata in info.metadata:
        if id(metadata) in BOUNDS:
            return typing.Annotated[info.annotation, metadata]
    return info.annotation


FIELDS = text_fields()


def _shaped(value: str, shape: str) -> Any:
    return {"tuple": (value,), "key": {value: "x"}, "value": {"x": value}}.get(shape, value)


def _error_on(cls: type[BaseModel], field: str, value: Any) -> str | None:
    """The error pydantic gives `field` of `cls` holding `value` (other fields left out); a
    slug's own pattern may refuse a character first, which is a refusal as good."""
    with pytest.raises(ValidationError) as caught:
        cls.model_validate({field: value})
    for error in caught.value.errors(include_url=False):
        if error["loc"] and error["loc"][0] == field:
            if error["type"] == "string_pattern_mismatch":
                return "pattern"
            if error["type"] == "value_error":
                return str(error["ctx"]["error"])
    return None


def test_every_text_field_of_every_command_is_bounded() -> None:
    unbounded = [f"{cls.__name__}.{name}" for cls, name, _, limit, _ in FIELDS if limit == 0]
    assert unbounded == []
    assert len(FIELDS) >= 70


@pytest.mark.parametrize(
    ("cls", "field", "limit", "shape"),
    [(cls, name, limit, shape) for cls, name, _, limit, shape in FIELDS],
    ids=[f"{cls.__name__}.{name}" for cls, name, *_ in FIELDS],
)
def test_refuses_an_over_long_value_a_nul_and_a_right_to_left_override(
    cls: type[BaseModel], field: str, limit: int, shape: str
) -> None:
    too_long = _error_on(cls, field, _shaped("a" * (limit + 1), shape))
    assert too_long is not None and f"at most {limit:,}" in too_long
    nul = _error_on(cls, field, _shaped("a\x00b", shape))
    assert nul is not None
    assert nul == "pattern" or nul.startswith("holds a control character (U+0000) at position 2")
    override = _error_on(cls, field, _shaped("a\u202eb", shape))
    assert override is not None
    assert override == "pattern" or override.startswith("holds a bidirectional control (U+202E)")


def test_a_one_line_field_refuses_a_newline_and_a_text_keeps_newlines_and_tabs() -> None:
    comment = "Content as it stands.\n\tSee the board's minute 12."
    response = RecordResponse(
        organisation="icb", received_on=date(2024, 1, 5), confirms_unchanged=True, comment=comment
    )
    assert response.comment == comment
    with pytest.raises(ValidationError) as caught:
        RecordResponse(organisation="icb\n", received_on=date(2024, 1, 5), confirms_unchanged=True)
    assert refusal(caught.value) == (
        "organisation: holds a control character (U+000A) at position 4, which a name "
        "(one line) may not hold"
    )


def test_the_limit_and_the_length_are_named_in_the_refusal() -> None:
    with pytest.raises(ValidationError) as caught:
        RecordResponse(
            organisation="icb",
            received_on=date(2024, 1, 5),
            confirms_unchanged=True,
            comment="x" * 120_000,
        )
    assert refusal(caught.value) == (
        "comment: is 120,000 characters long; a text (lines and tabs allowed) holds at most 4,000"
    )


def test_printable_escapes_what_could_break_or_reorder_a_line() -> None:
    assert printable("Ann\n2022 [2] forged\u202e\x00") == "Ann\\n2022 [2] forged\\u202e\\x00"
    assert printable("a\nb", keep=frozenset("\n")) == "a\nb"
    assert printable("Tees, Esk & Wear — ✓") == "Tees, Esk & Wear — ✓"


def test_every_refused_character_is_found_and_no_other() -> None:
    """The one search that finds refused characters agrees with Unicode's categories (Cc, Cs)
    and the bidirectional controls on every code point."""
    for code_point in range(0x110000):
        char = chr(code_point)
        refused = unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS
        assert (refused_character(f"ok{char}") is not None) == refused, f"U+{code_point:04X}"


def test_characters_allowed_are_the_only_ones_passed_over() -> None:
    """With characters allowed (a text's line breaks and tabs, a printed layout's), every
    other refused character is still found, on every code point."""
    allowed = frozenset("\n\t\x7f")
    for code_point in range(0x110000):
        char = chr(code_point)
        refused = unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS
        found = refused_character(f"a\nb\t{char}", allowed)
        assert (found is not None) == (refused and char not in allowed), f"U+{code_point:04X}"
