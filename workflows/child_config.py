"""What of the partnership's configuration a process's input carries: what its workflow,
aggregate, letters and update validators read, and nothing else.

Each child's input is recorded in its own history and in its partnership's, and again at every
continue-as-new; the whole configuration in every input was half of a partnership's history.
"""

from dataclasses import dataclass
from typing import Any

from domain.bodies import Body
from domain.partnership import Partnership
from workflows.contracts.committee import CommitteeInput
from workflows.contracts.escalation import EscalationInput
from workflows.contracts.exit import ExitInput
from workflows.contracts.review import ReviewInput
from workflows.launches import ChildInput

EVERY_PROCESS_READS = frozenset(
    {
        "slug",
        "name",
        "source",  # required, a few bytes
        "mou",  # required; reviews and exits name it in their letters
        "organisations",  # parties to commands, names in letters
        "access",  # who may do what: the update validators (domain.authority.check)
        "officer",  # letters: who signs them,
        "letters",  # to whom they are addressed, in the partnership's own wording,
        "web_base_url",  # and the page they point to
    }
)


@dataclass(frozen=True)
class Reads:
    """What one kind of process reads beyond `EVERY_PROCESS_READS`."""

    fields: frozenset[str]
    letters: str
    """The prefix of the letter templates it renders."""
    bodies_by_name: bool = False
    """It reads only the bodies' names and kinds, not their members and rules."""


READS: dict[type[ChildInput], Reads] = {
    ReviewInput: Reads(frozenset({"review_policy"}), "review-"),
    ExitInput: Reads(frozenset({"exit_policy", "signatories", "bodies"}), "exit-"),
    EscalationInput: Reads(frozenset({"bodies", "ladder"}), "escalation-"),
    # A formation names bodies in its letters and writes to the executive; its plan is its own
    # field, so it never reads the partnership's committee plans.
    CommitteeInput: Reads(frozenset({"bodies"}), "committee-", bodies_by_name=True),
}
"""No process computes working days (only meetings do), so none reads the bank holidays."""

FRAME = "letter"
"""The template every letter extends."""


def _unread(name: str) -> Any:
    field = Partnership.model_fields[name]
    return () if field.is_required() else field.get_default(call_default_factory=True)


def _named(body: Body) -> Body:
    return Body(slug=body.slug, name=body.name, kind=body.kind, clause=body.clause)


def what_it_reads(config: Partnership, reads: Reads) -> Partnership:
    """`config` with only what a process that `reads` so reads; the rest left empty."""
    kept = EVERY_PROCESS_READS | reads.fields
    update = {name: _unread(name) for name in Partnership.model_fields if name not in kept}
    templates = {
        name: source
        for name, source in config.letters.templates.items()
        if name == FRAME or name.startswith(reads.letters)
    }
    update["letters"] = config.letters.model_copy(update={"templates": templates})
    if reads.bodies_by_name:
        update["bodies"] = tuple(_named(b) for b in config.bodies)
    return config.model_copy(update=update)


def only_what_it_reads(input: ChildInput) -> ChildInput:
    """`input` carrying only the configuration its process reads; an escalation's bodies as they
    stand are its configuration's (`launches.current_config`), not carried twice."""
    update: dict[str, Any] = {"config": what_it_reads(input.config, READS[type(input)])}
    if isinstance(input, EscalationInput):
        update["bodies"] = None
    return input.model_copy(update=update)


_UNREAD_BEFORE: dict[type[ChildInput], tuple[str, ...]] = {
    ReviewInput: ("bodies", "committees", "ladder"),
    ExitInput: ("committees", "ladder"),
}


def what_it_needed(input: ChildInput) -> Partnership:
    """`input`'s configuration as children got it from patch `children-get-what-they-need` to
    `children-get-only-what-they-read`: a review without the bodies, committee plans and ladder,
    an exit without the plans and ladder, the others whole."""
    return input.config.model_copy(update=dict.fromkeys(_UNREAD_BEFORE.get(type(input), ()), ()))
