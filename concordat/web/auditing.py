"""Who may read the record through the web service, and the reads the audit API and the audit
pages share: only a partnership's auditors read its record, and only someone who audits a
partnership reads the whole log (docs/rules.md A10)."""

from typing import Annotated

from fastapi import Depends, HTTPException, status

from audit.export import ExportFormat
from concordat.checkpoint_key import SigningKeyError, verifier_from_settings
from concordat.settings import Settings
from concordat.web.backends import Backends, backends
from concordat.web.configs import partnership_config
from concordat.web.reading import readable
from concordat.web.signin import signed_in
from domain.authority import NotAuthorisedError, require_auditor, require_log_auditor
from domain.partnership import Partnership
from domain.partnerships_config import partnership_slugs
from domain.provenance import Person
from eventstore.checkpoint import VerifierKey

EXPORT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/jsonl",
}


def audited(settings: Settings, person: Person, slug: str) -> Partnership:
    """`slug`'s configuration for one of its auditors; 404 for an unknown one or a stranger to
    it (A12), 403 for another reader."""
    config = readable(settings, person, slug)
    try:
        require_auditor(config.access, person, config.slug)
    except NotAuthorisedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    return config


def audits_the_log(settings: Settings, person: Person) -> None:
    """403 unless `person` audits at least one of the configured partnerships."""
    accesses = (
        partnership_config(settings, slug).access
        for slug in partnership_slugs(settings.partnerships_dir)
    )
    try:
        require_log_auditor(accesses, person)
    except NotAuthorisedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error


async def log_auditor(
    person: Annotated[Person, Depends(signed_in)], reach: Annotated[Backends, Depends(backends)]
) -> Person:
    audits_the_log(reach.settings, person)
    return person


LogAuditor = Annotated[Person, Depends(log_auditor)]
"""A route's parameter for someone who may read the whole log."""


def checkpoint_verifier(settings: Settings) -> tuple[VerifierKey | None, str]:
    """The key checkpoints are checked with, or None and why there is none."""
    try:
        return verifier_from_settings(settings), ""
    except SigningKeyError as error:
        return None, f"no public key to check the checkpoints with: {error}"


def export_filename(partnership: str | None, up_to: int | None, format: ExportFormat) -> str:
    scope = partnership or "log"
    upto = f"-to-{up_to}" if up_to is not None else ""
    return f"concordat-{scope}{upto}.{format.value}"
