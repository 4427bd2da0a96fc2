"""The image's Dockerfile: hadolint finds nothing, the runtime stage runs as a non-root user,
installs without the `dev` extra, and copies every package the project ships."""

import re
import subprocess
import tomllib

from tests.deploy.tools import REPOSITORY, tool

DOCKERFILE = REPOSITORY / "Dockerfile"


def test_hadolint_finds_nothing() -> None:
    ran = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _stages() -> list[str]:
    return re.split(r"(?m)^FROM ", DOCKERFILE.read_text())[1:]


def test_the_runtime_stage_runs_as_a_user_of_its_own() -> None:
    runtime = _stages()[-1]
    users = re.findall(r"(?m)^USER (\S+)", runtime)
    assert users, "the runtime stage names no USER"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_install_leaves_the_dev_extra_out() -> None:
    installs = re.findall(r"pip install [^\n]*", DOCKERFILE.read_text())
    assert installs == ["pip install --no-cache-dir ."]


def test_every_shipped_package_is_copied_into_the_build() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    shipped = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    shipped |= {f"{m}.py" for m in project["tool"]["setuptools"]["py-modules"]}
    build = _stages()[0]
    copied = {
        name
        for line in re.findall(r"(?m)^COPY (?!--from)([^\n]+)", build)
        for name in line.split()[:-1]
    }
    assert shipped <= copied, f"not copied into the image: {sorted(shipped - copied)}"
    ignored = (REPOSITORY / ".dockerignore").read_text().splitlines()
    assert {f"!{name}/" if "." not in name else f"!{name}" for name in shipped} <= set(ignored)
