"""Personal data at rest: after a journey through all four services (through the gateway, with
Idempotency-Keys, the workers relaying and consuming), no known ID number, mobile, address, name or
income is at rest anywhere the platform keeps it, on both backend pairs: `embedded` — SQLite's main files,
their -wal/-shm files, the embedded event log; `kafka-mongo` — every document of every collection of the
run's databases, FerretDB's own SQLite files, and every record (key, value, headers) of every Kafka topic of
the run. The same values still come back through the API to whoever may read them."""
from __future__ import annotations

import base64
import dataclasses
import importlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from liandong.config import SERVICES
from liandong.idnumbers import check_digit
from liandong.crypto import FieldCipher
from liandong.testing import auth_headers, settings_env


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


PETITIONER_ID = _id("22020419610823517")
MEMBER_ID = _id("22020419580417632")
MIGRANT_ID = _id("22028119870922745")
SUPERVISED_ID = _id("22020219910606851")
PETITIONER_MOBILE, VOLUNTEER_MOBILE, LANDLORD_MOBILE, VISITED_MOBILE = (
    "13987651423", "13876541329", "13765431287", "13654321976")
INCOME_FEN = 123457  # 1 234.57 yuan a month
ASSETS_FEN = 3654329
ADDRESS = "松花江路九十七号"
PERMIT = "JLZ9138274"

# names that go with a number: a petitioner's, a household member's, a migrant's, a mediation party's
NAMES = ["欧阳明璇", "欧阳建国", "欧阳春生", "欧阳大伟"]
TEXTS = [PETITIONER_ID, MEMBER_ID, MIGRANT_ID, SUPERVISED_ID, PETITIONER_MOBILE, VOLUNTEER_MOBILE, LANDLORD_MOBILE,
         VISITED_MOBILE, ADDRESS, PERMIT, "1234.57", "36543.29", *NAMES]
# incomes and assets as JSON numbers (not as the digits inside a timestamp's microseconds)
NUMBERS = [INCOME_FEN, ASSETS_FEN]

JIAYUAN = "/chuanying/huangqi/jiayuan/"


