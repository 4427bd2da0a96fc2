"""Letters rendered from Jinja2 templates: the shipped ones in `templates/`, or a partnership's own.

Each kind of letter has a template `<name>.txt.jinja` extending `letter.txt.jinja` (date,
reference, addressee, salutation, the officer's contact line and signature). A partnership's file
may replace any of them (`Letters.templates`, read when the file is loaded), so rendering reads no
file and stays pure: the shipped templates are read once, when this module is imported (by the
worker, before any workflow runs). Templates run in Jinja2's immutable sandbox with undefined
names refused, so a partnership's template can neither call into Python nor print a blank where a
name is misspelt.
"""

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from domain.errors import DomainError
from domain.letters.stationery import Addressee
from domain.notices import long_date
from domain.partnership import Partnership

_FOLDER = Path(__file__).parent / "templates"
_SUFFIX = ".txt.jinja"

SHIPPED: dict[str, str] = {
    f.name.removesuffix(_SUFFIX): f.read_text(encoding="utf-8")
    for f in sorted(_FOLDER.glob(f"*{_SUFFIX}"))
}
"""The shipped templates by name (`letter` is the frame the others extend)."""

LETTER_NAMES = tuple(name for name in SHIPPED if name != "letter")
"""Every kind of letter, by template name."""


def template_error(name: str, source: str) -> str | None:
    """Why a partnership's template `name` cannot be used, or None when it can."""
    if name not in SHIPPED:
        return f"is not a letter template; the templates are: {', '.join(SHIPPED)}"
    try:
        _environment(((name, source),)).get_template(name + _SUFFIX)
    except TemplateError as error:
        return f"is not a valid template: {error}"
    return None


@lru_cache(maxsize=32)
def _environment(overrides: tuple[tuple[str, str], ...]) -> ImmutableSandboxedEnvironment:
    # One environment per set of overrides keeps each template compiled once per worker. Jinja2's
    # own template cache makes a threading.Lock, which Temporal's sandbox refuses inside a
    # workflow: a plain dict holds the compiled templates instead.
    mine = {name + _SUFFIX: source for name, source in overrides}
    shipped = {name + _SUFFIX: source for name, source in SHIPPED.items()}
    environment = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([DictLoader(mine), DictLoader(shipped)]),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        cache_size=0,
        auto_reload=False,
    )
    environment.cache = {}
    return environment


def _tidy(text: str) -> str:
    """Templates write one paragraph a line; optional parts leave blank runs that fold to one."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _addressee(config: Partnership, recipient: str, fallback: str) -> dict[str, str | None]:
    names = {o.slug: o.name for o in config.organisations} | {b.slug: b.name for b in config.bodies}
    found: Addressee | None = config.letters.addressee(recipient)
    return {
        "name": found.name if found else None,
        "role": found.role if found else None,
        "organisation": names.get(recipient, fallback),
    }


def page(config: Partnership, path: str) -> str | None:
    """The address of one of the web service's pages, when the partnership knows the service's."""
    return None if config.web_base_url is None else f"{config.web_base_url}{path}"


def process_page(config: Partnership, process_id: str) -> str | None:
    """The page of one process, where its recipients act on it."""
    return page(config, f"/processes/{process_id}")


def render(
    config: Partnership,
    name: str,
    *,
    recipient: str,
    recipient_name: str,
    on: Any,
    reference: str,
    **context: Any,
) -> str:
    """The letter `name` to `recipient` dated `on`, in the partnership's wording if it has its
    own; `context` holds what the template says beyond what every letter says."""
    environment = _environment(tuple(sorted(config.letters.templates.items())))
    try:
        text = environment.get_template(name + _SUFFIX).render(
            date=long_date(on),
            reference=reference,
            partnership=config.name,
            officer=config.officer,
            addressee=_addressee(config, recipient, recipient_name),
            tasks=page(config, "/tasks"),
            **context,
        )
    except TemplateError as error:
        raise DomainError(f"{config.slug}'s letter {name!r} cannot be written: {error}") from error
    return _tidy(text)
