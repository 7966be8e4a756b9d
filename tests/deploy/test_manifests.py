"""The deployment files are valid against their schemas: the Kubernetes manifests as kustomize renders
them (`kustomize build`, the program `kubectl apply -k` embeds), the operators' custom resources against
the operators' own CRDs, and the Compose file. The tools come from package registries (conftest.py)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from liandong.registry import SERVICES

from .conftest import KUSTOMIZATIONS, build

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
K8S_VERSION = "1.30"
EXAMPLES = {K8S / "secret.example.yaml"}  # a template: the real Secret is created outside git


@pytest.fixture
def platform(built) -> list[dict]:
    return built["deploy/k8s"]


def closed(schema: dict) -> dict:
    """The CRD's schema with the fields it does not declare refused, as `kubectl apply` refuses them (its
    field validation is Strict by default); objects the CRD leaves open (x-kubernetes-preserve-unknown-
    fields, additionalProperties) stay open."""
    out = dict(schema)
    for key in ("items", "not", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = closed(out[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [closed(s) for s in out[key]]
    if "properties" in out:
        out["properties"] = {field: closed(s) for field, s in out["properties"].items()}
        if (out.get("type") == "object" and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
    return out


@pytest.fixture(scope="session")
def crd_validators(operator_crds) -> dict[tuple[str, str], jsonschema.Validator]:
    """(apiVersion, kind) → a validator of every version the operators' CRDs serve."""
    validators = {}
    for path in operator_crds:
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served"):
                    schema = closed(version["schema"]["openAPIV3Schema"])
                    validators[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = \
                        jsonschema.Draft4Validator(schema)
    return validators


def problems(doc: dict, crd_validators) -> list[str]:
    """Why the API server would refuse this object: against its CRD's schema when an operator defines
    its kind, else against the Kubernetes schema (which fails for a kind it does not know)."""
    validator = crd_validators.get((doc.get("apiVersion"), doc.get("kind")))
    if validator is not None:
        return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(doc)]
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError as e:
        return [f"no schema for it: {e}"]
    return []