def base64_forms(needle: bytes) -> list[bytes]:
    """What `needle` looks like inside base64 text at each of the three alignments (only the characters
    that come from the needle alone), in both alphabets: a stored body in base64 is still plain text."""
    out = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + needle)
        part = encoded[-(-4 * offset // 3):(4 * (offset + len(needle))) // 3]
        out += [part, part.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def leaks(blob: bytes) -> list[str]:
    found = [t for t in TEXTS if t.encode() in blob]
    found += [str(n) for n in NUMBERS if re.search(rb"[:\[,]\s*" + str(n).encode() + rb"(?![0-9.])", blob)]
    # the embedded stores may escape non-ASCII text in JSON
    found += [t for t in TEXTS if not t.isascii() and json.dumps(t).strip('"').encode() in blob]
    found += [f"{t} (base64)" for t in TEXTS if any(f in blob for f in base64_forms(t.encode()))]
    found += [f"{n} (base64)" for n in NUMBERS
              if any(f in blob for sep in (":", ": ") for f in base64_forms(f"{sep}{n}".encode()))]
    return found


def journey(base: str, settings) -> dict:
    worker = auth_headers(settings, "community_worker", "jiayuan", JIAYUAN, duties=("civil_affairs", "corrections"))
    officer = auth_headers(settings, "subdistrict_officer", "huangqi", "/chuanying/huangqi/")

    def post(path: str, body: dict, headers: dict, status: int = 201) -> dict:
        r = requests.post(f"{base}/api/v1/{path}", json=body, timeout=30,
                          headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json()

    petition = post("petition/petitions", {
        "org_unit_id": "jiayuan-b1", "category": "environment_noise", "channel": "visit",
        "content": "楼下饭店油烟和噪音扰民", "petitioners": [{"name": "欧阳明璇", "id_number": PETITIONER_ID,
                                                   "mobile": PETITIONER_MOBILE, "address": ADDRESS}]}, worker)
    again = post("petition/petitions", {  # the same person again: found by the blind index
        "org_unit_id": "jiayuan-b1", "category": "property", "channel": "visit", "content": "楼道堆放杂物",
        "petitioners": [{"name": "欧阳明璇", "id_number": PETITIONER_ID}]}, worker)
    assert [d["id"] for d in again["possible_duplicates"]] == [petition["id"]]

    household = {"residence": "urban", "address": ADDRESS, "financial_assets_fen": ASSETS_FEN, "members": [
        {"name": "欧阳建国", "id_number": MEMBER_ID, "relation": "applicant", "monthly_income_fen": INCOME_FEN,
         "employment": "unemployed", "disability_grade": 2},
        {"name": "欧阳小芳", "id_number": _id("22020419600101123"), "relation": "spouse", "monthly_income_fen": 0},
        {"name": "欧阳小明", "id_number": _id("22020420100101123"), "relation": "child", "monthly_income_fen": 0}]}
    application = post("welfare/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                                "household": household}, worker)
    post(f"welfare/applications/{application['id']}/community-review", {"decision": "pass", "notice_days": 0},
         worker, 200)
    grant = post(f"welfare/applications/{application['id']}/approval", {}, officer, 200)["grant"]
    post(f"welfare/grants/{grant['id']}/re-reviews", {"household": household}, worker, 200)
    post("welfare/visits", {"org_unit_id": "jiayuan", "kind": "home", "visited": f"欧阳建国 {VISITED_MOBILE}",
                            "notes": f"住{ADDRESS}, 腿脚不便"}, worker)

    pairing = post("welfare/pairings", {"org_unit_id": "jiayuan", "helper_id": "cadre-7", "helper_name": "刘书记",
                                        "helper_kind": "cadre", "household": f"欧阳建国 {ADDRESS}",
                                        "plan": "每月走访, 协助办理残疾人证"}, worker)

    post("welfare/fund/donations", {"org_unit_id": "huangqi", "donor": "船营区供电公司", "donor_kind": "co_building_unit",
                                    "amount_fen": 500000}, officer)
    fund_grant = post("welfare/fund/grants", {"org_unit_id": "huangqi", "recipient": f"欧阳建国 {VISITED_MOBILE}",
                                              "reason": f"{ADDRESS} 住户, 患病住院", "amount_fen": 100000}, officer)
    post(f"welfare/fund/grants/{fund_grant['_id']}/approval", {}, officer, 200)
    ledger = get_json(base, "welfare/fund/huangqi/entries", officer)["items"]
    assert f"欧阳建国 {VISITED_MOBILE}" in [e["party"] for e in ledger]

    volunteer = post("volunteer/volunteers", {"name": "欧阳志愿", "kind": "party_member", "org_unit_id": "jiayuan",
                                              "consent": True, "mobile": VOLUNTEER_MOBILE}, worker)

    migrant = post("security/migrants", {
        "org_unit_id": "jiayuan-b1", "name": "欧阳春生", "id_number": MIGRANT_ID, "origin": "吉林省舒兰市",
        "address": ADDRESS, "landlord_name": "欧阳丽", "landlord_mobile": LANDLORD_MOBILE, "permit_number": PERMIT,
        "permit_expires_on": "2099-01-01"}, worker)
    supervised = post("security/corrections/people", {
        "org_unit_id": "jiayuan", "name": "欧阳某", "id_number": SUPERVISED_ID, "category": "community_correction",
        "visit_interval_days": 7, "responsible_worker_id": "w-1", "responsible_worker_name": "矫正专干刘芳"}, worker)

    post(f"security/corrections/people/{supervised['id']}/visits", {"note": f"住{ADDRESS}, 按时报到"}, worker, 200)
    post("security/incidents", {"org_unit_id": "jiayuan", "type": "other", "severity": "low",
                                "description": "楼道堆放杂物", "address": ADDRESS}, worker)
    dispute = post("security/disputes", {
        "org_unit_id": "jiayuan", "type": "neighbour", "summary": "楼上漏水",
        "parties": [{"name": "欧阳大伟", "role": "申请人"}, {"name": "李某", "role": "被申请人"}],
        "mediator_name": "调解员老张"}, worker)
    post(f"security/disputes/{dispute['id']}/sessions", {"note": f"欧阳大伟 电话 {VISITED_MOBILE}"}, worker, 200)
    assert get_json(base, f"welfare/pairings/{pairing['_id']}", officer)["household"] == f"欧阳建国 {ADDRESS}"
    assert get_json(base, f"security/disputes/{dispute['id']}", worker)["parties"][0]["name"] == "欧阳大伟"

    ids = {"petition": petition["id"], "application": application["id"], "grant": grant["id"],
           "volunteer": volunteer["id"], "migrant": migrant["id"], "supervised": supervised["id"]}
    read_back(base, settings, ids)
    return ids


def get_json(base: str, path: str, headers: dict) -> dict:
    r = requests.get(f"{base}/api/v1/{path}", headers=headers, timeout=30)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


def read_back(base: str, settings, ids: dict) -> None:
    """What is stored encrypted still reads back, whole, for whoever may see it, and is found by its index."""
    worker = auth_headers(settings, "community_worker", "jiayuan", JIAYUAN, duties=("civil_affairs", "corrections"))
    officer = auth_headers(settings, "subdistrict_officer", "huangqi", "/chuanying/huangqi/")

    def get(path: str, headers: dict) -> dict:
        r = requests.get(f"{base}/api/v1/{path}", headers=headers, timeout=30)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    petitioner = get(f"petition/petitions/{ids['petition']}", officer)["petitioners"][0]
    assert (petitioner["id_number"], petitioner["mobile"], petitioner["name"]) == (PETITIONER_ID, PETITIONER_MOBILE,
                                                                                 "欧阳明璇")
    assert get("petition/petitions?id_number=" + PETITIONER_ID, officer)["total"] == 2
    members = get(f"welfare/applications/{ids['application']}", officer)["household"]["members"]
    assert (members[0]["id_number"], members[0]["monthly_income_fen"]) == (MEMBER_ID, INCOME_FEN)
    assert get(f"welfare/grants/{ids['grant']}", officer)["household"]["financial_assets_fen"] == ASSETS_FEN
    assert get(f"volunteer/volunteers/{ids['volunteer']}", worker)["mobile"] in (VOLUNTEER_MOBILE, "138****1329")
    shown = get(f"security/migrants/{ids['migrant']}", officer)
    assert (shown["id_number"], shown["landlord_mobile"], shown["name"]) == (MIGRANT_ID, LANDLORD_MOBILE, "欧阳春生")
    again = requests.post(f"{base}/api/v1/security/migrants", headers=worker, timeout=30, json={
        "org_unit_id": "jiayuan-b2", "name": "欧阳春生", "id_number": MIGRANT_ID, "origin": "吉林省舒兰市",
        "address": ADDRESS})
    assert again.status_code == 409  # one registration per ID number and community: the blind index is unique
    assert get(f"security/corrections/people/{ids['supervised']}", worker)["name"] == "欧阳某"


def kafka_records(settings) -> list[tuple[str, bytes]]:
    """Every record the run's topics hold (its namespace), read from the beginning: (topic, key+value+headers)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    try:
        parts = [TopicPartition(t, p) for t in consumer.topics() if t.startswith(settings.bus_namespace)
                 for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in parts) and time.monotonic() < deadline:
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                for r in batch:
                    blob = b"\n".join([r.key or b"", r.value or b"", *(v or b"" for _, v in r.headers or [])])
                    out.append((tp.topic, blob))
        assert all(consumer.position(tp) >= ends[tp] for tp in parts), "the run's topics were not read to the end"
        return out
    finally:
        consumer.close()


def ferretdb_files(mongo_uri: str, prefix: str) -> list[Path]:
    """FerretDB (SQLite backend) keeps each database in <data dir>/<name>.sqlite (+ -wal, -shm)."""
    port = urlparse(mongo_uri).port or 27017
    cache = Path(os.environ.get("LIANDONG_CACHE_DIR") or Path.home() / ".cache" / "liandong")
    return sorted((cache / "ferretdb" / f"data-{port}").glob(f"{prefix}_*"))


@pytest.mark.e2e
def test_no_known_personal_value_is_in_any_database_file_after_a_journey(backend_pair, platform_settings, e2e,
                                                                         tmp_path):
    store, bus = backend_pair
    settings = platform_settings(store=store, bus=bus)
    found: dict[str, list[str]] = {}

    def scan_files(when: str) -> list[Path]:
        files = [p for p in Path(settings.data_dir).rglob("*") if p.is_file() and "logs" not in p.parts]
        for path in files:
            hit = leaks(path.read_bytes())
            if hit:
                found[f"{path.relative_to(settings.data_dir)} ({when})"] = hit
        return files

    proc = e2e.start_platform(settings, tmp_path / "run.log")
    try:
        e2e.check_running(settings)
        journey(f"http://127.0.0.1:{settings.ports['gateway']}", settings)
        e2e.wait_settled(settings)  # the relays published, the consumers (read models, services) stored what they keep
        # while running: the write-ahead logs hold the latest pages (a clean stop folds them in and removes them)
        running = scan_files("running")
    finally:
        e2e.stop_platform(proc)
    stopped = scan_files("stopped")
    if bus == "embedded":  # the event log (and on SQLite the databases) are files of the data directory
        assert any(p.name.endswith("-wal") for p in running) and any(p.name.endswith(".db") for p in stopped)
    else:
        records = kafka_records(settings)
        assert len({topic for topic, _ in records}) >= 4, "the journey's events are not on the run's topics?"
        for topic, blob in records:
            hit = leaks(blob)
            if hit:
                found.setdefault(f"Kafka topic {topic}", []).extend(hit)
    if store == "mongo":
        import pymongo

        client = pymongo.MongoClient(settings.mongo_uri)
        try:
            for service in SERVICES:
                db = client[f"{settings.database_prefix}_{service}"]
                names = db.list_collection_names()
                assert names or service == "gateway", f"nothing stored by {service}?"
                for name in names:
                    for doc in db[name].find({}):
                        hit = leaks(json.dumps(doc, default=str, ensure_ascii=False).encode())
                        if hit:
                            found[f"{db.name}.{name}/{doc['_id']}"] = hit
            ferret = ferretdb_files(settings.mongo_uri, settings.database_prefix)
            for path in ferret:  # read before the databases are dropped
                hit = leaks(path.read_bytes())
                if hit:
                    found[f"FerretDB {path.name}"] = hit
        finally:
            for service in SERVICES:
                client.drop_database(f"{settings.database_prefix}_{service}")
            client.close()
    assert found == {}


def stores(settings, service: str):
    """The service's declared personal stores, on its own database, and the platform holding them."""
    platform = importlib.import_module(f"{service}.bootstrap").create_platform(settings.for_service(service))
    return platform, importlib.import_module(f"{service}.bootstrap").personal_stores(platform)


def as_before(settings, service: str) -> int:
    """Every personal field of the service written back in plain text, no blind index: data from before."""
    platform, declared = stores(settings, service)
    n = 0
    for store in declared:
        for doc in store.collection.find({}):
            plain = store.personal.decrypt(doc, platform.cipher)
            fields = {k: plain[k] for k in {p.split(".")[0].split("[")[0].split("{")[0] for p in store.personal.paths}
                      if k in plain}
            update = {"$set": fields}
            if store.personal.blind:
                update["$unset"] = {b.field: "" for b in store.personal.blind}
            n += store.collection.update_one({"_id": doc["_id"]}, update).matched_count
    platform.db.close()
    return n


def reencrypt(settings) -> dict:
    done = subprocess.run([sys.executable, "-m", "liandong.reencrypt"], env=settings_env(settings),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def rewritten(report: dict) -> dict:
    return {f"{s}.{c}": r["rewritten"] for s, cs in report.items() for c, r in cs.items()}


@pytest.mark.e2e
@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_reencrypt_encrypts_data_from_before_and_rotates_the_key_in_place(store, platform_settings, e2e, tmp_path):
    old = dataclasses.replace(platform_settings(store=store), encryption_key="the key of last year")
    proc = e2e.start_platform(old, tmp_path / "old.log")
    try:
        e2e.check_running(old)
        base = f"http://127.0.0.1:{old.ports['gateway']}"
        ids = journey(base, old)
        e2e.wait_settled(old)  # what the consumers derive from the journey's events is stored before the stop
    finally:
        e2e.stop_platform(proc)
    # petition, welfare and security as an earlier version wrote them: in plain text; volunteer and the
    # gateway under last year's key
    assert all(as_before(old, s) for s in ("petition", "welfare", "security"))
    new = dataclasses.replace(old, encryption_key="the key of this year", previous_encryption_keys=(old.encryption_key,))

    report = reencrypt(new)
    assert report["petition"]["petitions"]["derived"] == 2 * 2  # who-filed-what: old entries out, new ones in
    first = rewritten(report)
    assert first["petition.petitions"] == 2 and first["welfare.applications"] == 1 and first["security.migrants"] == 1
    assert first["volunteer.volunteers"] == 1 and first["gateway.idempotency_keys"] >= 8  # the old key's
    assert set(rewritten(reencrypt(new)).values()) == {0}  # idempotent: a second run finds nothing to do

    only_new = FieldCipher(new.encryption_key)
    for service in SERVICES:
        platform, declared = stores(new, service)
        for s in declared:
            for doc in s.collection.find({}):
                assert not s.personal.stale(doc, only_new), (service, s.collection.name, doc["_id"])
        platform.db.close()
    if store == "sqlite":
        for path in Path(new.data_dir).glob("*.db*"):
            assert leaks(path.read_bytes()) == [], path.name  # nothing left behind in free pages either

    # last year's key is gone: everything reads (and is found) with this year's alone
    current = dataclasses.replace(new, previous_encryption_keys=())
    proc = e2e.start_platform(current, tmp_path / "new.log")
    try:
        e2e.check_running(current)
        base = f"http://127.0.0.1:{current.ports['gateway']}"
        read_back(base, current, ids)
        # the same person files again: found by the who-filed-what index rebuilt under this year's key
        worker = auth_headers(current, "community_worker", "jiayuan", JIAYUAN)
        again = requests.post(f"{base}/api/v1/petition/petitions", headers=worker, timeout=30, json={
            "org_unit_id": "jiayuan-b1", "category": "neighbour_dispute", "channel": "visit", "content": "邻居占用楼道",
            "petitioners": [{"name": "欧阳明璇", "id_number": PETITIONER_ID}]})
        assert again.status_code == 201, again.text
        assert ids["petition"] in [d["id"] for d in again.json()["possible_duplicates"]]
    finally:
        e2e.stop_platform(proc)
        if store == "mongo":
            import pymongo

            with pymongo.MongoClient(current.mongo_uri) as client:
                for service in SERVICES:
                    client.drop_database(f"{current.database_prefix}_{service}")
