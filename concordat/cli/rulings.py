"""The Chair's rulings on a declared interest, spelled alike by every command that takes one.

The domain's own values (`ConflictRuling`) are accepted everywhere, with short aliases people
type, so `what-if` can be asked exactly what `escalation decide` will record (CDCPE ToR §6).
"""

from domain.events import ConflictRuling

_ALIASES = {
    "discuss": ConflictRuling.DISCUSS_NOT_DECIDE,
    "take-part": ConflictRuling.TAKE_PART,
}
_ACCEPTED = {**{r.value: r for r in ConflictRuling}, **_ALIASES}

CHOICES = f"{', '.join(r.value for r in ConflictRuling)} (or, for short, {', '.join(_ALIASES)})"
METAVAR = "|".join(r.value for r in ConflictRuling)


def parse_ruling(text: str) -> ConflictRuling | None:
    """The ruling `text` names, or None when it names none."""
    return _ACCEPTED.get(text)
