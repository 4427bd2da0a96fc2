"""Load partnership configuration files from a folder and refuse inconsistent ones.

The folder is an argument (the shipped one, `SHIPPED`, by default): domain code reads no
environment, so the service passes its `CONCORDAT_PARTNERSHIPS_DIR` setting. Files are read only
when a loader is called (never at import), so the package stays usable inside the Temporal
workflow sandbox. A broken or inconsistent file is refused with a `ConfigError` naming the file,
the field and the problem.
"""

import tomllib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.errors import ConfigError, UnknownPartnershipError
from domain.letters.render import template_error
from domain.partnership import Partnership, StageKind
from domain.rules.statutory_days import Region

SHIPPED = Path(__file__).parent / "partnerships"
"""The partnerships shipped inside the package."""

_SUFFIX = ".toml"
_TEMPLATE = ".txt.jinja"


def partnership_slugs(folder: Path = SHIPPED) -> list[str]:
    """Slugs of the partnerships in `folder` (one `<slug>.toml` each), sorted."""
    try:
        files = list(folder.iterdir())
    except OSError as exc:
        raise ConfigError(str(folder), "(folder)", f"cannot be read: {exc.strerror}") from exc
    return sorted(f.name.removesuffix(_SUFFIX) for f in files if f.name.endswith(_SUFFIX))


def load_partnership(slug: str, folder: Path = SHIPPED, *, calendar: bool = True) -> Partnership:
    """The partnership called `slug` in `folder`; an unknown slug is refused naming the folder
    and the partnerships found there. `calendar=False`: without its bank holidays, for a
    reader that counts no working days (an audit trail, an export), which finding them (a
    tenth of a second) would only delay."""
    known = partnership_slugs(folder)
    if slug not in known:
        raise UnknownPartnershipError(
            f"{slug}{_SUFFIX}",
            "slug",
            f"no partnership called {slug!r}; the known partnerships are: "
            f"{', '.join(known) or 'none'} (the {_SUFFIX} files in {folder})",
        )
    return load_partnership_file(folder / f"{slug}{_SUFFIX}", calendar=calendar)


def load_partnership_file(path: str | Path, *, calendar: bool = True) -> Partnership:
    """A partnership read from any TOML file (used for checking new or edited files), with the
    letter templates of its own in `<slug>/letters/` beside it (`calendar`: as
    `load_partnership`'s)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(file.name, "(file)", f"cannot be read: {exc.strerror}") from exc
    own = file.parent / file.name.removesuffix(_SUFFIX)
    partnership = parse_partnership(
        text, file.name, _own_templates(own / "letters", file.name), calendar=calendar
    )
    logo = partnership.letters.letterhead and partnership.letters.letterhead.logo
    if logo and logo_file(logo, file.parent) is None:
        raise ConfigError(
            file.name, "letters.letterhead.logo", f"{logo} is not a file beside it, nor shipped"
        )
    return partnership


def logo_file(logo: str, folder: Path) -> Path | None:
    """A letterhead's logo: beside the partnership's file in `folder`, else among the shipped
    partnerships' (so a copy of a shipped file keeps its logo); None when neither has it."""
    return next((base / logo for base in (folder, SHIPPED) if (base / logo).is_file()), None)


def _own_templates(folder: Path, file: str) -> dict[str, str]:
    """A partnership's own letter templates, `<name>.txt.jinja` each, by name."""
    if not folder.is_dir():
        return {}
    try:
        return {
            f.name.removesuffix(_TEMPLATE): f.read_text(encoding="utf-8")
            for f in sorted(folder.glob(f"*{_TEMPLATE}"))
        }
    except OSError as exc:
        raise ConfigError(file, "letters.templates", f"cannot be read: {exc}") from exc


