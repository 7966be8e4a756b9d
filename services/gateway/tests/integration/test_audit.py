"""Reads of personal data are audited by the service that answered them, however it was called: through the
gateway or on the service's own port inside the cluster; the gateway's trail shows both, each once."""
import pytest
import requests

from liandong.testing import wait_for

from petition.bootstrap import create_app as petition_app, create_worker as petition_worker

BACKENDS = [("sqlite", "embedded"), ("mongo", "kafka")]


@pytest.mark.parametrize("store,bus", BACKENDS)
def test_a_read_on_the_services_own_port_reaches_the_audit_trail_and_a_gateway_read_counts_once(
        make_svc, serve, workers, store, bus):
    svc = make_svc(store=store, bus=bus)
    ps = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(ps))
    served = serve(petition_app(ps), port=ps.ports["petition"])
    worker = svc.headers("jiayuan_worker")
    wait_for(lambda: svc.client.get("/api/v1/petition/org-units/jiayuan-b1", headers=worker).status_code == 200, 30,
             message="petition knows the tree")
    filed = svc.client.post("/api/v1/petition/petitions", headers=worker, json={
        "org_unit_id": "jiayuan-b1", "category": "environment_noise", "channel": "visit", "content": "楼下噪音扰民",
        "petitioners": [{"name": "刘女士", "mobile": "13904321234", "address": "1号楼3单元"}]})
    assert filed.status_code == 201, filed.get_json()
    pid = filed.get_json()["id"]
    admin = svc.headers("district_admin")

    def reads(path):
        entries = svc.client.get("/api/v1/audit?service=petition&action=read", headers=admin).get_json()["items"]
        return [e for e in entries if e["path"] == path]

    # in the cluster: straight to the service's port, no gateway on the way
    direct = requests.get(f"{served.url}/api/v1/petition/petitions/{pid}", headers=worker, timeout=10)
    assert direct.status_code == 200 and "mobile" in str(direct.json())
    path = f"/api/v1/petition/petitions/{pid}"
    entry = wait_for(lambda: reads(path), 30, message="the direct read in the gateway's audit trail")[0]
    assert entry["correlation_id"] == direct.headers["X-Correlation-ID"]
    assert entry["service"] == "petition" and "mobile" in entry["fields"] and entry["method"] == "GET"
    me = svc.client.get("/api/v1/auth/me", headers=worker).get_json()["user_id"]
    assert entry["user_id"] == me and entry["org_path"] == "/chuanying/huangqi/jiayuan/"

    # through the gateway: one entry for the request, not one from the gateway and one from the service
    via = svc.client.get(path, headers={**worker, "X-Correlation-ID": "audit-once-1"})
    assert via.status_code == 200
    wait_for(lambda: any(e.get("reads") for e in reads(path) if e["correlation_id"] == "audit-once-1"), 30,
             message="the service's report of the gateway read in the audit trail")
    mine = [e for e in reads(path) if e["correlation_id"] == "audit-once-1"]
    assert len(mine) == 1 and mine[0]["reads"] == 1
    # answers without personal fields write nothing
    before = len(svc.client.get("/api/v1/audit?service=petition", headers=admin).get_json()["items"])
    assert svc.client.get("/api/v1/petition/org-units/jiayuan", headers=worker).status_code == 200
    assert len(svc.client.get("/api/v1/audit?service=petition", headers=admin).get_json()["items"]) == before


@pytest.mark.parametrize("export_first", [True, False])
def test_an_exports_entry_and_the_pages_reads_the_service_reports_are_one_entry_in_either_order(database,
                                                                                                export_first):
    """An export reads many pages; the gateway says 'export' (with the filters), the service reports each
    page read: one entry for the request whichever arrives first, and a redelivered report counts once."""
    from types import SimpleNamespace

    from liandong.clock import Clock
    from liandong.contracts import CONTRACTS

    from gateway.adapters.audit_log import AuditLog

    audit = AuditLog(SimpleNamespace(clock=Clock(), db=database))
    audit.prepare()
    data = {"user_id": "u-1", "name": "甲", "roles": ["subdistrict_officer"], "org_path": "/chuanying/huangqi/",
            "action": "read", "method": "GET", "path": "/api/v1/petition/petitions", "status": 200,
            "fields": ["mobile"], "at": "2026-03-01T08:00:00.000000Z"}
    pages = [CONTRACTS.new_event("petition.personal_data.accessed", "u-1", data, "/chuanying/huangqi/",
                                 correlation_id="cid-1") for _ in range(2)]

    def export():
        audit.record_export(user_id="u-1", name="甲", roles=["subdistrict_officer"], org_path="/chuanying/huangqi/",
                            path="/api/v1/petition/petitions", query="channel=visit", service="petition",
                            fields=["id_number"], correlation_id="cid-1")

    if export_first:
        export()
    for event in pages + pages[:1]:  # the first page's report delivered twice
        audit.on_personal_data_accessed(event)
    if not export_first:
        export()
    entries = audit.page(["/"]).items
    assert len(entries) == 1
    e = entries[0]
    assert (e["action"], e["query"], e["reads"], e["service"]) == ("export", "channel=visit", 2, "petition")
    assert set(e["fields"]) == {"mobile", "id_number"} and e["path"] == "/api/v1/petition/petitions"


def test_an_attachment_removed_is_in_the_audit_trail_as_a_removal(database):
    """A service reports a file taken off its record (DELETE …/attachments/{id}, #22) with action `remove`: the
    audit trail says removed, not read, with who and which file's path."""
    from types import SimpleNamespace

    from liandong.clock import Clock
    from liandong.contracts import CONTRACTS

    from gateway.adapters.audit_log import AuditLog

    audit = AuditLog(SimpleNamespace(clock=Clock(), db=database))
    audit.prepare()
    path = "/api/v1/petition/petitions/p-1/attachments/a-1"
    data = {"user_id": "u-2", "name": "乙", "roles": ["community_worker"], "org_path": "/chuanying/huangqi/jiayuan/",
            "action": "remove", "method": "DELETE", "path": path, "status": 204, "fields": ["attachment"],
            "at": "2026-03-01T08:00:00.000000Z"}
    audit.on_personal_data_accessed(CONTRACTS.new_event("petition.personal_data.accessed", "u-2", data,
                                                        "/chuanying/huangqi/jiayuan/", correlation_id="cid-9"))
    [e] = audit.page(["/"]).items
    assert (e["action"], e["method"], e["path"], e["user_id"], e["fields"]) == \
        ("remove", "DELETE", path, "u-2", ["attachment"])


def test_the_trails_consumer_reads_each_services_audit_topic_and_none_of_their_facts(make_svc):
    """The gateway worker's own group subscribes to every `<service>.audit` (and the gateway's own facts: the org
    tree, revoked sessions), never to a domain service's facts: fetching and skipping every one of those cost the
    worker a quarter to two fifths of its rate (#23, tests/bench/worker_consumers.py)."""
    from liandong.registry import DOMAIN_SERVICES, SERVICES

    svc = make_svc()
    own = next(c for c in svc.worker.consumers if c.group == "gateway")
    assert {f"{s}.audit" for s in SERVICES} <= set(own.topics)
    assert not {f"{s}.events" for s in DOMAIN_SERVICES} & set(own.topics), own.topics
