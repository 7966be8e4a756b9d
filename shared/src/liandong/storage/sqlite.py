"""Embedded storage adapter: JSON documents in SQLite, one table per collection.

Filters are translated to SQL over `json_extract`; `create_index` adds a virtual generated column
per indexed path (the same `json_extract`) and indexes those columns, and filters and sorts on an
indexed path name its column, so a filtered list is an index lookup, not a scan. An anchored prefix
`$regex` (the org-path subtree query) becomes an index range. Updates are read-modify-write inside
`BEGIN IMMEDIATE`, which makes each single-document update atomic across threads and processes.
"""
from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable

from .base import (
    DuplicateKeyError,
    Filter,
    SortSpec,
    StorageUnavailable,
    UnsupportedQuery,
    UpdateResult,
    index_keys,
)
from .query import apply_update, check_projection, is_operator_dict, matches, upsert_seed
from ..sqlite_local import close_thread_connection, ping, thread_connection
from .. import fastjson

_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_PATH = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")
_REGEX_META = set(".^$*+?{}[]|()\\")


# SQLite checkpoints the WAL into the database (two fsyncs) inside the COMMIT that crosses its
# threshold, so every few dozen writes one request waited for the disk while holding the write.
# Here a thread of each process does it instead, soon after writes (PASSIVE: it never blocks a
# writer); the threshold stays as a safety net, raised, for when that thread falls behind.
CHECKPOINT_DELAY = 0.25  # seconds after a commit
AUTOCHECKPOINT_PAGES = 10000  # ~40 MB of WAL


class _Checkpointer:
    """One thread per process that checkpoints the databases written since it last looked."""

    def __init__(self):
        self._cond = threading.Condition()
        self._dirty: dict[str, str] = {}  # path -> synchronous setting
        self._pid: int | None = None

    def written(self, path: str, synchronous: str) -> None:
        with self._cond:
            if path in self._dirty:
                return
            self._dirty[path] = synchronous
            if self._pid != os.getpid():  # first write of this process (or of a forked child)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True).start()
            self._cond.notify()

    def _run(self) -> None:
        pid = os.getpid()
        while True:
            with self._cond:
                if not self._dirty and not self._cond.wait(timeout=30):
                    self._pid = None  # idle: the next write starts a new thread
                    return
                if self._pid != pid:
                    return
            time.sleep(CHECKPOINT_DELAY)  # let writes that come together share one checkpoint
            with self._cond:
                dirty, self._dirty = self._dirty, {}
            for path, synchronous in dirty.items():
                self.checkpoint(path, synchronous)

    @staticmethod
    def checkpoint(path: str, synchronous: str) -> None:
        try:
            # read-write, never create: a database removed meanwhile (a test's) must not come back empty
            conn = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=rw", uri=True, timeout=5,
                                   isolation_level=None)
            try:
                conn.execute(f"PRAGMA synchronous={synchronous}")
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # the database went away (a test's temporary one) or is busy: the next write retries


_CHECKPOINTER = _Checkpointer()
# a child forked while the parent's thread held the condition would wait on it forever
os.register_at_fork(after_in_child=lambda: _CHECKPOINTER.__init__())


def _dumps(doc: Any) -> str:
    return fastjson.dumps(doc)


def _json_path(path: str) -> str:
    if not _PATH.match(path):
        raise UnsupportedQuery(f"field path {path!r} is not supported")
    out = "$"
    for part in path.split("."):
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def _literal_prefix(pattern: str) -> str | None:
    """The literal text after '^' if the regex is nothing more than an anchored literal."""
    if not pattern.startswith("^"):
        return None
    out, i, body = [], 0, pattern[1:]
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum():
                return None
            out.append(body[i + 1])
            i += 2
            continue
        if ch in _REGEX_META:
            return None
        out.append(ch)
        i += 1
    return "".join(out) or None


