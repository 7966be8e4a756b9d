"""An import as a job: checked first, then written row by row through the kind's use case, with its progress.

The job is an aggregate of the importing service (`import_jobs`, with its outbox): who imported which file
(its SHA-256), in which mode, how far it got and what it counted. Finishing emits `<service>.import.completed`,
which the gateway keeps in the audit trail. The rows themselves are never stored: only, when the office chose to
import the good rows, the rows to fix as an XLSX, encrypted like any personal data, for them to download.

A job runs in the web process: a small file at once (the answer is the finished job), a large one in a thread
while the console polls its progress. If the process dies half way, the job shows `interrupted` once its
heartbeat is old; importing the same file again finishes it, since every row's natural key makes a row that is
already in `unchanged`.
"""
from __future__ import annotations

import base64
import contextvars
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from ..clock import from_iso
from ..domain import DomainEvent
from ..errors import DomainError, NotFound, ValidationFailed
from ..ids import new_id
from ..listing import Page, page_of
from ..personal import PersonalFields
from ..repository import OutboxRepository
from ..storage import one_commit
from ..storage.filters import all_of, one_of, within
from .columns import Context
from .kinds import CREATED, MODES, UNCHANGED, UPDATED, Checked, ImportKind, ImportRun, check_table
from .reading import ImportFileError, read_upload
from .workbooks import rejected_rows

log = logging.getLogger("liandong.imports")

INLINE_ROWS = 200  # a file this small is written before the answer; a larger one in the background
CHUNK_ROWS = 100  # rows per commit on SQLite (one transaction, not one per row)
HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 120  # a running job whose heartbeat is older was interrupted (its process died)
SHOWN_PROBLEMS = 200  # problems kept with the job / answered in JSON; the XLSX of rows to fix has them all


class ImportCompleted(DomainEvent):
    pass


@dataclass(kw_only=True)
class ImportJob:
    id: str
    org_path: str  # the importer's unit: whoever imports there (or above) sees the job
    kind: str
    title: str
    user_id: str
    user_name: str
    file_name: str
    file_sha256: str
    file_format: str
    mode: str
    rows: int
    status: str = "running"
    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows with problems, not written (good_rows mode)
    failed: int = 0  # rows the use case refused while writing
    example_skipped: int = 0
    problems: list = field(default_factory=list)
    started_at: str = ""
    heartbeat_at: str = ""
    finished_at: str | None = None
    rejected_file: str | None = None  # base64 XLSX of the rows to fix, sealed at rest
    version: int = 0
    events: list = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.done += 1
        if outcome in (CREATED, UPDATED, UNCHANGED):
            setattr(self, outcome, getattr(self, outcome) + 1)

    def finish(self, now: str, status: str = "done") -> None:
        self.status, self.finished_at, self.heartbeat_at = status, now, now
        self.events.append(ImportCompleted())

    def shown_status(self, now) -> str:
        if self.status == "running" and self.heartbeat_at and \
                now - from_iso(self.heartbeat_at) > timedelta(seconds=STALE_SECONDS):
            return "interrupted"
        return self.status


class ImportJobs(OutboxRepository[ImportJob]):
    collection_name = "import_jobs"
    indexes = (([("org_path", 1), ("started_at", -1)], {"name": "org_started"}),
               ([("file_sha256", 1)], {"name": "file"}))
    personal = PersonalFields.of("rejected_file")

    def to_document(self, job: ImportJob) -> dict:
        return {k: v for k, v in vars(job).items() if k not in ("id", "version", "events")}

    def from_document(self, doc: dict) -> ImportJob:
        return ImportJob(id=doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_") and k != "outbox"
                                           and k in ImportJob.__dataclass_fields__})

    def publish(self, job: ImportJob, event) -> tuple[str, dict] | None:
        if isinstance(event, ImportCompleted):
            return f"{self.deps.service}.import.completed", {
                "import_id": job.id, "kind": job.kind, "title": job.title, "user_id": job.user_id,
                "name": job.user_name, "org_path": job.org_path, "file_name": job.file_name,
                "file_sha256": job.file_sha256, "mode": job.mode, "status": job.status, "rows": job.rows,
                "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
                "rejected": job.rejected, "failed": job.failed, "started_at": job.started_at,
                "finished_at": job.finished_at}
        return None

    def page(self, paths: list[str], kind: str | None, page: int, page_size: int) -> Page:
        """The jobs started in any of `paths`, newest first (named query of the jobs list)."""
        return page_of(self.collection, all_of(within(paths), one_of("kind", kind)), page=page,
                       page_size=page_size, sort=[("started_at", -1)], load=self.loaded)


