"""The deployment files are valid against their schemas: Kubernetes manifests and the Compose file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from liandong.registry import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
K8S_VERSION = "1.30"


def kustomized() -> list[dict]:
    docs = []
    for rel in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / rel).read_text(encoding="utf-8")) if d]
    return docs


def test_generated_manifests_are_up_to_date():
    result = subprocess.run([sys.executable, str(K8S / "generate.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("doc", kustomized(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_validates_against_the_kubernetes_schema(doc):
    assert kubernetes_validate.validate(doc, K8S_VERSION, strict=True) == K8S_VERSION


def test_the_validator_rejects_a_broken_manifest():
    deployment = next(d for d in kustomized() if d["kind"] == "Deployment")
    broken = dict(deployment, spec=dict(deployment["spec"], replicas="two"))
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_each_service_has_web_worker_probes_limits_and_autoscaling():
    docs = kustomized()
    for svc in SERVICES:
        kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
        for kind, name in [("Deployment", f"liandong-{svc}"), ("Deployment", f"liandong-{svc}-worker"),
                           ("Service", f"liandong-{svc}"), ("HorizontalPodAutoscaler", f"liandong-{svc}"),
                           ("HorizontalPodAutoscaler", f"liandong-{svc}-worker")]:
            assert (kind, name) in kinds
        web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == f"liandong-{svc}")
        c = web["spec"]["template"]["spec"]["containers"][0]
        assert c["readinessProbe"]["httpGet"]["path"].startswith("/readyz")
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"requests", "limits"} <= set(c["resources"])
        assert {"configMapRef": {"name": "liandong-config"}} in c["envFrom"]
        assert {"secretRef": {"name": "liandong-secrets"}} in c["envFrom"]


def test_topics_are_created_replicated_three_times_with_two_in_sync():
    job = next(d for d in kustomized() if d["kind"] == "Job")
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    lines = [line for line in script.splitlines() if "kafka-topics.sh" in line]
    assert len(lines) == 3 * len(SERVICES)
    for line in lines:
        assert "--replication-factor 3" in line and "min.insync.replicas=2" in line


def test_operator_managed_clusters_are_declared():
    kinds = {d["kind"] for f in (K8S / "operators").glob("*.yaml") for d in yaml.safe_load_all(f.read_text()) if d}
    assert {"Kafka", "KafkaNodePool", "MongoDBCommunity"} <= kinds


@pytest.fixture(scope="session")
def compose_validator(tmp_path_factory) -> Path:
    """compose-go (the library `docker compose` uses) built once from the Go module proxy."""
    cache = Path(os.environ.get("LIANDONG_CACHE_DIR", Path.home() / ".cache" / "liandong"))
    binary = cache / "bin" / "compose-validate"
    source = ROOT / "deploy" / "validate" / "compose"
    stamp = cache / "bin" / "compose-validate.src"
    fingerprint = (source / "go.sum").read_text() + (source / "main.go").read_text()
    if not binary.exists() or not stamp.exists() or stamp.read_text() != fingerprint:
        binary.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GOFLAGS="-modcacherw", GOTOOLCHAIN="local", GOPATH=str(cache / "go" / "path"),
                   GOMODCACHE=str(cache / "go" / "mod"), GOCACHE=str(cache / "go" / "build"))
        built = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=source, env=env,
                               capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, f"building the compose validator failed:\n{built.stderr[-3000:]}"
        stamp.write_text(fingerprint)
    return binary


def test_docker_compose_file_follows_the_compose_specification(compose_validator):
    result = subprocess.run([str(compose_validator), str(ROOT / "docker-compose.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"({2 + 2 * len(SERVICES)} services)" in result.stdout  # Kafka, MongoDB, and web + worker each


def test_the_compose_validator_rejects_a_broken_file(compose_validator, tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    ports: 8000\n    restart: sometimes\n")
    result = subprocess.run([str(compose_validator), str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "invalid" in result.stderr
