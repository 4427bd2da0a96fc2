"""deploy/kubernetes: the base and the example overlay render with Kustomize and pass strict
validation against Kubernetes' schemas, and hold what the deployment relies on: a worker's grace
period longer than its shutdown, longer than the longest activity; probes, requests and a
non-root user everywhere; the owner's URL only in the migration Job."""

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import REPOSITORY, tool

KUBERNETES = REPOSITORY / "deploy" / "kubernetes"
OVERLAY = KUBERNETES / "overlays" / "example"
KUBERNETES_VERSION = "1.30.0"


def render(folder: Path) -> str:
    ran = subprocess.run(
        [tool("kubectl"), "kustomize", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def validate(manifests: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(manifests)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(render(OVERLAY)) if doc]


def by_kind(rendered: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered if d["kind"] == kind}


@pytest.mark.parametrize("folder", [KUBERNETES / "base", OVERLAY], ids=["base", "overlay"])
def test_renders_and_passes_strict_validation(folder: Path, tmp_path: Path) -> None:
    manifests = tmp_path / "rendered.yaml"
    manifests.write_text(render(folder))
    ran = validate(manifests)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "passed" in ran.stdout and "failed" not in ran.stdout.lower(), ran.stdout


def test_strict_validation_refuses_an_unknown_field(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    # That the check above means something: a misspelt field fails it.
    broken = [dict(doc) for doc in rendered]
    worker = next(d for d in broken if d["metadata"]["name"] == "concordat-worker")
    worker["spec"] = {**worker["spec"], "replicaz": 3}
    manifests = tmp_path / "broken.yaml"
    manifests.write_text(yaml.safe_dump_all(broken))
    ran = validate(manifests)
    assert ran.returncode != 0
    assert "replicaz" in ran.stdout + ran.stderr


def longest_activity() -> timedelta:
    """The longest start-to-close timeout any workflow gives an activity."""
    found = [
        timedelta(**{unit: int(amount)})
        for source in (REPOSITORY / "workflows").glob("*.py")
        for unit, amount in re.findall(
            r"start_to_close_timeout=timedelta\((\w+)=(\d+)\)", source.read_text()
        )
    ]
    assert found, "no activity timeouts found in workflows/"
    return max(found)


def test_a_stopping_worker_lets_the_longest_activity_finish(
    rendered: list[dict[str, Any]],
) -> None:
    settings = by_kind(rendered, "ConfigMap")["concordat-settings"]["data"]
    shutdown = timedelta(seconds=float(settings["CONCORDAT_WORKER_SHUTDOWN_SECONDS"]))
    pod = by_kind(rendered, "Deployment")["concordat-worker"]["spec"]["template"]["spec"]
    grace = timedelta(seconds=pod["terminationGracePeriodSeconds"])
    assert longest_activity() < shutdown < grace


def test_every_container_is_bounded_probed_and_not_root(rendered: list[dict[str, Any]]) -> None:
    for kind in ("Deployment", "Job"):
        for name, workload in by_kind(rendered, kind).items():
            pod = workload["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            for container in pod["containers"]:
                assert container["resources"]["requests"], name
                assert container["image"].startswith("registry.example.invalid/concordat:"), name
                if kind == "Deployment":
                    assert "livenessProbe" in container and "readinessProbe" in container, name


def test_only_the_migration_job_holds_the_owner(rendered: list[dict[str, Any]]) -> None:
    holders = {
        workload["metadata"]["name"]
        for kind in ("Deployment", "Job")
        for workload in by_kind(rendered, kind).values()
        for container in workload["spec"]["template"]["spec"]["containers"]
        for source in container.get("envFrom", [])
        if source.get("secretRef", {}).get("name") == "concordat-migration"
    }
    assert holders == {"concordat-setup-database"}


def test_only_the_web_holds_the_envelope_key_and_only_workers_the_checkpoint_key(
    rendered: list[dict[str, Any]],
) -> None:
    """The web service signs people's commands and workers trust its public key; workers sign
    checkpoints and the web serves them under the public key (docs/architecture.md)."""

    def holders(secret: str) -> set[str]:
        return {
            workload["metadata"]["name"]
            for kind in ("Deployment", "Job")
            for workload in by_kind(rendered, kind).values()
            for pod in [workload["spec"]["template"]["spec"]]
            if any(v.get("secret", {}).get("secretName") == secret for v in pod.get("volumes", []))
            or any(
                source.get("secretRef", {}).get("name") == secret
                for container in pod["containers"]
                for source in container.get("envFrom", [])
            )
        }

    assert holders("concordat-signing-key") == {"concordat-web"}
    assert holders("concordat-checkpoint") == {"concordat-worker"}
    settings = by_kind(rendered, "ConfigMap")["concordat-settings"]["data"]
    assert json.loads(settings["CONCORDAT_TRUSTED_KEYS"])
    assert settings["CONCORDAT_CHECKPOINT_PUBLIC_KEY"]


def test_every_required_secret_and_budget_is_there(rendered: list[dict[str, Any]]) -> None:
    secrets = set(by_kind(rendered, "Secret"))
    for kind in ("Deployment", "Job"):
        for workload in by_kind(rendered, kind).values():
            pod = workload["spec"]["template"]["spec"]
            needed = {
                source["secretRef"]["name"]
                for container in pod["containers"]
                for source in container.get("envFrom", [])
                if "secretRef" in source and not source["secretRef"].get("optional")
            } | {
                volume["secret"]["secretName"]
                for volume in pod.get("volumes", [])
                if "secret" in volume and not volume["secret"].get("optional")
            }
            assert needed <= secrets, needed - secrets
    budgets = by_kind(rendered, "PodDisruptionBudget")
    for name, deployment in by_kind(rendered, "Deployment").items():
        assert budgets[name]["spec"]["selector"] == deployment["spec"]["selector"]
        assert deployment["spec"]["replicas"] > budgets[name]["spec"]["minAvailable"]


def test_the_build_is_the_image_tag(rendered: list[dict[str, Any]]) -> None:
    settings = by_kind(rendered, "ConfigMap")["concordat-settings"]["data"]
    images = {
        container["image"]
        for kind in ("Deployment", "Job")
        for workload in by_kind(rendered, kind).values()
        for container in workload["spec"]["template"]["spec"]["containers"]
    }
    assert {image.rpartition(":")[2] for image in images} == {settings["CONCORDAT_BUILD_ID"]}
