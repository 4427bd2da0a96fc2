"""The deployment checkers the test extra installs from PyPI, found beside this interpreter."""

import shutil
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(f"{name} is missing: install the project's test extra")
    return found
