"""Every service in liandong.registry is everywhere a service must be (docs/adding-a-service.md).

The registry is the one list: the Makefile, `make run`, `make test SERVICE=…`, the deployment
generator (Kubernetes and Compose), the gateway and the test suites read it. What a team still writes
by hand for a new service — its package, its contracts module, its console view — is checked here,
so a forgotten place fails with its name instead of at deploy time.
"""
from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from liandong.contracts import CONTRACTS
from liandong.registry import DEFAULT_PORTS, DOMAIN_SERVICES, REGISTRY, SERVICES

ROOT = Path(__file__).resolve().parents[2]
APP_JS = ROOT / "services" / "gateway" / "src" / "gateway" / "console" / "static" / "js" / "app.js"


def test_names_and_ports_are_unique_and_fit_every_place_they_are_used():
    assert len(set(SERVICES)) == len(SERVICES) and len(set(DEFAULT_PORTS.values())) == len(SERVICES)
    for name in SERVICES:
        # a Python package, a topic prefix, an URL segment and an environment variable's infix
        assert re.fullmatch(r"[a-z][a-z0-9]*", name), name


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_is_a_package_with_its_web_app_and_worker(service):
    home = ROOT / "services" / service
    project = tomllib.loads((home / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == f"liandong-{service}"
    assert (home / "README.md").exists(), f"services/{service}/README.md: what the service owns and answers"
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    assert callable(bootstrap.create_app) and callable(bootstrap.create_worker)
    assert (home / "src" / service / "worker.py").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_registers_its_event_contracts(service):
    assert (ROOT / "shared" / "src" / "liandong" / "contracts" / f"{service}.py").exists()
    assert CONTRACTS.for_service(service), f"liandong.contracts.{service} registers no event (import it in __init__)"


def test_one_dockerfile_builds_every_service():
    assert (ROOT / "deploy" / "Dockerfile").exists()
    assert not list((ROOT / "services").glob("*/Dockerfile")), "one Dockerfile for all: deploy/Dockerfile"
    assert "ARG SERVICE" in (ROOT / "deploy" / "Dockerfile").read_text()


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_is_deployed_by_kubernetes_and_compose(service, built):
    deployed = {(d["kind"], d["metadata"]["name"]) for d in built["deploy/k8s"]}  # as kustomize renders it
    assert {("Deployment", f"liandong-{service}"), ("Deployment", f"liandong-{service}-worker")} <= deployed
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web, worker = compose["services"][service], compose["services"][f"{service}-worker"]
    assert web["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile", "args": {"SERVICE": service}}
    assert worker["command"] == ["python", "-m", f"{service}.worker"]
    assert compose["x-liandong-env"][f"LIANDONG_{service.upper()}_URL"] == f"http://{service}:8000"


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_the_console_has_a_page_for_each_domain_service(service):
    menu = APP_JS.read_text(encoding="utf-8").split("const MENU = [", 1)[1].split("];", 1)[0]
    assert f'"{service}:read"' in menu, f"the console's menu (app.js MENU) has no page for {service}"


def test_only_the_gateway_is_published():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    published = {name for name, spec in compose["services"].items() if spec.get("ports")}
    assert published == {e.name for e in REGISTRY if not e.domain}
