"""Back up and restore a deployment's data: every service's database (and the embedded event log).

Embedded: SQLite's online backup API copies each database file consistently while the platform
runs (`data/*.db`, including the event log `bus.db`). MongoDB: each service database is dumped
collection by collection to JSON Lines (MongoDB Extended JSON, so types survive) — the same
format `mongoexport` writes, readable without MongoDB tools; use `mongodump --db liandong_<svc>`
where the tools are installed. A manifest records what was taken and how many documents.

    python -m liandong.backup backup  --out backups/2026-11-23   (settings from the environment)
    python -m liandong.backup restore --from backups/2026-11-23
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from .config import SERVICES, Settings

MANIFEST = "manifest.json"


def backup_embedded(data_dir: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for db_file in sorted(Path(data_dir).glob("*.db")):
        src = sqlite3.connect(db_file)
        dst = sqlite3.connect(out / db_file.name)
        with dst:
            src.backup(dst)
        rows = sum(dst.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                   for (t,) in dst.execute("SELECT name FROM sqlite_master WHERE type='table'"))
        src.close()
        dst.close()
        files[db_file.name] = {"rows": rows}
    return {"kind": "embedded", "files": files}


def restore_embedded(backup: Path, data_dir: Path) -> dict:
    data_dir.mkdir(parents=True, exist_ok=True)
    restored = {}
    for db_file in sorted(Path(backup).glob("*.db")):
        target = data_dir / db_file.name
        for suffix in ("-wal", "-shm"):  # a stale WAL must not be replayed onto the restored file
            Path(str(target) + suffix).unlink(missing_ok=True)
        src = sqlite3.connect(db_file)
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        restored[db_file.name] = True
    return {"kind": "embedded", "files": sorted(restored)}


def backup_mongo(uri: str, databases: list[str], out: Path) -> dict:
    import pymongo
    from bson import json_util

    out.mkdir(parents=True, exist_ok=True)
    client = pymongo.MongoClient(uri)
    taken: dict = {}
    for name in databases:
        db = client[name]
        counts = {}
        for coll in sorted(db.list_collection_names()):
            if coll.startswith("system."):
                continue
            path = out / name / f"{coll}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            n = 0
            with open(path, "w", encoding="utf-8") as fh:
                for doc in db[coll].find({}).sort("_id", 1):
                    fh.write(json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS) + "\n")
                    n += 1
            indexes = [{"key": list(ix["key"].items()), "name": ix["name"], "unique": bool(ix.get("unique"))}
                       for ix in db[coll].list_indexes() if ix["name"] != "_id_"]
            (out / name / f"{coll}.indexes.json").write_text(json.dumps(indexes), encoding="utf-8")
            counts[coll] = n
        taken[name] = counts
    client.close()
    return {"kind": "mongo", "databases": taken}


def restore_mongo(uri: str, backup: Path) -> dict:
    import pymongo
    from bson import json_util

    client = pymongo.MongoClient(uri)
    restored: dict = {}
    for db_dir in sorted(p for p in Path(backup).iterdir() if p.is_dir()):
        db = client[db_dir.name]
        counts = {}
        for path in sorted(db_dir.glob("*.jsonl")):
            coll = db[path.stem]
            coll.drop()
            docs = [json_util.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
            for i in range(0, len(docs), 1000):
                coll.insert_many(docs[i:i + 1000], ordered=True)
            ix_file = db_dir / f"{path.stem}.indexes.json"
            for ix in json.loads(ix_file.read_text()) if ix_file.exists() else []:
                coll.create_index([tuple(k) for k in ix["key"]], name=ix["name"], unique=ix["unique"])
            counts[path.stem] = len(docs)
        restored[db_dir.name] = counts
    client.close()
    return {"kind": "mongo", "databases": restored}


def backup(settings: Settings, out: Path) -> dict:
    """Every database the settings use: the SQLite files of the data directory (the service databases
    and/or the embedded event log `bus.db`) and, on MongoDB, every service database. The keys are not
    taken (`<data_dir>/keys` holds no database): a restore needs the same keys, kept apart."""
    result: dict = {}
    if settings.store == "sqlite" or settings.bus == "embedded":
        result = backup_embedded(settings.data_dir, out)
    if settings.store == "mongo":
        mongo = backup_mongo(settings.mongo_uri, [f"{settings.database_prefix}_{s}" for s in SERVICES], out)
        result = {**result, **mongo}  # kind "mongo", with "files" too when the event log is embedded
    result["taken_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    (out / MANIFEST).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def restore(settings: Settings, source: Path) -> dict:
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    result: dict = {}
    if manifest["kind"] == "embedded" or manifest.get("files"):
        result = restore_embedded(source, settings.data_dir)
    if manifest["kind"] == "mongo":
        result = {**result, **restore_mongo(settings.mongo_uri, source)}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Back up or restore Liandong's data")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("backup")
    b.add_argument("--out", required=True, type=Path)
    r = sub.add_parser("restore")
    r.add_argument("--from", dest="source", required=True, type=Path)
    args = ap.parse_args(argv)
    settings = Settings.from_env("gateway")
    result = backup(settings, args.out) if args.cmd == "backup" else restore(settings, args.source)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