def name(doc: dict) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def test_generated_manifests_are_up_to_date():
    result = subprocess.run([sys.executable, str(K8S / "generate.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("where", KUSTOMIZATIONS)
def test_every_object_kustomize_builds_validates_against_its_schema(where, built, crd_validators):
    assert built[where], f"kustomize build {where} rendered nothing"
    found = {name(d): problems(d, crd_validators) for d in built[where]}
    assert not {k: v for k, v in found.items() if v}, found


def test_every_manifest_file_is_deployed_by_a_kustomization(built):
    """A manifest left out of every kustomization is never applied: each object in deploy/k8s's files
    is in what kustomize renders, but the example Secret (created outside git)."""
    rendered = {(name(d), d["metadata"].get("namespace")) for d in built.everything()}
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in (d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d):
            deployed = (name(doc), doc["metadata"].get("namespace")) in rendered
            assert deployed != (path in EXAMPLES), f"{path.relative_to(ROOT)}: {name(doc)}"


def test_the_example_secret_validates_against_the_kubernetes_schema():
    for doc in (d for p in EXAMPLES for d in yaml.safe_load_all(p.read_text()) if d):
        assert problems(doc, {}) == []


def test_every_operator_resource_has_its_operators_crd(built, crd_validators):
    operators = built["deploy/k8s/operators"]
    assert {"Kafka", "KafkaNodePool", "MongoDBCommunity"} <= {d["kind"] for d in operators}
    for doc in operators:
        assert (doc["apiVersion"], doc["kind"]) in crd_validators, name(doc)


def test_the_mongodb_volume_claims_are_persistent_volume_claims(built):
    """The CRD leaves spec.statefulSet.spec open (the operator merges it into its StatefulSet): the claims
    we put there are checked as the PersistentVolumeClaims they become."""
    mongodb = next(d for d in built["deploy/k8s/operators"] if d["kind"] == "MongoDBCommunity")
    claims = mongodb["spec"]["statefulSet"]["spec"]["volumeClaimTemplates"]
    assert {c["metadata"]["name"] for c in claims} == {"data-volume"}  # the operator's name for the data disk
    for claim in claims:
        assert problems({"apiVersion": "v1", "kind": "PersistentVolumeClaim", **claim}, {}) == []


def test_kustomize_refuses_a_broken_kustomization(kustomize, tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    assert build(kustomize, tmp_path).returncode != 0
    (tmp_path / "kustomization.yaml").write_text("resources: [ns.yaml]\nnamePrefixx: liandong-\n")
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    result = build(kustomize, tmp_path)
    assert result.returncode != 0 and "namePrefixx" in result.stderr


def test_the_validators_reject_broken_objects(platform, built, crd_validators):
    deployment = next(d for d in platform if d["kind"] == "Deployment")
    assert problems(dict(deployment, spec=dict(deployment["spec"], replicas="two")), crd_validators)
    kafka = next(d for d in built["deploy/k8s/operators"] if d["kind"] == "Kafka")
    listeners = kafka["spec"]["kafka"]["listeners"]
    misspelt = dict(kafka, spec=dict(kafka["spec"], kafka=dict(kafka["spec"]["kafka"], replicaz=3)))
    wrong_type = dict(kafka, spec=dict(kafka["spec"], kafka=dict(kafka["spec"]["kafka"],
                                                                  listeners=[dict(listeners[0], port="9092")])))
    unknown = dict(kafka, apiVersion="kafka.strimzi.io/v9")
    assert [p for p in problems(misspelt, crd_validators) if "replicaz" in p]
    assert [p for p in problems(wrong_type, crd_validators) if "port" in p]
    assert problems(unknown, crd_validators)


def test_each_service_has_web_worker_probes_limits_and_autoscaling(platform):
    docs = platform
    for svc in SERVICES:
        kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
        for kind, name_ in [("Deployment", f"liandong-{svc}"), ("Deployment", f"liandong-{svc}-worker"),
                            ("Service", f"liandong-{svc}"), ("HorizontalPodAutoscaler", f"liandong-{svc}"),
                            ("HorizontalPodAutoscaler", f"liandong-{svc}-worker")]:
            assert (kind, name_) in kinds
        web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == f"liandong-{svc}")
        c = web["spec"]["template"]["spec"]["containers"][0]
        assert c["readinessProbe"]["httpGet"]["path"].startswith("/readyz")
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"requests", "limits"} <= set(c["resources"])
        assert {"configMapRef": {"name": "liandong-config"}} in c["envFrom"]
        assert {"secretRef": {"name": "liandong-secrets"}} in c["envFrom"]


def test_topics_are_created_replicated_three_times_with_two_in_sync(platform):
    job = next(d for d in platform if d["kind"] == "Job")
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    lines = [line for line in script.splitlines() if "kafka-topics.sh" in line]
    # every topic a service publishes to (its facts, its reports to the audit trail), each with its dead letters,
    # and each service's retry topic: the cluster creates none by itself (auto.create.topics.enable is false)
    from liandong.contracts import CONTRACTS

    expected = {t for s in SERVICES for own in CONTRACTS.topics_of(s) for t in (own, f"{own}.dlq")}
    assert {re.search(r"--topic (\S+)", line).group(1) for line in lines} == expected | {f"{s}.retry" for s in SERVICES}
    assert {"petition.audit", "gateway.audit"} <= expected
    for line in lines:
        assert "--replication-factor 3" in line and "min.insync.replicas=2" in line


def test_the_kafka_cluster_keeps_acknowledged_writes_through_a_broker_loss(built):
    """Three brokers, and the defaults the topics rely on: a write acknowledged by two replicas survives one."""
    operators = built["deploy/k8s/operators"]
    pool = next(d for d in operators if d["kind"] == "KafkaNodePool")
    kafka = next(d for d in operators if d["kind"] == "Kafka")
    assert pool["spec"]["replicas"] >= 3 and "broker" in pool["spec"]["roles"]
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3 and config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False


def test_docker_compose_file_follows_the_compose_specification(compose_validator):
    result = subprocess.run([str(compose_validator), str(ROOT / "docker-compose.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"({2 + 2 * len(SERVICES)} services)" in result.stdout  # Kafka, MongoDB, and web + worker each


def test_the_compose_validator_rejects_a_broken_file(compose_validator, tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    ports: 8000\n    restart: sometimes\n")
    result = subprocess.run([str(compose_validator), str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "invalid" in result.stderr
