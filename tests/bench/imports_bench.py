"""Rollout day (#19): a community's real-population ledger — 10 000 households, 25 000 residents — imported
through the gateway into the security service's register (its own use cases: validation, encryption, events),
beside the raw insert rate of the same storage; and the preview of a 10 000-row file.

Timed over HTTP against the platform `make run` starts (embedded), from upload to the job's `done`; the
figures are checked afterwards (the register's total households, the job's created count)."""
from __future__ import annotations

import io
import random
import time

import requests

HOUSEHOLDS = 10_000
PEOPLE = 25_000
PREVIEW_ROWS = 10_000
HEADERS = ["社区或网格", "楼栋", "单元", "室", "户号", "姓名", "身份证号", "与户主关系", "户籍状态", "联系电话"]
RELATIONS = ["户主", "配偶", "子女", "父母"]


def ledger(rows: int, households: int, seed: int = 19) -> bytes:
    """An office's 实有人口 ledger: `rows` residents in `households` households of 家园社区, 2–3 per household."""
    import openpyxl
    from liandong.idnumbers import check_digit

    rnd = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(HEADERS)
    per = [rows // households + (1 if n < rows % households else 0) for n in range(households)]
    seq = 0
    for n, size in enumerate(per):
        building, room = n // 200 + 1, n % 200 + 101
        for m in range(size):
            seq += 1
            born = f"{rnd.randint(1940, 2015)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            first = f"{220204 + seq // 1000:06d}{born}{seq % 1000:03d}"
            ws.append(["家园社区", f"{building}号楼", f"{room // 100}单元", str(room), f"JY{n:06d}",
                       f"居民{seq}", first + check_digit(first), RELATIONS[min(m, 3)], "户籍人口",
                       f"139{rnd.randrange(10**8):08d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(base: str, headers: dict, record, raw_rate: float) -> None:
    url = f"{base}/api/v1/security/imports/residents"
    small = ledger(PREVIEW_ROWS, PREVIEW_ROWS // 2, seed=7)
    t0 = time.perf_counter()
    r = requests.post(f"{url}/preview", files={"file": ("实有人口.xlsx", small)}, headers=headers, timeout=120)
    preview_s = time.perf_counter() - t0
    assert r.status_code == 200 and r.json()["good_rows"] == PREVIEW_ROWS, r.text[:500]
    record(f"import preview of a {PREVIEW_ROWS:,}-row XLSX over HTTP (read + every row checked)", preview_s, "s",
           target="< 10 s")
    big = ledger(PEOPLE, HOUSEHOLDS)
    t0 = time.perf_counter()
    r = requests.post(url, files={"file": ("实有人口.xlsx", big)}, data={"mode": "all"}, headers=headers, timeout=300)
    assert r.status_code in (201, 202), r.text[:500]
    job = r.json()
    while job["status"] == "running":
        time.sleep(0.5)
        job = requests.get(f"{base}/api/v1/security/imports/jobs/{job['id']}", headers=headers, timeout=30).json()
    took = time.perf_counter() - t0
    assert job["status"] == "done" and job["created"] == PEOPLE and not job["failed"], job
    listed = requests.get(f"{base}/api/v1/security/households", params={"org_unit": "jiayuan", "page_size": 1},
                          headers=headers, timeout=30).json()
    assert listed["total"] >= HOUSEHOLDS, listed
    record(f"import of {HOUSEHOLDS:,} households / {PEOPLE:,} residents (upload → job done)", took, "s",
           target="< 60 s")
    record("import rate, residents through the register's use cases", PEOPLE / took, "rows/s", raw=raw_rate,
           raw_name="raw SQLite inserts")
