"""How every refusal must look to a user: a non-zero exit and one line naming the reason."""

import subprocess


def assert_refused(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("concordat: "), lines[0]
    assert reason in lines[0], lines[0]
    assert result.stdout == ""


def assert_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout
