"""Write the per-service deployment files from one template (run: python deploy/k8s/generate.py):
the Kubernetes manifests and the Compose file, for every service in liandong.registry.

Every service gets the same shape: a web Deployment (gunicorn) behind a Service, a worker
Deployment (outbox relay + consumers; its replicas share the Kafka consumer group, so they split the
partitions), an HPA for each, and a PodDisruptionBudget. A test checks that the committed files
are what this script writes, and validates them against the Kubernetes and Compose schemas.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "shared" / "src"))  # the registry, also without the venv

from liandong.registry import AUDITED_SERVICES, DOMAIN_SERVICES, IMPORTING_SERVICES, REGISTRY, SERVICES  # noqa: E402
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


def container(svc: str, part: str, args: list[str], env: list[dict], probes: dict) -> dict:
    """A container of the service's one image, with what every container shares."""
    return {"name": part, "image": IMAGE.format(svc=svc), "imagePullPolicy": "IfNotPresent", "args": args,
            **({"ports": [{"name": "http", "containerPort": 8000}]} if part == "web" else {}),
            "envFrom": env_from(), "env": env,
            "resources": {"requests": {"cpu": "200m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "384Mi"}},
            **probes, "securityContext": security_context(), "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}


def metadata(name: str, svc: str, part: str) -> dict:
    return {"name": name, "namespace": "liandong", "labels": labels(svc, part)}


def deployment(name: str, svc: str, part: str, replicas: int, one: dict, strategy: dict | None = None,
               annotations: dict | None = None) -> dict:
    pod_meta = {"labels": labels(svc, part), **({"annotations": annotations} if annotations else {})}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(name, svc, part),
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels(svc, part)},
                     **({"strategy": strategy} if strategy else {}),
                     "template": {"metadata": pod_meta,
                                  "spec": {"containers": [one], "terminationGracePeriodSeconds": 30,
                                           "volumes": [{"name": "tmp", "emptyDir": {}}]}}}}


def autoscaler(name: str, svc: str, part: str, least: int, most: int) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(name, svc, part),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": least, "maxReplicas": most,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}]}}