def parse_partnership(
    text: str, file: str, templates: dict[str, str] | None = None, *, calendar: bool = True
) -> Partnership:
    """Parse and validate the TOML `text` of the configuration file called `file`, with the
    partnership's own letter `templates` (which replace those its file may hold); `calendar`:
    as `load_partnership`'s."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "(file)", f"is not valid TOML: {exc}") from exc
    if "web_base_url" in data:
        raise ConfigError(
            file, "web_base_url", "comes from the service's settings, not the partnership's file"
        )
    if "officer" not in data:
        raise ConfigError(
            file,
            "officer",
            "is missing: name the officer who signs the partnership's letters "
            "(name, title, organisation, email, telephone)",
        )
    if templates:
        data.setdefault("letters", {})
        if isinstance(data["letters"], dict):
            data["letters"]["templates"] = data["letters"].get("templates", {}) | templates
    # A file that names no region keeps England and Wales's bank holidays (docs/rules.md P5.7).
    data.setdefault("bank_holidays", Region.ENGLAND_AND_WALES.value)
    try:
        partnership = Partnership.model_validate(data, context={"calendar": calendar})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(file, _field_path(data, first["loc"]), first["msg"]) from exc
    expected_slug = file.removesuffix(_SUFFIX)
    if file.endswith(_SUFFIX) and partnership.slug != expected_slug:
        raise ConfigError(
            file, "slug", f"is {partnership.slug!r} but the file is named for {expected_slug!r}"
        )
    _check_consistency(partnership, file)
    return partnership


def _field_path(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """A readable field path: list items are named by their slug, seat or milestone id."""
    parts: list[str] = []
    node: Any = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            name = (
                item.get("slug") or item.get("seat") or item.get("milestone_id")
                if isinstance(item, dict)
                else None
            )
            parts[-1] += f"[{name}]" if name else f"[{key}]"
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)


def _check_consistency(p: Partnership, file: str) -> None:
    """Cross-references a schema cannot check: every slug used is defined exactly once."""
    org_slugs = {o.slug for o in p.organisations}
    body_slugs = {b.slug for b in p.bodies}
    if dup := _duplicates(o.slug for o in p.organisations):
        raise ConfigError(file, "organisations", f"duplicate slug {', '.join(dup)}")
    if dup := _duplicates(b.slug for b in p.bodies):
        raise ConfigError(file, "bodies", f"duplicate slug {', '.join(dup)}")
    if dup := _duplicates(p.signatories):
        raise ConfigError(file, "signatories", f"{', '.join(dup)} listed more than once")
    if not p.signatories:
        raise ConfigError(file, "signatories", "a partnership needs at least one signatory")
    for slug in p.signatories:
        if slug not in org_slugs:
            raise ConfigError(file, "signatories", f"unknown organisation {slug!r}")
    for body in p.bodies:
        where = f"bodies[{body.slug}]"
        if dup := _duplicates(m.seat for m in body.members):
            raise ConfigError(file, f"{where}.members", f"duplicate seat {', '.join(dup)}")
        for member in body.members:
            if member.organisation is not None and member.organisation not in org_slugs:
                raise ConfigError(
                    file,
                    f"{where}.members[{member.seat}].organisation",
                    f"unknown organisation {member.organisation!r}",
                )
        if body.chair is not None and body.member(body.chair) is None:
            raise ConfigError(file, f"{where}.chair", f"{body.chair!r} is not a seat of this body")
        voting = len(body.voting_members)
        if body.quorum is not None and body.quorum.minimum_present > voting:
            raise ConfigError(
                file,
                f"{where}.quorum.minimum_present",
                f"quorum of {body.quorum.minimum_present} is larger than the "
                f"{voting} voting members",
            )
        for target in body.answers_to:
            if target not in body_slugs or target == body.slug:
                raise ConfigError(file, f"{where}.answers_to", f"unknown body {target!r}")
        if body.register_of_interests is not None and not body.members:
            raise ConfigError(
                file,
                f"{where}.register_of_interests",
                "a body with no members has no interests to register",
            )
    levels = [s.level for s in p.ladder]
    if levels != list(range(1, len(levels) + 1)):
        raise ConfigError(file, "ladder", f"levels must run 1, 2, 3... in order, found {levels}")
    for stage in p.ladder:
        where = f"ladder[{stage.level}]"
        for slug in stage.bodies:
            if slug not in body_slugs:
                raise ConfigError(file, f"{where}.bodies", f"unknown body {slug!r}")
        if stage.kind is StageKind.DECISION and stage.decision_rule is None:
            raise ConfigError(file, f"{where}.decision_rule", "a decision stage needs a rule")
        if stage.kind in (StageKind.CONSIDERATION, StageKind.DECISION) and not stage.bodies:
            raise ConfigError(file, f"{where}.bodies", f"a {stage.kind} stage needs a body")
    _check_committees(p, file)
    _check_access(p, file)
    _check_letters(p, file)


def _check_letters(p: Partnership, file: str) -> None:
    """Letters go to the partnership's organisations, bodies and seats, in templates that work,
    and a PDF copy needs a letterhead to be printed on."""
    known = (
        {o.slug for o in p.organisations}
        | {b.slug for b in p.bodies}
        | {m.seat for b in p.bodies for m in b.members}
    )
    if dup := _duplicates(a.to for a in p.letters.addressees):
        raise ConfigError(file, "letters.addressees", f"{', '.join(dup)} addressed more than once")
    for addressee in p.letters.addressees:
        if addressee.to not in known:
            raise ConfigError(
                file,
                f"letters.addressees[{addressee.to}].to",
                f"{addressee.to!r} is not an organisation, body or seat of {p.slug}",
            )
    for name, source in sorted(p.letters.templates.items()):
        if (problem := template_error(name, source)) is not None:
            raise ConfigError(file, f"letters.templates[{name}]", problem)
    if p.letters.pdf and p.letters.letterhead is None:
        raise ConfigError(file, "letters.pdf", "a PDF copy needs a [letters.letterhead]")


def _check_committees(p: Partnership, file: str) -> None:
    """A committee plan names only the partnership's organisations and bodies, and each milestone
    depends only on milestones planned before it (so the plan has no cycles)."""
    names = {o.slug for o in p.organisations} | {b.slug for b in p.bodies}
    if dup := _duplicates(c.slug for c in p.committees):
        raise ConfigError(file, "committees", f"duplicate slug {', '.join(dup)}")
    for plan in p.committees:
        where = f"committees[{plan.slug}]"
        if plan.slug in names:
            raise ConfigError(
                file, f"{where}.slug", f"{plan.slug!r} is already a body or organisation"
            )
        for target in plan.reports_to:
            if target not in names:
                raise ConfigError(
                    file, f"{where}.reports_to", f"unknown body or organisation {target!r}"
                )
        planned: set[str] = set()
        for milestone in plan.milestones:
            at = f"{where}.milestones[{milestone.milestone_id}]"
            if milestone.milestone_id in planned:
                raise ConfigError(file, f"{at}.milestone_id", "is planned more than once")
            if milestone.owner not in names:
                raise ConfigError(
                    file, f"{at}.owner", f"unknown body or organisation {milestone.owner!r}"
                )
            for slug in milestone.needs_agreement_of:
                if slug not in names:
                    raise ConfigError(
                        file, f"{at}.needs_agreement_of", f"unknown body or organisation {slug!r}"
                    )
            for dependency in milestone.depends_on:
                if dependency not in planned:
                    raise ConfigError(
                        file,
                        f"{at}.depends_on",
                        f"{dependency!r} is not a milestone planned before this one",
                    )
            planned.add(milestone.milestone_id)


def _check_access(p: Partnership, file: str) -> None:
    """The access section names only the partnership's organisations, bodies and seats."""
    org_slugs = {o.slug for o in p.organisations}
    for r in p.access.representatives:
        if r.organisation not in org_slugs:
            raise ConfigError(
                file,
                "access.representatives.organisation",
                f"unknown organisation {r.organisation!r}",
            )
    for s in p.access.members:
        body = next((b for b in p.bodies if b.slug == s.body), None)
        if body is None:
            raise ConfigError(file, "access.members.body", f"unknown body {s.body!r}")
        if body.member(s.seat) is None:
            raise ConfigError(file, "access.members.seat", f"{s.seat!r} is not a seat of {s.body}")
