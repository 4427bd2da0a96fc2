"""`concordat-dev`: the embedded stack, or a one-line refusal where the `dev` extra is missing."""

import sys

from concordat.dev_extra import missing_dev_packages


def main() -> None:
    missing = missing_dev_packages()
    if missing:
        sys.exit(
            f"concordat-dev: the embedded stack needs the `dev` extra, and this install lacks "
            f"{', '.join(missing)}: install 'concordat[dev]' (make run does)"
        )
    # Imported only now: its modules import the extra's packages at load.
    from deploy.embedded import main as run_embedded

    run_embedded()
