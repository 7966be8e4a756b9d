"""Use cases of the org tree: create, rename, retire, and import a whole district at once."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import DomainError, NotFound, ValidationFailed

from ..adapters.org_repository import OrgRepository
from ..domain.org_tree import LEVELS, OrgUnit


def _existing(repo: OrgRepository, unit_id: str) -> tuple[OrgUnit, int]:
    found = repo.get(unit_id)
    if found is None:
        raise NotFound(f"no org unit {unit_id!r}")
    return found


def _check(admin: Principal | None, path: str) -> None:
    """org:admin at `path`; `admin` None is the platform itself (the worker loading the demo district)."""
    if admin is not None:
        admin.require("org:admin", path)


def unit_view(repo: OrgRepository, unit_id: str) -> tuple[OrgUnit, int]:
    """One unit and its version (the tree is every signed-in user's to read)."""
    return _existing(repo, unit_id)


def tree(repo: OrgRepository, root: str | None) -> list[dict]:
    """The whole tree, or the subtree under `root`."""
    return repo.subtree(_existing(repo, root)[0].path) if root else repo.subtree_all()


def create_unit(repo: OrgRepository, unit_id: str, name: str, level: str, parent_id: str | None,
                admin: Principal | None = None) -> OrgUnit:
    parent = None
    if parent_id:
        found = repo.get(parent_id)
        if found is None:
            raise ValidationFailed("unknown parent", {"parent_id": [f"no org unit {parent_id!r}"]})
        parent = found[0]
    _check(admin, (parent.path if parent else "/") + f"{unit_id}/")
    unit = OrgUnit.create(unit_id, name, level, parent)
    repo.add(unit)
    return unit


def rename_unit(repo: OrgRepository, unit_id: str, name: str, admin: Principal | None = None) -> OrgUnit:
    unit, version = _existing(repo, unit_id)
    _check(admin, unit.path)
    unit.rename(name)
    repo.save(unit, version)
    return unit


def retire_unit(repo: OrgRepository, unit_id: str, admin: Principal | None = None) -> OrgUnit:
    unit, version = _existing(repo, unit_id)
    _check(admin, unit.path)
    active_children = [c for c in repo.children(unit_id) if not c.retired]
    if active_children:
        raise DomainError(f"retire the {len(active_children)} active units under {unit_id} first")
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


def move_unit(repo: OrgRepository, unit_id: str, parent_id: str, admin: Principal | None = None) -> list[OrgUnit]:
    """Move a unit under another parent; every unit of its subtree gets its new path and one moved event.

    Descendants are found by parent links, not by path, so calling it again after an interrupted move
    repairs the paths that were not rewritten yet.
    """
    unit, version = _existing(repo, unit_id)
    _check(admin, unit.path)
    target = repo.get(parent_id)
    if target is None:
        raise ValidationFailed("unknown parent", {"parent_id": [f"no org unit {parent_id!r}"]})
    _check(admin, target[0].path)
    unit.move(target[0])
    repo.save(unit, version)
    moved = [unit]
    queue = [unit]
    while queue:
        parent = queue.pop(0)
        for child in repo.children(parent.id):
            _, child_version = repo.get(child.id)
            child.follow(parent.path)
            if child.events:
                repo.save(child, child_version)
                moved.append(child)
            queue.append(child)
    return moved


def parse_csv(text: str) -> list[dict]:
    """Rows of `id,name,level,parent_id` (a header line is required; parent_id empty for the root)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"id", "name", "level", "parent_id"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed("the CSV needs a header id,name,level,parent_id",
                               {"file": [f"missing columns: {', '.join(sorted(missing))}"]})
    rows = []
    for n, row in enumerate(reader, start=2):
        rows.append({"id": (row["id"] or "").strip(), "name": (row["name"] or "").strip(),
                     "level": (row["level"] or "").strip(), "parent_id": (row["parent_id"] or "").strip() or None,
                     "line": n})
    return rows


def flatten_tree(node, parent_id: str | None = None, out: list | None = None) -> list[dict]:
    """The nested YAML form (id, name, level, children) as rows like the CSV's."""
    out = [] if out is None else out
    if not isinstance(node, dict):
        raise ValidationFailed("the YAML must be one unit with nested `children`", {"file": ["not a mapping"]})
    out.append({"id": str(node.get("id", "")), "name": str(node.get("name", "")), "level": str(node.get("level", "")),
                "parent_id": node.get("parent_id", parent_id), "line": len(out) + 1})
    for child in node.get("children") or []:
        flatten_tree(child, str(node.get("id", "")), out)
    return out


def import_rows(repo: OrgRepository, rows: list[dict], admin: Principal | None = None) -> dict:
    """Check every row first (so a bad file changes nothing), then create the new units parents first."""
    # rows under a unit of the file inherit its check; unknown parents fail validation (422) below
    for row in rows:
        if not row["parent_id"]:
            _check(admin, f"/{row['id']}/")
        elif (parent := repo.get(row["parent_id"])) is not None:
            _check(admin, parent[0].path)
    errors: dict[str, list[str]] = {}
    by_id: dict[str, dict] = {}
    for row in rows:
        where = f"row {row.get('line')}"
        if row["id"] in by_id:
            errors.setdefault(where, []).append(f"duplicate id {row['id']!r}")
        by_id[row["id"]] = row
    levels: dict[str, str] = {}
    for row in rows:
        where = f"row {row.get('line')}"
        existing = repo.get(row["id"])
        if existing is not None and existing[0].parent_id != row["parent_id"]:
            errors.setdefault(where, []).append(f"{row['id']} exists under {existing[0].parent_id}")
        pid = row["parent_id"]
        if pid and pid not in by_id and repo.get(pid) is None:
            errors.setdefault(where, []).append(f"unknown parent {pid!r}")
            continue
        try:
            OrgUnit.create(row["id"], row["name"], row["level"], None if not pid else
                           _stub(pid, by_id, repo))
        except DomainError as exc:
            msgs = [m for v in (exc.fields or {}).values() for m in v] or [exc.message]
            errors.setdefault(where, []).extend(msgs)
        levels[row["id"]] = row["level"]
    if errors:
        raise ValidationFailed("the file has errors; nothing was imported", errors)
    created = 0
    done: set[str] = set()
    pending = list(rows)
    while pending:
        progressed = False
        for row in list(pending):
            pid = row["parent_id"]
            if pid and pid in by_id and pid not in done:
                continue
            if repo.get(row["id"]) is None:
                create_unit(repo, row["id"], row["name"], row["level"], pid)
                created += 1
            done.add(row["id"])
            pending.remove(row)
            progressed = True
        if not progressed:
            raise ValidationFailed("the file has a cycle", {"file": [r["id"] for r in pending]})
    return {"created": created, "unchanged": len(rows) - created}


def _stub(pid: str, by_id: dict, repo: OrgRepository) -> OrgUnit:
    """A stand-in parent for checking a row before anything is written."""
    found = repo.get(pid)
    if found is not None:
        return found[0]
    row = by_id[pid]
    level = row["level"] if row["level"] in LEVELS else "city"
    return OrgUnit(pid, row["name"] or pid, level, None, f"/{pid}/")
