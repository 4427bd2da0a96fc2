"""What a person may type into a command (docs/rules.md R5, R8): the one home of the text rules.

Every free-text field of a command is one of these types, so a value is bounded and clean
before a workflow decides on it, the log records it or a report prints it: an over-long value
could push a workflow past Temporal's payload limits, a NUL cannot be stored in PostgreSQL's
jsonb, and a control character or a bidirectional override in a recorded value could forge a
line of a printed trail. Events keep plain `str`: they must go on reading what is recorded.
"""

import functools
import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, ValidationError

NAME_MAX = 200
"""A name, a role, an identifier, a reference: one line."""
LINE_MAX = 500
"""A title or a short statement: one line."""
TEXT_MAX = 4_000
"""A comment, reason, summary, note or evidence: several lines."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that reorder what follows them on screen (Unicode TR9): an override can make a
printed line read other than the characters it holds."""

MULTILINE_WHITESPACE = frozenset("\n\t")
JSON_LAYOUT = frozenset("\n\t")
"""What printed output's own layout uses (its line breaks, JSON's indentation), left as it is
when the output is escaped (`printable`)."""


_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")
"""Every character of Unicode's categories Cc (controls) and Cs (surrogates), and the
bidirectional controls: found by one search rather than a category lookup per character, which
was most of the time of printing a long audit trail."""


@functools.lru_cache(maxsize=16)
def _refused_but(allowed: frozenset[str]) -> re.Pattern[str]:
    """`_REFUSED` without the characters `allowed`: a layout's line breaks are not each found
    and passed over (a trail printed as JSON has one every few dozen characters; passing over
    them was a sixth of its time)."""
    controls = (chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
    kept = "".join(c for c in (*controls, *sorted(BIDI_CONTROLS)) if c not in allowed)
    return re.compile(f"[{re.escape(kept)}\ud800-\udfff]")


def refused_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first character of `value` a person's text may not hold, described; None if none."""
    if _printable_but(value, allowed):
        return None
    for found in (_refused_but(allowed) if allowed else _REFUSED).finditer(value):
        char = found.group()
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            kind = "a control character"
        elif char in BIDI_CONTROLS:
            kind = "a bidirectional control"
        else:
            kind = "a lone surrogate"
        return f"{kind} (U+{ord(char):04X}) at position {found.start() + 1}"
    return None


def _printable_but(value: str, allowed: frozenset[str]) -> bool:
    """Whether `value` is printable (`str.isprintable`) but for the characters `allowed`: then
    it holds no refused character, each being one `isprintable` refuses (Cc, Cs, and the
    bidirectional controls are Cf; tests/domain/test_text_bounds.py tries every code point).
    It is a third of the search's time, which is only needed for text it refuses: the search
    on every line was a tenth of printing a long audit trail."""
    for char in allowed:
        if char in value:
            value = value.replace(char, "")
    return value.isprintable()


def _bounded(limit: int, allowed: frozenset[str], kind: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; {kind} holds at most {limit:,}")
        refused = refused_character(value, allowed)
        if refused is not None:
            raise ValueError(f"holds {refused}, which {kind} may not hold")
        return value

    return AfterValidator(check)


Name = Annotated[str, _bounded(NAME_MAX, frozenset(), "a name (one line)")]
Line = Annotated[str, _bounded(LINE_MAX, frozenset(), "a line")]
Text = Annotated[str, _bounded(TEXT_MAX, MULTILINE_WHITESPACE, "a text (lines and tabs allowed)")]


def refusal(error: ValidationError) -> str:
    """The first problem pydantic found, as one line naming the field: `signatory_name: is
    120,000 characters long; a name (one line) holds at most 200`."""
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    cause = (first.get("ctx") or {}).get("error")
    message = str(cause) if first["type"] == "value_error" and cause is not None else first["msg"]
    return f"{where}: {message}" if where else message


def printable(value: str, keep: frozenset[str] = frozenset()) -> str:
    """`value` with each control character, bidirectional control and lone surrogate not in
    `keep` shown as an escape (`\\n`, `\\u202e`), so a recorded value printed on a line cannot
    break the line, start a forged one or reorder what follows it."""
    if refused_character(value, keep) is None:
        return value
    return "".join(
        char if char in keep or refused_character(char) is None else _escape(char) for char in value
    )


def _escape(char: str) -> str:
    escaped = char.encode("unicode_escape", errors="backslashreplace").decode("ascii")
    return escaped if escaped.startswith("\\") else f"\\u{ord(char):04x}"