def web(svc: str) -> list[dict]:
    name = f"liandong-{svc}"
    gunicorn = ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "8", "--worker-class", "gthread",
                "--graceful-timeout", "20", f"{svc}.bootstrap:create_app()"]
    one = container(svc, "web", gunicorn, [{"name": "LIANDONG_HOST", "value": "0.0.0.0"}], {
        # readiness asks only for the database: with Kafka down, writes still succeed (the outbox keeps them)
        "readinessProbe": {"httpGet": {"path": "/readyz?check=database", "port": "http"},
                           "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                          "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 6},
        "startupProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2, "failureThreshold": 30}})
    return [
        deployment(name, svc, "web", 2, one,
                   strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                   annotations={"prometheus.io/scrape": "true", "prometheus.io/port": "8000",
                                "prometheus.io/path": "/metrics"}),
        {"apiVersion": "v1", "kind": "Service", "metadata": metadata(name, svc, "web"),
         "spec": {"selector": labels(svc, "web"), "ports": [{"name": "http", "port": 8000, "targetPort": "http"}]}},
        autoscaler(name, svc, "web", 2, 10),
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata(name, svc, "web"),
         "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(svc, "web")}}},
    ]


def worker(svc: str) -> list[dict]:
    name = f"liandong-{svc}-worker"
    one = container(svc, "worker", ["python", "-m", f"{svc}.worker"],
                    [{"name": "LIANDONG_HEARTBEAT_FILE", "value": "/tmp/heartbeat"}], {
        # the worker touches its heartbeat file every 2 s while its relay and consumers run
        "livenessProbe": {"exec": {"command": ["python", "-c",
                                               "import os,sys,time; sys.exit(time.time()-os.path.getmtime('/tmp/heartbeat')>30)"]},
                          "initialDelaySeconds": 20, "periodSeconds": 10, "failureThreshold": 3}})
    # more members than partitions would sit idle in the consumer group
    return [deployment(name, svc, "worker", 1, one), autoscaler(name, svc, "worker", 1, PARTITIONS // 2)]


def topics_job() -> dict:
    topics = []
    for svc in SERVICES:
        topics += [f"{svc}.events", f"{svc}.events.dlq"]
        if svc in AUDITED_SERVICES or svc in IMPORTING_SERVICES:  # its reports to the audit trail (docs/events.md)
            topics += [f"{svc}.audit", f"{svc}.audit.dlq"]
        topics += [f"{svc}.retry"]
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


COMPOSE_HEAD = """# Generated by deploy/k8s/generate.py from liandong.registry: edit the generator, not this file.
# Production-like stack: Apache Kafka (KRaft), MongoDB 7 (single-node replica set), and every
# service on gunicorn with its worker beside it. The gateway is published on port 8000.
#   docker compose up --build
# Set LIANDONG_ENV=production with LIANDONG_SECRET_KEY and LIANDONG_ENCRYPTION_KEY for a real deployment.
name: liandong

x-liandong-env: &liandong-env
  LIANDONG_BACKEND: kafka
  LIANDONG_ENV: ${{LIANDONG_ENV:-demo}}
  LIANDONG_SECRET_KEY: ${{LIANDONG_SECRET_KEY:-}}
  LIANDONG_ENCRYPTION_KEY: ${{LIANDONG_ENCRYPTION_KEY:-}}
  LIANDONG_PREVIOUS_ENCRYPTION_KEYS: ${{LIANDONG_PREVIOUS_ENCRYPTION_KEYS:-}}  # during a key rotation only
  LIANDONG_PREVIOUS_SECRET_KEYS: ${{LIANDONG_PREVIOUS_SECRET_KEYS:-}}  # during a key rotation only
  # unset keys (demo): generated on first start into this volume, which every container shares
  LIANDONG_KEY_DIR: /var/lib/liandong/keys
  KAFKA_BOOTSTRAP_SERVERS: kafka:9092
  KAFKA_TOPIC_PARTITIONS: "6"
  KAFKA_REPLICATION_FACTOR: "1"
  MONGO_URI: mongodb://mongo:27017/?replicaSet=rs0
{urls}  LOG_LEVEL: INFO

x-keys: &keys
  - liandong-keys:/var/lib/liandong/keys

x-depends: &depends
  kafka:
    condition: service_healthy
  mongo:
    condition: service_healthy

services:
  kafka:
    image: apache/kafka:3.9.1
    environment:
      KAFKA_NODE_ID: "1"
      KAFKA_PROCESS_ROLES: broker,controller
      KAFKA_LISTENERS: PLAINTEXT://:9092,CONTROLLER://:9093
      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka:9092
      KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
      KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1"
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1"
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1"
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0"
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false"
    volumes:
      - kafka-data:/var/lib/kafka/data
    healthcheck:
      test: ["CMD-SHELL", "/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --list >/dev/null"]
      interval: 10s
      timeout: 10s
      retries: 12

  mongo:
    image: mongo:7
    command: ["--replSet", "rs0", "--bind_ip_all"]
    volumes:
      - mongo-data:/data/db
    healthcheck:
      # initiates the single-node replica set on first start, then reports its state
      test: ["CMD", "mongosh", "--quiet", "--eval",
             "try {{ rs.status().ok }} catch (e) {{ rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: 'mongo:27017'}}]}}).ok }}"]
      interval: 10s
      timeout: 10s
      retries: 12

"""

COMPOSE_SERVICE = """  {svc}:
    build: {{context: ., dockerfile: deploy/Dockerfile, args: {{SERVICE: {svc}}}}}
    image: liandong/{svc}
    environment: *liandong-env
    volumes: *keys
{ports}    depends_on: *depends
  {svc}-worker:
    image: liandong/{svc}
    command: ["python", "-m", "{svc}.worker"]
    environment: *liandong-env
    volumes: *keys
    depends_on: {{<<: *depends, {svc}: {{condition: service_started}}}}

"""

COMPOSE_TAIL = """volumes:
  kafka-data:
  mongo-data:
  liandong-keys:
"""


def compose() -> str:
    """docker-compose.yml: Kafka, MongoDB, and each service's web process and worker from deploy/Dockerfile;
    the gateway (the one service that is not a domain service) is published on port 8000."""
    urls = "".join(f"  LIANDONG_{s.upper()}_URL: http://{s}:8000\n" for s in SERVICES)
    blocks = "".join(COMPOSE_SERVICE.format(svc=e.name, ports="" if e.domain else '    ports: ["8000:8000"]\n')
                     for e in REGISTRY)
    return COMPOSE_HEAD.format(urls=urls) + blocks + COMPOSE_TAIL


# Hand-maintained files with the services' names filled in from the registry (their comments kept).
KUSTOMIZATION = """# Generated by deploy/k8s/generate.py (its services from liandong.registry): edit the generator, not this file.
# kubectl apply -k deploy/k8s   (after kubectl apply -k deploy/k8s/operators and the Secret: see README.md)
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
  - config.yaml
  - network-policy.yaml
  - ingress.yaml
  - topics-job.yaml
{resources}"""

CONFIG = """# Generated by deploy/k8s/generate.py (its services from liandong.registry): edit the generator, not this file.
# Configuration every Liandong process reads (the same variables as make run and docker compose).
# Kafka and MongoDB are operator-managed clusters (see operators/) or external ones: point the
# addresses here. Secrets (LIANDONG_SECRET_KEY, LIANDONG_ENCRYPTION_KEY, LIANDONG_ADMIN_PASSWORD,
# MONGO_URI with credentials) live in the Secret `liandong-secrets`, created outside git
# (see secret.example.yaml and docs/operations.md).
apiVersion: v1
kind: ConfigMap
metadata:
  name: liandong-config
  namespace: liandong
  labels:
    app.kubernetes.io/part-of: liandong
data:
  LIANDONG_BACKEND: kafka
  LIANDONG_ENV: production
  KAFKA_BOOTSTRAP_SERVERS: liandong-kafka-kafka-bootstrap.kafka.svc:9092
  KAFKA_TOPIC_PARTITIONS: "12"
  KAFKA_REPLICATION_FACTOR: "3"
{urls}  # The cluster's pod network: callers from it (Prometheus, the gateway, probes) see /readyz's detail and
  # /metrics; everyone else (through the ingress) gets ready / not ready only. Set it to your pod CIDR.
  LIANDONG_CLUSTER_CIDRS: "10.0.0.0/8"
  LOG_LEVEL: INFO
  LOG_JSON: "true"
"""

NETWORK_POLICY = """# Generated by deploy/k8s/generate.py (its services from liandong.registry): edit the generator, not this file.
# The domain services accept traffic from the gateway only (and from Prometheus for /metrics).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: services-from-gateway-only
  namespace: liandong
spec:
  podSelector:
    matchExpressions:
      - key: app.kubernetes.io/name
        operator: In
        values: [{domain}]
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: liandong-gateway
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: monitoring
      ports:
        - port: 8000
"""


def listed_files() -> dict[str, str]:
    return {"kustomization.yaml": KUSTOMIZATION.format(resources="".join(f"  - services/{s}.yaml\n" for s in SERVICES)),
            "config.yaml": CONFIG.format(urls="".join(f"  LIANDONG_{s.upper()}_URL: http://liandong-{s}.liandong.svc:8000\n"
                                                      for s in SERVICES)),
            "network-policy.yaml": NETWORK_POLICY.format(domain=", ".join(f"liandong-{s}" for s in DOMAIN_SERVICES))}


def documents() -> dict[str, list[dict]]:
    out = {f"services/{svc}.yaml": web(svc) + worker(svc) for svc in SERVICES}
    out["topics-job.yaml"] = [topics_job()]
    return out


def render(docs: list[dict]) -> str:
    header = "# Generated by deploy/k8s/generate.py: edit the generator, not this file.\n"
    return header + "---\n".join(yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in docs)


def files() -> dict[Path, str]:
    out = {HERE / rel: render(docs) for rel, docs in documents().items()}
    out |= {HERE / rel: text for rel, text in listed_files().items()}
    out[ROOT / "docker-compose.yml"] = compose()
    return out


def main(check: bool = False) -> int:
    stale = []
    for path, text in files().items():
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python deploy/k8s/generate.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
