"""Run `concordat` as a separate process, as an auditor would, connected as the read-only role."""

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

AUDITOR = "concordat_auditor"


def auditor_url(database_url: str) -> str:
    """The test database's URL for the read-only auditor role (created by migration 0001)."""
    return database_url.replace("postgres@", f"{AUDITOR}@", 1)


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


async def concordat(*args: str, env: Mapping[str, str] | None = None) -> Ran:
    """`python -m concordat.cli ARGS` with no CONCORDAT_ settings but those given."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONCORDAT_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "concordat.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**environment, **(env or {})},
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())