# -- the use cases, shared by every service that takes imports

def context_for(deps, principal, kind: ImportKind) -> Context:
    """Today in China Standard Time, the org units the caller may import into, the kind's own lookups."""
    paths = principal.scopes(kind.permission)
    units = {u["_id"]: u for u in deps.org.within(paths)} if paths else {}
    ctx = Context(today=deps.clock.today(), units=units)
    if kind.prepare is not None:
        kind.prepare(ctx, deps, principal)
    return ctx


def read(kind: ImportKind, raw: bytes, filename: str):
    try:
        return read_upload(raw, filename, sheet=kind.sheet)
    except ImportFileError as exc:
        raise ValidationFailed(exc.message, {"file": [exc.message]}) from None


def check(deps, principal, kind: ImportKind, raw: bytes, filename: str) -> Checked:
    """Every row of the file checked against the kind's rules and the caller's org units; nothing written."""
    principal.require(kind.permission)
    table = read(kind, raw, filename)
    try:
        return check_table(kind, table, context_for(deps, principal, kind))
    except ImportFileError as exc:
        raise ValidationFailed(exc.message, {"file": [exc.message]}) from None


def preview(deps, principal, kind: ImportKind, raw: bytes, filename: str) -> dict:
    checked = check(deps, principal, kind, raw, filename)
    problems = checked.problems
    return {"kind": kind.name, "title": kind.title, "sheet": checked.table.sheet, "file_name": filename,
            "file_sha256": hashlib.sha256(raw).hexdigest(), "file_format": checked.table.file_format,
            "encoding": checked.table.encoding, "rows": len(checked.rows), "good_rows": len(checked.good),
            "bad_rows": len(checked.bad), "example_skipped": checked.example_skipped,
            "problems_total": len(problems), "problems": [p.view() | {"text": p.sentence()}
                                                          for p in problems[:SHOWN_PROBLEMS]]}


def start(deps, principal, kind: ImportKind, raw: bytes, filename: str, mode: str,
          background: bool | None = None) -> ImportJob:
    """Check the file, then write it: all rows or none (mode `all`), or only the good ones (`good_rows`)."""
    if mode not in MODES:
        raise ValidationFailed("unknown mode", {"mode": [f"one of {', '.join(MODES)}"]})
    checked = check(deps, principal, kind, raw, filename)
    bad = checked.bad
    if bad and mode == "all":
        sentences = [p.sentence() for p in checked.problems]
        raise ValidationFailed(f"{len(bad)} 行有错误,未写入任何数据:请改正后重新导入,或选择只导入正确的行(good_rows)",
                               {"rows": sentences[:SHOWN_PROBLEMS]})
    now = deps.clock.now_iso()
    job = ImportJob(id=new_id(), org_path=_home(principal, kind), kind=kind.name, title=kind.title,
                    user_id=principal.user_id, user_name=principal.name, file_name=filename[:200],
                    file_sha256=hashlib.sha256(raw).hexdigest(), file_format=checked.table.file_format, mode=mode,
                    rows=len(checked.rows), rejected=len(bad), example_skipped=checked.example_skipped,
                    problems=[p.view() for p in checked.problems[:SHOWN_PROBLEMS]], started_at=now, heartbeat_at=now)
    if bad:
        job.rejected_file = base64.b64encode(rejected_rows(checked)).decode()
    jobs = ImportJobs(deps)
    started = job.id
    jobs.add(job)
    if job.id != started:  # a retry (same Idempotency-Key): the first attempt's job, as it stands, not a rerun
        return job
    run = ImportRun(deps, principal, context_for(deps, principal, kind))
    if background is None:
        background = len(checked.good) > INLINE_ROWS
    if not background:
        _write(jobs, job, kind, checked, run)
        return job
    context = contextvars.copy_context()  # the request's correlation id goes on in the job's logs
    threading.Thread(target=context.run, args=(_write, jobs, job, kind, checked, run),
                     name=f"import-{job.id}", daemon=True).start()
    return job


