"""Who reads what through the web service, for the API's routes and the pages alike
(docs/rules.md A11): a stranger to a partnership is answered 404 in the same words as for one
that does not exist, so the answer does not tell them which slugs or processes there are."""

import functools
from pathlib import Path

from fastapi import HTTPException, status

from concordat.settings import Settings
from domain.authority import NotAuthorisedError
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.provenance import Person
from domain.readers import reads, require_planner, require_reader, unreadable
from domain.streams import parse_stream


@functools.lru_cache(maxsize=64)
def _loaded(slug: str, folder: Path, modified: int | None) -> Partnership:
    return load_partnership(slug, folder)


def _modified(folder: Path, slug: str) -> int | None:
    try:
        return (folder / f"{slug}.toml").stat().st_mtime_ns
    except OSError:
        return None  # load_partnership says what is missing


def partnership_config(settings: Settings, slug: str) -> Partnership:
    """`slug`'s configuration, read again only when its file changes (parsing and checking it
    was a tenth of an audit page's time): 404 if there is none, 500 if its file is broken."""
    try:
        return _cached(settings, slug)
    except UnknownPartnershipError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.problem) from error
    except ConfigError as error:
        raise _broken(error) from error


def readable(settings: Settings, person: Person, slug: str) -> Partnership:
    """`slug`'s configuration if `person` may read it, else 404 in the same words whether it
    is unknown or not theirs (the unknown slug's own error would list the known ones)."""
    return _read(settings, person, slug, f"partnership {slug!r}")


def readable_process(settings: Settings, person: Person, process_id: str) -> Partnership:
    """The configuration of the partnership `process_id` belongs to (its id names it) if
    `person` may read it, else 404 in the same words whether the process exists or not."""
    return _read(settings, person, parse_stream(process_id).partnership, f"process {process_id!r}")


def read_by(settings: Settings, person: Person) -> list[str]:
    """The slugs of the partnerships `person` may read, in the folder's order."""
    return [
        slug
        for slug in partnership_slugs(settings.partnerships_dir)
        if reads(partnership_config(settings, slug).access, person)
    ]


def planner(settings: Settings, person: Person, slug: str) -> Partnership:
    """`slug`'s configuration for its secretariat or a representative asking what-if
    questions; 404 for a stranger, 403 for another reader."""
    config = readable(settings, person, slug)
    try:
        require_planner(config.access, person, config.slug)
    except NotAuthorisedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    return config


def _read(settings: Settings, person: Person, slug: str, what: str) -> Partnership:
    try:
        config = _cached(settings, slug)
        require_reader(config.access, person, slug)
    except (UnknownPartnershipError, NotAuthorisedError):
        raise HTTPException(status.HTTP_404_NOT_FOUND, unreadable(person, what)) from None
    except ConfigError as error:
        raise _broken(error) from error
    return config


def _cached(settings: Settings, slug: str) -> Partnership:
    folder = settings.partnerships_dir
    return _loaded(slug, folder, _modified(folder, slug))


def _broken(error: ConfigError) -> HTTPException:
    return HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error))
