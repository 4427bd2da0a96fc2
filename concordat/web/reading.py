"""Who reads what through the web service, for the API's routes and the pages alike
(docs/rules.md A12): a stranger to a partnership is answered 404 in the same words as for one
that does not exist, so the answer does not tell them which slugs or processes there are."""

from fastapi import HTTPException, status

from concordat.settings import Settings
from concordat.web.configs import broken, cached_config, partnership_config
from domain.authority import NotAuthorisedError
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import partnership_slugs
from domain.provenance import Person
from domain.readers import reads, require_planner, require_reader, unreadable
from domain.streams import parse_stream


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
        config = cached_config(settings, slug)
        require_reader(config.access, person, slug)
    except (UnknownPartnershipError, NotAuthorisedError):
        raise HTTPException(status.HTTP_404_NOT_FOUND, unreadable(person, what)) from None
    except ConfigError as error:
        raise broken(error) from error
    return config
