"""Write the per-service Kubernetes manifests from one template (run: python deploy/k8s/generate.py).

Every service gets the same shape: a web Deployment (gunicorn) behind a Service, a worker
Deployment (outbox relay + consumers; its replicas share the Kafka consumer group, so they split the
partitions), an HPA for each, and a PodDisruptionBudget. A test checks that the committed files
are what this script writes, and validates them against the Kubernetes schemas.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SERVICES = ("gateway", "petition", "welfare", "volunteer", "security")
PARTITIONS = 12  # per topic for a district: see docs/partitioning.md
IMAGE = "registry.example.org/liandong/{svc}:0.1.0"


def labels(svc: str, part: str) -> dict:
    return {"app.kubernetes.io/name": f"liandong-{svc}", "app.kubernetes.io/component": part,
            "app.kubernetes.io/part-of": "liandong"}


def env_from() -> list:
    return [{"configMapRef": {"name": "liandong-config"}}, {"secretRef": {"name": "liandong-secrets"}}]


def security_context() -> dict:
    return {"runAsNonRoot": True, "runAsUser": 10001, "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def web(svc: str) -> list[dict]:
    name = f"liandong-{svc}"
    container = {
        "name": "web", "image": IMAGE.format(svc=svc), "imagePullPolicy": "IfNotPresent",
        "args": ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "8",
                 "--worker-class", "gthread", "--graceful-timeout", "20", f"{svc}.bootstrap:create_app()"],
        "ports": [{"name": "http", "containerPort": 8000}],
        "envFrom": env_from(),
        "env": [{"name": "LIANDONG_HOST", "value": "0.0.0.0"}],
        "resources": {"requests": {"cpu": "200m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "384Mi"}},
        # readiness asks only for the database: with Kafka down, writes still succeed (the outbox keeps them)
        "readinessProbe": {"httpGet": {"path": "/readyz?check=database", "port": "http"},
                           "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                          "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 6},
        "startupProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2, "failureThreshold": 30},
        "securityContext": security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "web")},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels(svc, "web")},
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                  "template": {"metadata": {"labels": labels(svc, "web"),
                                            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8000",
                                                            "prometheus.io/path": "/metrics"}},
                               "spec": {"containers": [container], "terminationGracePeriodSeconds": 30,
                                        "volumes": [{"name": "tmp", "emptyDir": {}}]}}}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "web")},
         "spec": {"selector": labels(svc, "web"), "ports": [{"name": "http", "port": 8000, "targetPort": "http"}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "web")},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                  "minReplicas": 2, "maxReplicas": 10,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                      "type": "Utilization", "averageUtilization": 70}}}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "web")},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(svc, "web")}}},
    ]


def worker(svc: str) -> list[dict]:
    name = f"liandong-{svc}-worker"
    container = {
        "name": "worker", "image": IMAGE.format(svc=svc), "imagePullPolicy": "IfNotPresent",
        "args": ["python", "-m", f"{svc}.worker"],
        "envFrom": env_from(),
        "env": [{"name": "LIANDONG_HEARTBEAT_FILE", "value": "/tmp/heartbeat"}],
        "resources": {"requests": {"cpu": "200m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "384Mi"}},
        # the worker touches its heartbeat file every 2 s while its relay and consumers run
        "livenessProbe": {"exec": {"command": ["python", "-c",
                                               "import os,sys,time; sys.exit(time.time()-os.path.getmtime('/tmp/heartbeat')>30)"]},
                          "initialDelaySeconds": 20, "periodSeconds": 10, "failureThreshold": 3},
        "securityContext": security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "worker")},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels(svc, "worker")},
                  "template": {"metadata": {"labels": labels(svc, "worker")},
                               "spec": {"containers": [container], "terminationGracePeriodSeconds": 30,
                                        "volumes": [{"name": "tmp", "emptyDir": {}}]}}}},
        # more members than partitions would sit idle in the consumer group
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": name, "namespace": "liandong", "labels": labels(svc, "worker")},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                  "minReplicas": 1, "maxReplicas": PARTITIONS // 2,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                      "type": "Utilization", "averageUtilization": 70}}}]}},
    ]


def topics_job() -> dict:
    topics = []
    for svc in SERVICES:
        topics += [f"{svc}.events", f"{svc}.events.dlq", f"{svc}.retry"]
    script = "set -e\n" + "".join(
        f"/opt/kafka/bin/kafka-topics.sh --bootstrap-server \"$KAFKA_BOOTSTRAP_SERVERS\" --create --if-not-exists "
        f"--topic {t} --partitions {PARTITIONS if t.endswith('.events') else 3} --replication-factor 3 "
        f"--config min.insync.replicas=2 --config retention.ms={-1 if t.endswith('.events') else 2592000000}\n"
        for t in topics)
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "liandong-create-topics", "namespace": "liandong",
                         "labels": {"app.kubernetes.io/part-of": "liandong", "app.kubernetes.io/component": "topics"}},
            "spec": {"backoffLimit": 10, "ttlSecondsAfterFinished": 3600, "template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "create-topics", "image": "apache/kafka:3.9.1",
                                "command": ["/bin/bash", "-c", script],
                                "envFrom": [{"configMapRef": {"name": "liandong-config"}}],
                                "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                              "limits": {"cpu": "500m", "memory": "512Mi"}}}]}}}}


def documents() -> dict[str, list[dict]]:
    out = {f"services/{svc}.yaml": web(svc) + worker(svc) for svc in SERVICES}
    out["topics-job.yaml"] = [topics_job()]
    return out


def render(docs: list[dict]) -> str:
    header = "# Generated by deploy/k8s/generate.py: edit the generator, not this file.\n"
    return header + "---\n".join(yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in docs)


def main(check: bool = False) -> int:
    stale = []
    for rel, docs in documents().items():
        path = HERE / rel
        text = render(docs)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python deploy/k8s/generate.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
