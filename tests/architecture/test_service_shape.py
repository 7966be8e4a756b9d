"""The service shape (docs/service-shape.md), checked on the code of all five services.

Each rule below is one a newcomer relies on when they move from one service to the next: where a
use case lives, where access is checked, where a storage filter may be written, how an event leaves.
A violation names the file and line. The checks read the source (ast), so they cost nothing to run.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
from liandong.registry import SERVICES  # noqa: E402  (every service, named once)
LAYERS = ("domain", "service_layer", "adapters", "api", "handlers")
MAX_LINES = 400
# what the domain may not touch: it is pure (no I/O, no framework)
DOMAIN_FORBIDDEN = ("flask", "pymongo", "kafka", "sqlite3", "requests", "werkzeug", "liandong.storage",
                    "liandong.bus", "liandong.platform", "liandong.web", "liandong.outbox")
STORAGE_CALLS = {"find", "find_one", "count_documents", "update_one", "update_many", "delete_one", "delete_many",
                 "insert_one", "aggregate", "find_one_and_update", "replace_one", "distinct"}
ACCESS_CALLS = {"require", "authorize", "require_district", "out_of_scope"}


def package(service: str) -> Path:
    return ROOT / "services" / service / "src" / service


def modules(service: str):
    for path in sorted(package(service).rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def layer_of(service: str, path: Path) -> str:
    rel = path.relative_to(package(service)).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def where(service: str, path: Path, node) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def nodes(service: str, *, outside: tuple[str, ...] = (), inside: tuple[str, ...] | None = None):
    """Every syntax node of the service's modules in the layers asked for, with the place it stands."""
    for path, tree in modules(service):
        layer = layer_of(service, path)
        if layer in outside or (inside is not None and layer not in inside):
            continue
        for node in ast.walk(tree):
            yield where(service, path, node), node


def imported(tree) -> list[tuple[ast.AST, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            out += [(node, base)] + [(node, f"{base}.{a.name}" if node.module else base + a.name) for a in node.names]
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_layers(service):
    pkg = package(service)
    missing = [layer for layer in LAYERS if not (pkg / layer / "__init__.py").is_file()]
    missing += [] if (pkg / "bootstrap.py").is_file() else ["bootstrap.py"]
    strays = sorted(p.name for p in pkg.glob("*.py")
                    if p.stem not in ("__init__", "__main__", "bootstrap", "worker", "config"))
    assert not missing, f"{service} lacks {missing} (docs/service-shape.md)"
    assert not strays, f"{service} has modules outside its layers: {strays}"


@pytest.mark.parametrize("service", SERVICES)
def test_no_runtime_module_over_400_lines(service):
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p, _ in modules(service)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"split these by use-case group: {long}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_does_no_io(service):
    bad = []
    for path, tree in modules(service):
        if layer_of(service, path) != "domain":
            continue
        for node, name in imported(tree):
            if name.startswith(DOMAIN_FORBIDDEN) or name.startswith(("..adapters", "..api", "..service_layer",
                                                                      "..handlers", "..bootstrap")):
                bad.append(f"{where(service, path, node)} imports {name}")
    assert not bad, bad


@pytest.mark.parametrize("service", SERVICES)
def test_storage_filters_live_in_adapters(service):
    """No storage call with a filter, and no `$`-operator document, outside `adapters/`: a use case asks a
    named query (`repo.overdue(scope)`), so every query a collection answers is in one file with its index."""
    bad = []
    for place, node in nodes(service, outside=("adapters",)):
        if isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                              and k.value.startswith("$") for k in node.keys):
            bad.append(f"{place} builds a storage filter or update")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in STORAGE_CALLS
              and any(isinstance(a, ast.Dict) for a in [*node.args, *(k.value for k in node.keywords)])):
            bad.append(f"{place} calls .{node.func.attr}() with a filter")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("service", SERVICES)
def test_access_is_checked_in_the_service_layer(service):
    """Routes parse, call a use case and present; the use case checks access (one place to audit)."""
    bad = []
    for place, node in nodes(service, inside=("api", "adapters", "domain")):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ACCESS_CALLS:
                bad.append(f"{place} checks access ({name}) outside the service layer")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("service", SERVICES)
def test_events_leave_only_through_a_repository_and_its_outbox(service):
    """One way to emit: the aggregate's repository writes the event in the record's own write."""
    bad = []
    for place, node in nodes(service, outside=("adapters",)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "new_event" or (node.func.attr == "new" and isinstance(node.func.value, ast.Attribute)
                                                 and node.func.value.attr == "events"):
                bad.append(f"{place} builds an event outside a repository")
            if node.func.attr == "publish" and isinstance(node.func.value, ast.Attribute) \
                    and node.func.value.attr == "bus":
                bad.append(f"{place} publishes on the bus directly")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("service", SERVICES)
def test_only_bootstrap_knows_the_platform(service):
    """Use cases, adapters and handlers get narrow dependencies (`Dependencies`), not the process wiring."""
    bad = []
    for path, tree in modules(service):
        if layer_of(service, path) in ("bootstrap", "worker", "__main__"):
            continue
        for node, name in imported(tree):
            if name in ("liandong.platform.Platform",):
                bad.append(f"{where(service, path, node)} imports Platform")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "platform" and isinstance(node.value, ast.Name) \
                    and node.value.id == "self":
                bad.append(f"{where(service, path, node)} reaches self.platform")
    assert not bad, "\n".join(sorted(set(bad)))
