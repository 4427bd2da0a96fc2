"""Partnerships' configurations as the web service reads them: parsed and checked once, read
again only when a file changes."""

import functools
from pathlib import Path

from fastapi import HTTPException, status

from concordat.settings import Settings
from domain.errors import ConfigError, UnknownPartnershipError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership


@functools.lru_cache(maxsize=64)
def _loaded(slug: str, folder: Path, modified: int | None) -> Partnership:
    return load_partnership(slug, folder)


def _modified(folder: Path, slug: str) -> int | None:
    """The latest change to the partnership's file or its folder of letters and letterhead."""
    try:
        files: list[Path] = [folder / f"{slug}.toml", *(folder / slug).rglob("*")]
        return max(f.stat().st_mtime_ns for f in files)
    except OSError:
        return None  # load_partnership says what is missing


def cached_config(settings: Settings, slug: str) -> Partnership:
    """`slug`'s configuration, parsed and checked again only when a file of it changes;
    UnknownPartnershipError or ConfigError as `load_partnership` raises them."""
    folder = settings.partnerships_dir
    return _loaded(slug, folder, _modified(folder, slug))


def partnership_config(settings: Settings, slug: str) -> Partnership:
    """`cached_config` for a route (parsing and checking it was a tenth of an audit page's
    time): 404 if there is none, 500 if its file is broken."""
    try:
        return cached_config(settings, slug)
    except UnknownPartnershipError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.problem) from error
    except ConfigError as error:
        raise broken(error) from error


def broken(error: ConfigError) -> HTTPException:
    return HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error))