def _home(principal, kind: ImportKind) -> str:
    paths = principal.scopes(kind.permission)
    return paths[0] if len(paths) == 1 else "/"


def _write(jobs: ImportJobs, job: ImportJob, kind: ImportKind, checked: Checked, run: ImportRun) -> None:
    """Every good row through the kind's use case, a chunk per commit; progress saved about every 2 s."""
    deps = jobs.deps
    failed: dict[int, str] = {}
    last = time.monotonic()
    good = checked.good
    try:
        for start in range(0, len(good), CHUNK_ROWS):
            with one_commit(deps.db):
                for row in good[start:start + CHUNK_ROWS]:
                    try:
                        job.count(kind.apply(row.values, run))
                    except DomainError as exc:
                        job.done += 1
                        job.failed += 1
                        failed[row.row.number] = _said(exc)
                        if len(job.problems) < SHOWN_PROBLEMS:
                            job.problems.append({"sheet": checked.table.sheet, "row": row.row.number,
                                                 "column": None, "header": None, "message": _said(exc)})
            if time.monotonic() - last > HEARTBEAT_SECONDS:
                job.heartbeat_at = deps.clock.now_iso()
                jobs.save(job)
                last = time.monotonic()
        if failed:
            job.rejected_file = base64.b64encode(rejected_rows(checked, failed)).decode()
        job.finish(deps.clock.now_iso())
    except Exception:  # noqa: BLE001 — a job that broke says so, and the office may import the file again
        log.exception("import %s (%s) stopped", job.id, kind.name)
        job.finish(deps.clock.now_iso(), status="failed")
    jobs.save(job)


def _said(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in (exc.fields or {}).items())
    return exc.message + (f"({fields})" if fields else "")


def job_of(deps, principal, kind_permission: dict[str, str], job_id: str) -> ImportJob:
    """A job the caller started, or one started where they hold that kind's permission; else 404."""
    try:
        job = ImportJobs(deps).get(job_id)
    except NotFound:
        raise NotFound(f"no import {job_id!r}") from None
    permission = kind_permission.get(job.kind)
    if job.user_id != principal.user_id and not (permission and principal.can(permission, job.org_path)):
        raise NotFound(f"no import {job_id!r}")
    return job


def jobs_page(deps, principal, permissions: list[str], kind: str | None, page: int, page_size: int) -> Page:
    paths = sorted({p for perm in permissions for p in principal.scopes(perm)})
    if not paths:  # the jobs in the caller's sight: none (a list answers empty, as any list out of one's sight)
        return Page.of_all([], page, page_size)
    return ImportJobs(deps).page(paths, kind, page, page_size)


def view(job: ImportJob, now) -> dict:
    out = {k: v for k, v in vars(job).items() if k not in ("events", "rejected_file", "version", "org_path")}
    out["status"] = job.shown_status(now)
    to_write = job.rows - job.rejected  # rows refused by the check (good_rows mode) are never written
    out["progress"] = round(job.done / to_write, 4) if to_write > 0 else 1.0
    out["has_rejected_file"] = job.rejected_file is not None
    return out


def rejected_file(job: ImportJob) -> bytes:
    if not job.rejected_file:
        raise NotFound(f"import {job.id!r} has no rows to fix")
    return base64.b64decode(job.rejected_file)
