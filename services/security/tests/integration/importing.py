"""Building an office's ledger file in a test and sending it to the security service's import routes."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from liandong.testing import ledger_csv, ledger_xlsx

from ..conftest import JIAYUAN

IMPORTS = "/imports"


xlsx, gbk_csv = ledger_xlsx, ledger_csv


def sheet_rows(content: bytes) -> list[list]:
    """The first sheet's rows as values (a template, or the rows to fix)."""
    return [list(r) for r in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]


def upload(svc, kind: str, content: bytes, filename: str = "台账.xlsx", mode: str | None = None,
           preview: bool = False, role: str = "community_police", where: dict = JIAYUAN,
           idempotency_key: str | None = None, **claims):
    """POST the file to /imports/<kind> (or its preview) as a caller of `role` in `where`."""
    data = {"file": (io.BytesIO(content), filename)}
    if mode:
        data["mode"] = mode
    url = f"{svc.api_prefix}{IMPORTS}/{kind}" + ("/preview" if preview else "")
    headers = svc.headers(role, where, **claims) | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})
    return svc.client.post(url, data=data, headers=headers, content_type="multipart/form-data")


def job(svc, job_id: str, **caller) -> dict:
    return svc.get(f"{IMPORTS}/jobs/{job_id}", **caller).get_json()