def _prefix_term(term: Any) -> tuple[str, str] | None:
    """(field, literal prefix) if the term is nothing but an anchored-prefix `$regex` on one field."""
    if not isinstance(term, dict) or len(term) != 1:
        return None
    (field, cond), = term.items()
    if field.startswith("$") or not isinstance(cond, dict) or set(cond) != {"$regex"}:
        return None
    prefix = _literal_prefix(cond["$regex"]) if isinstance(cond["$regex"], str) else None
    return (field, prefix) if prefix else None


def _narrowest_prefixes(terms: list) -> list:
    """`$and` terms without a prefix range implied by a narrower one on the same field (a scope and
    a subtree inside it): SQLite can range over one of them only, and must be given the narrow one."""
    prefixes = [_prefix_term(t) for t in terms]
    out = []
    for i, term in enumerate(terms):
        mine = prefixes[i]
        if mine and any(other and j != i and other[0] == mine[0] and other[1] != mine[1] and other[1].startswith(mine[1])
                        for j, other in enumerate(prefixes)):
            continue
        out.append(term)
    return out


def _bind(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return _dumps(value)
    return value


def _regexp(pattern: str, flags: str, value: Any) -> int:
    if not isinstance(value, str):
        return 0
    return int(re.search(pattern, value, re.IGNORECASE if "i" in (flags or "") else 0) is not None)


def _setup(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    conn.create_function("regexp_match", 3, _regexp, deterministic=True)


class _Compiler:
    """Mongo filter -> (SQL, params). `base` is the JSON column the paths are read from."""

    def __init__(self, base: str = "doc", id_column: str | None = "id", columns: dict[str, str] | None = None):
        self.base = base
        self.id_column = id_column
        self.columns = columns or {}  # indexed paths -> their generated column
        self.params: list[Any] = []

    def expr(self, path: str) -> str:
        if path == "_id" and self.id_column:
            return self.id_column
        column = self.columns.get(path)
        if column is not None:
            return column
        return f"json_extract({self.base},'{_json_path(path)}')"

    def each(self, path: str) -> str:
        if path == "_id" and self.id_column:
            return f"(SELECT {self.id_column} AS value)"
        return f"json_each({self.base},'{_json_path(path)}')"

    def p(self, value: Any) -> str:
        self.params.append(_bind(value))
        return "?"

    def compile(self, filter: Filter | None) -> str:
        if not filter:
            return "1"
        parts = []
        for key, cond in filter.items():
            if key == "$and":
                parts.append("(" + " AND ".join(self.compile(f) for f in _narrowest_prefixes(cond)) + ")")
            elif key == "$or":
                parts.append("(" + " OR ".join(self.compile(f) for f in cond) + ")")
            elif key == "$nor":
                parts.append("NOT COALESCE((" + " OR ".join(self.compile(f) for f in cond) + "),0)")
            elif key.startswith("$"):
                raise UnsupportedQuery(f"top-level operator {key} is not supported")
            elif is_operator_dict(cond):
                parts.extend(self.ops(key, cond))
            else:
                parts.append(self.eq(key, cond))
        return " AND ".join(parts) if parts else "1"

    def eq(self, path: str, value: Any) -> str:
        e = self.expr(path)
        if value is None:
            return f"{e} IS NULL"
        if isinstance(value, (dict, list)):
            return f"{e} = json({self.p(value)})"
        return f"{e} = {self.p(value)}"

    def contains(self, path: str, values: list) -> str:
        """True when the field equals, or as an array holds, one of the values."""
        marks = ",".join(self.p(v) for v in values)
        return f"EXISTS (SELECT 1 FROM {self.each(path)} WHERE value IN ({marks}))"

    def ops(self, path: str, ops: dict) -> list[str]:
        e = self.expr(path)
        out = []
        for op, arg in ops.items():
            if op == "$eq":
                out.append(self.eq(path, arg))
            elif op == "$ne":
                if arg is None:
                    out.append(f"{e} IS NOT NULL")
                else:
                    out.append("NOT " + self.contains(path, [arg]))
            elif op in ("$gt", "$gte", "$lt", "$lte"):
                sym = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[op]
                out.append(f"{e} {sym} {self.p(arg)}")
            elif op == "$in":
                vals = [v for v in arg if v is not None]
                terms = []
                if vals:
                    terms.append(f"{e} IN ({','.join(self.p(v) for v in vals)})")
                if len(vals) != len(arg):
                    terms.append(f"{e} IS NULL")
                out.append("(" + " OR ".join(terms) + ")" if terms else "0")
            elif op == "$nin":
                vals = [v for v in arg if v is not None]
                term = ("NOT " + self.contains(path, vals)) if vals else "1"
                if len(vals) != len(arg):
                    term = f"({term} AND {e} IS NOT NULL)"
                out.append(term)
            elif op == "$exists":
                typ = f"json_type({self.base},'{_json_path(path)}')" if path != "_id" else "1"
                out.append(f"{typ} IS NOT NULL" if arg else f"{typ} IS NULL")
            elif op == "$regex":
                flags = ops.get("$options", "")
                prefix = None if "i" in flags else _literal_prefix(arg)
                if prefix:
                    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                    out.append(f"({e} >= {self.p(prefix)} AND {e} < {self.p(upper)})")
                else:
                    out.append(f"regexp_match({self.p(arg)},{self.p(flags)},{e})")
            elif op == "$options":
                continue
            elif op == "$size":
                out.append(f"json_array_length({self.base},'{_json_path(path)}') = {self.p(int(arg))}")
            elif op == "$all":
                for item in arg:
                    out.append(self.contains(path, [item]))
            elif op == "$elemMatch":
                sub = _Compiler(base="value", id_column=None)
                if is_operator_dict(arg):
                    cond = " AND ".join(sub.ops_on_value(arg))
                else:
                    cond = sub.compile(arg)
                self.params.extend(sub.params)
                out.append(f"EXISTS (SELECT 1 FROM {self.each(path)} WHERE {cond})")
            elif op == "$not":
                sub = " AND ".join(self.ops(path, arg))
                out.append(f"NOT COALESCE(({sub}),0)")
            else:
                raise UnsupportedQuery(f"operator {op} is not supported")
        return out

    def ops_on_value(self, ops: dict) -> list[str]:
        out = []
        for op, arg in ops.items():
            sym = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}.get(op)
            if sym is None:
                raise UnsupportedQuery(f"operator {op} inside $elemMatch is not supported")
            out.append(f"value {sym} {self.p(arg)}")
        return out


def _order_by(sort: SortSpec | None, columns: dict[str, str] | None = None) -> str:
    if not sort:
        return ""
    c = _Compiler(columns=columns)
    return " ORDER BY " + ", ".join(f"{c.expr(k)} {'DESC' if d < 0 else 'ASC'}" for k, d in sort)


_QUEUE_FDS: dict[tuple[int, str], int] = {}  # (process, database file) → the descriptor its writers queue on


class SqliteDatabase:
    """One SQLite file per service database. Connections are per thread and per process."""

    def __init__(self, path: str | Path, synchronous: str = "NORMAL"):
        self.path = str(path)
        self.name = Path(self.path).stem
        self.synchronous = synchronous
        self._local = threading.local()
        self._collections: dict[str, SqliteCollection] = {}
        self._lock = threading.Lock()
        self._writer = (os.getpid(), threading.Lock())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    def connection(self) -> sqlite3.Connection:
        return thread_connection(self._local, self.path, self.synchronous, StorageUnavailable, "the database",
                                 setup=_setup)

    def _writer_lock(self) -> threading.Lock:
        pid, lock = self._writer
        if pid != os.getpid():  # a forked worker: the parent's lock may have been held at the fork
            self._writer = (os.getpid(), threading.Lock())
            lock = self._writer[1]
        return lock

    @contextmanager
    def _process_queue(self):
        """Writers of different processes (gunicorn's workers, the service's worker) queue in the kernel
        on an advisory lock beside the file: the one released wakes the next at once. On SQLite's own lock
        they would poll with sleeps of up to 100 ms (the busy handler), so a second web worker added
        waiting, not writes. A connection that does not take this lock (sqlite3 by hand, a backup) is
        still met by the busy timeout."""
        if self.path == ":memory:":
            yield
            return
        key = (os.getpid(), self.path)
        fd = _QUEUE_FDS.get(key)
        if fd is None:  # one descriptor per file and process: a flock is the open file's, so not a forked parent's
            fd = _QUEUE_FDS.setdefault(key, os.open(self.path + "-writer", os.O_RDWR | os.O_CREAT, 0o600))
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @contextmanager
    def write(self):
        conn = self.connection()
        if getattr(self._local, "batch", 0):
            yield conn  # inside `batch()`: the batch's transaction holds this write
            return
        # This process's writers queue on a lock of its own and are handed the write at once; on
        # SQLite's lock they would poll it with sleeps of up to 100 ms (its busy handler), which
        # under a web worker's 8 threads cost more than the writes. Other processes still meet
        # the busy timeout, as before.
        with self._writer_lock(), self._process_queue():
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageUnavailable(str(exc)) from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
        if self.path != ":memory:":
            _CHECKPOINTER.written(self.path, self.synchronous)

    @contextmanager
    def batch(self):
        """One transaction for many writes of this thread (a consumer's poll): all stored, or none.

        A write inside that fails (a duplicate key) fails alone, as SQLite rolls back only the
        statement; an exception leaving the block rolls the whole batch back.
        """
        if getattr(self._local, "batch", 0):
            yield
            return
        with self.write():
            self._local.batch = 1
            try:
                yield
            finally:
                self._local.batch = 0

    def collection(self, name: str) -> "SqliteCollection":
        with self._lock:
            coll = self._collections.get(name)
            if coll is None:
                coll = self._collections[name] = SqliteCollection(self, name)
            return coll

    def ring(self, name: str) -> None:
        """Nothing to write: the relay learns of any commit from `data_version`."""

    def rung(self) -> None:
        return None

    def data_version(self) -> int:
        """Changes when another connection (any thread or process) commits: cheap to poll for new work."""
        try:
            return self.connection().execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc

    def ping(self) -> None:
        ping(self.connection, StorageUnavailable)

    def close(self) -> None:
        close_thread_connection(self._local)


class SqliteCollection:
    def __init__(self, db: SqliteDatabase, name: str):
        if not _NAME.match(name):
            raise UnsupportedQuery(f"collection name {name!r} is not supported")
        self.db = db
        self.name = name
        self.table = f'"c_{name}"'
        self.columns: dict[str, str] = {}
        self._ensure()

    def _ensure(self) -> None:
        conn = self.db.connection()
        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        self._load_columns(conn)

    def _load_columns(self, conn) -> None:
        """The generated columns `create_index` made: a filter or sort on their path reads them."""
        self.columns = {row[1][2:]: f'"{row[1]}"' for row in conn.execute(f"PRAGMA table_xinfo({self.table})")
                        if row[1].startswith("f:")}

    def _compiler(self) -> _Compiler:
        return _Compiler(columns=self.columns)

    def _query(self, sql: str, params: list) -> list:
        try:
            return self.db.connection().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def _select(self, conn, filter, sort=None, skip=0, limit=0, columns="id, doc", hint: str | None = None):
        try:
            return self._select_once(conn, filter, sort, skip, limit, columns, hint)
        except sqlite3.OperationalError as exc:
            if "no such column: f:" not in str(exc):
                raise
            self._load_columns(conn)  # the table was dropped and made again by another process
            return self._select_once(conn, filter, sort, skip, limit, columns, hint)

    def _select_once(self, conn, filter, sort, skip, limit, columns, hint):
        if not (hint or skip) and type(filter) is dict and len(filter) == 1 and type(filter.get("_id")) is str:
            # by id, the commonest query of all: no compiling (one row, so no sort either)
            return conn.execute(f"SELECT {columns} FROM {self.table} WHERE id = ?", (filter["_id"],)).fetchall()
        c = self._compiler()
        where = c.compile(filter)
        source = f'{self.table} INDEXED BY "{self._index_name(hint)}"' if hint else self.table
        sql = f"SELECT {columns} FROM {source} WHERE {where}{_order_by(sort, self.columns)}"
        if limit or skip:
            sql += f" LIMIT {int(limit) if limit else -1} OFFSET {int(skip)}"
        return conn.execute(sql, c.params).fetchall()

    # -- reads
    def find(self, filter: Filter | None = None, sort: SortSpec | None = None,
             skip: int = 0, limit: int = 0, projection: dict | None = None, hint: str | None = None) -> list[dict]:
        columns, included = "doc", check_projection(projection)
        # {"_id": 1} keeps the id alone: an inclusion projection with no other field
        inclusion = bool(included) or (projection is not None and set(projection) == {"_id"} and bool(projection["_id"]))
        if inclusion:  # only these fields leave SQLite, so Python parses no more than them
            columns = "".join(["id"] + [", " + self._kept(k) for k in included])
        elif projection:  # fields left out in SQL, so Python never parses them
            columns = "json_remove(doc," + ",".join(f"'{_json_path(k)}'" for k in projection) + ")"
        try:
            try:
                rows = self._select(self.db.connection(), filter, sort, skip, limit, columns=columns, hint=hint)
            except sqlite3.OperationalError as exc:
                if not hint or "index" not in str(exc):
                    raise
                # the hinted index is not there (or cannot answer): the planner's own choice
                rows = self._select(self.db.connection(), filter, sort, skip, limit, columns=columns)
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(str(exc)) from exc
        if inclusion:
            return [self._from_kept(r, included) for r in rows]
        return [fastjson.loads(r[0]) for r in rows]

    def _kept(self, path: str) -> str:
        """Two columns for a field an inclusion projection keeps: an indexed field's generated column
        (read from the index, no JSON parsed), and its JSON text where the column cannot tell (a
        document lacking the field or holding null, a boolean stored as 0/1, an array or object
        stored as text); otherwise NULL. A field without an index: NULL, and its JSON text."""
        json_text = f"doc -> '{_json_path(path)}'"
        col = self.columns.get(path)
        if col is None:
            return f"NULL, {json_text}"
        unclear = (f"typeof({col}) = 'null' OR (typeof({col}) = 'integer' AND {col} IN (0, 1)) OR "
                   f"(typeof({col}) = 'text' AND substr({col}, 1, 1) IN ('[', '{{'))")
        return f"{col}, CASE WHEN {unclear} THEN {json_text} END"

    @staticmethod
    def _from_kept(row: tuple, included: list[str]) -> dict:
        out = {"_id": row[0]}
        for i, key in enumerate(included):
            value, json_text = row[1 + 2 * i], row[2 + 2 * i]
            if json_text is not None:
                out[key] = fastjson.loads(json_text)
            elif value is not None:
                out[key] = value
        return out

    def find_one(self, filter: Filter | None = None, sort: SortSpec | None = None) -> dict | None:
        docs = self.find(filter, sort=sort, limit=1)
        return docs[0] if docs else None

    def count_documents(self, filter: Filter | None = None, limit: int = 0) -> int:
        """How many match; with `limit`, counting stops there (as pymongo's `limit`)."""
        c = self._compiler()
        where = c.compile(filter)
        if limit:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.table} WHERE {where} LIMIT {int(limit)})"
        else:
            sql = f"SELECT COUNT(*) FROM {self.table} WHERE {where}"
        try:
            return self.db.connection().execute(sql, c.params).fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "no such column: f:" in str(exc):
                self._load_columns(self.db.connection())
                return self.count_documents(filter, limit)
            raise StorageUnavailable(str(exc)) from exc

    def explain(self, filter: Filter | None = None, sort: SortSpec | None = None, limit: int = 0,
                hint: str | None = None, count: bool = False) -> str:
        """SQLite's query plan for a find (or a count): lets tests prove a list uses an index."""
        c = self._compiler()
        where = c.compile(filter)
        source = f'{self.table} INDEXED BY "{self._index_name(hint)}"' if hint else self.table
        if count:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where}{f' LIMIT {int(limit)}' if limit else ''})"
        else:
            sql = f"SELECT doc FROM {source} WHERE {where}{_order_by(sort, self.columns)}"
            sql += f" LIMIT {int(limit)}" if limit else ""
        rows = self._query(f"EXPLAIN QUERY PLAN {sql}", c.params)
        return "\n".join(str(r[-1]) for r in rows)

    # -- writes
    def _insert(self, conn, doc: dict) -> Any:
        if "_id" not in doc:
            doc["_id"] = uuid.uuid4().hex
        try:
            conn.execute(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)", (doc["_id"], _dumps(doc)))
        except sqlite3.IntegrityError as exc:
            raise DuplicateKeyError(f"{self.name}: duplicate key {doc['_id']!r}: {exc}") from exc
        return doc["_id"]

    def insert_one(self, document: dict) -> Any:
        if not isinstance(document, dict):
            raise UnsupportedQuery("documents must be dicts")
        with self.db.write() as conn:
            return self._insert(conn, document)

    def insert_many(self, documents: Iterable[dict]) -> list:
        docs = list(documents)
        if not all(isinstance(d, dict) and type(d.get("_id")) is str for d in docs):
            return self._insert_each(docs)
        with self.db.write() as conn:
            # one statement for them all (a read model records a poll's event ids: one execute each was a
            # tenth of its time); a duplicate undoes it, and the documents go one at a time, as ordered
            conn.execute("SAVEPOINT insert_many")
            try:
                conn.executemany(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)",
                                 [(d["_id"], _dumps(d)) for d in docs])
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK TO insert_many")
                conn.execute("RELEASE insert_many")
            else:
                conn.execute("RELEASE insert_many")
                return [d["_id"] for d in docs]
        return self._insert_each(docs)

    def _insert_each(self, documents: list) -> list:
        ids: list = []
        with self.db.write() as conn:
            for doc in documents:
                try:
                    ids.append(self._insert(conn, doc))
                except DuplicateKeyError:
                    # ordered semantics: what came before the duplicate stays inserted
                    if not getattr(self.db._local, "batch", 0):
                        conn.execute("COMMIT")
                        conn.execute("BEGIN IMMEDIATE")
                    raise
        return ids

    def _update(self, filter, update, upsert, many=False, sort=None, return_new=True):
        with self.db.write() as conn:
            rows = self._select(conn, filter, sort=sort, limit=0 if many else 1)
            matched = modified = 0
            result_doc = None
            for row_id, raw in rows:
                old = fastjson.loads(raw)
                new = apply_update(fastjson.loads(raw), update, in_place=True)  # parsing beats deepcopy
                matched += 1
                if new != old:
                    modified += 1
                    try:
                        conn.execute(f"UPDATE {self.table} SET doc = ? WHERE id = ?", (_dumps(new), row_id))
                    except sqlite3.IntegrityError as exc:
                        raise DuplicateKeyError(f"{self.name}: {exc}") from exc
                result_doc = new if return_new else old
            if matched or not upsert:
                return UpdateResult(matched, modified), result_doc
            new = apply_update(upsert_seed(filter), update, inserting=True)
            new_id = self._insert(conn, new)
            return UpdateResult(0, 0, new_id), (new if return_new else None)

    def update_one(self, filter: Filter, update: dict, upsert: bool = False) -> UpdateResult:
        return self._update(filter, update, upsert)[0]

    def update_many(self, filter: Filter, update: dict) -> UpdateResult:
        return self._update(filter, update, False, many=True)[0]

    def find_one_and_update(self, filter: Filter, update: dict, upsert: bool = False,
                            return_new: bool = True, sort: SortSpec | None = None) -> dict | None:
        return self._update(filter, update, upsert, sort=sort, return_new=return_new)[1]

    def upsert_each(self, changes: list[tuple[Filter, dict]]) -> list[bool]:
        """`update_one(filter, update, upsert=True)` for each change, in order, in one transaction: the
        documents read in one query and written in one statement each for updates and inserts (a read
        model's poll writes hundreds of buckets; one statement pair each was a sixth of its time)."""
        if not changes:
            return []
        ids = [f["_id"] for f, _ in changes]
        if any(type(i) is not str for i in ids):
            raise UnsupportedQuery("upsert_each needs an _id string in every filter")
        docs: dict[str, dict] = {}
        with self.db.write() as conn:
            unique_ids = list(dict.fromkeys(ids))
            for i in range(0, len(unique_ids), 500):  # below SQLite's bound-parameter limit
                chunk = unique_ids[i:i + 500]
                rows = conn.execute(f"SELECT id, doc FROM {self.table} WHERE id IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall()
                docs.update((row_id, fastjson.loads(raw)) for row_id, raw in rows)
            existed = set(docs)
            applied, dirty = [], {}
            for flt, update in changes:
                doc = docs.get(flt["_id"])
                if doc is None:
                    doc = docs[flt["_id"]] = apply_update(upsert_seed(flt), update, inserting=True, in_place=True)
                    applied.append(True)
                elif len(flt) == 1 or matches(doc, flt):  # (read by its _id: nothing else to match)
                    apply_update(doc, update, in_place=True)
                    applied.append(True)
                else:
                    applied.append(False)  # it exists and does not match: an upsert would meet its _id
                    continue
                dirty[flt["_id"]] = doc
            try:
                conn.executemany(f"UPDATE {self.table} SET doc = ? WHERE id = ?",
                                 [(_dumps(d), i) for i, d in dirty.items() if i in existed])
                conn.executemany(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)",
                                 [(i, _dumps(d)) for i, d in dirty.items() if i not in existed])
            except sqlite3.IntegrityError as exc:
                raise DuplicateKeyError(f"{self.name}: {exc}") from exc
        return applied

    def delete_one(self, filter: Filter) -> int:
        with self.db.write() as conn:
            rows = self._select(conn, filter, limit=1, columns="id")
            for (row_id,) in rows:
                conn.execute(f"DELETE FROM {self.table} WHERE id = ?", (row_id,))
            return len(rows)

    def delete_many(self, filter: Filter) -> int:
        c = self._compiler()
        where = c.compile(filter)
        with self.db.write() as conn:
            return conn.execute(f"DELETE FROM {self.table} WHERE {where}", c.params).rowcount

    def _index_name(self, name: str) -> str:
        return re.sub(r"[^A-Za-z0-9_]", "_", f"ix_{self.name}_{name}")

    def create_index(self, keys, unique: bool = False, name: str | None = None, sparse: bool = False) -> str:
        """An index on virtual generated columns, one per path (`"f:<path>"`, json_extract of it).

        `sparse`: documents without the field are left out of a unique index; SQLite's UNIQUE already
        lets any number of rows hold NULL (a missing path), so nothing more is needed here.

        Filters and sorts name those columns, so SQLite matches them to the index, and an index
        holding every column a count or an ordered scan needs answers it without reading documents.
        """
        spec = index_keys(keys)
        name = name or "_".join(f"{k}_{d}" for k, d in spec)
        ix = self._index_name(name)
        with self.db.write() as conn:
            known = {row[1] for row in conn.execute(f"PRAGMA table_xinfo({self.table})")}
            for path, _ in spec:
                if path != "_id" and f"f:{path}" not in known:
                    conn.execute(f'ALTER TABLE {self.table} ADD COLUMN "f:{path}" '
                                 f"GENERATED ALWAYS AS (json_extract(doc,'{_json_path(path)}')) VIRTUAL")
            self._load_columns(conn)
            c = self._compiler()
            cols = ", ".join(f"{c.expr(k)}{' DESC' if d < 0 else ''}" for k, d in spec)
            sql = f'CREATE {"UNIQUE " if unique else ""}INDEX "{ix}" ON {self.table} ({cols})'
            old = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (ix,)).fetchone()
            if old is not None and old[0] != sql:
                conn.execute(f'DROP INDEX "{ix}"')  # made before (on expressions): rebuilt on the columns
                old = None
            if old is None:
                try:
                    conn.execute(sql)
                except sqlite3.IntegrityError as exc:
                    raise DuplicateKeyError(f"{self.name}: cannot build unique index {name}: {exc}") from exc
        return name

    def drop(self) -> None:
        with self.db.write() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {self.table}")
        self._ensure()
