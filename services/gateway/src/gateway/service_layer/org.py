"""Use cases of the org tree: create, rename, retire, and import a whole district at once."""
from __future__ import annotations

from liandong.errors import NotFound, ValidationFailed

from ..adapters.org_repository import OrgRepository
from ..domain.org_tree import OrgUnit


def create_unit(repo: OrgRepository, unit_id: str, name: str, level: str, parent_id: str | None) -> OrgUnit:
    parent = None
    if parent_id:
        found = repo.get(parent_id)
        if found is None:
            raise ValidationFailed("unknown parent", {"parent_id": [f"no org unit {parent_id!r}"]})
        parent = found[0]
    unit = OrgUnit.create(unit_id, name, level, parent)
    repo.add(unit)
    return unit


def rename_unit(repo: OrgRepository, unit_id: str, name: str) -> OrgUnit:
    found = repo.get(unit_id)
    if found is None:
        raise NotFound(f"no org unit {unit_id!r}")
    unit, version = found
    unit.rename(name)
    repo.save(unit, version)
    return unit


def retire_unit(repo: OrgRepository, unit_id: str) -> OrgUnit:
    found = repo.get(unit_id)
    if found is None:
        raise NotFound(f"no org unit {unit_id!r}")
    unit, version = found
    unit.retire()
    repo.save(unit, version)
    return unit


def import_tree(repo: OrgRepository, node: dict, parent_id: str | None = None) -> int:
    """Create a node and its `children`, depth first; units that exist already are kept. Returns new count."""
    created = 0
    if repo.get(node["id"]) is None:
        create_unit(repo, node["id"], node["name"], node["level"], parent_id)
        created += 1
    for child in node.get("children", []) or []:
        created += import_tree(repo, child, node["id"])
    return created
