"""An operator lists a service's dead letters over HTTP and replays them after a fix."""
from __future__ import annotations

import json

import pytest

from liandong.contracts import CONTRACTS
from liandong.platform import Platform
from liandong.testing import auth_headers, unique, wait_for


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_dead_letters_are_listed_and_replayed_by_an_admin_only(make_settings, store, bus):
    settings = make_settings(service="petition", store=store, bus=bus)
    platform = Platform.create("petition", settings)
    worker = platform.create_worker(outbox_collections=[], handlers={})
    worker.start()
    try:
        good = CONTRACTS.new_event("gateway.org_unit.created", "yangchun", {
            "org_unit_id": "yangchun", "name": "阳春社区", "level": "community", "parent_id": "ceguan",
            "path": "/chuanying/ceguan/yangchun/"}, "/chuanying/ceguan/yangchun/")
        started = platform.clock.now_iso()
        poison_id = unique("poison-")  # a shared broker may hold other runs' dead letters of this group
        poison = json.dumps(good.to_dict() | {"id": poison_id, "data": {"org_unit_id": "BAD ID"}}).encode()
        platform.bus.publish("gateway.events", "yangchun", poison)
        platform.bus.publish("gateway.events", "yangchun", good.to_json())
        elsewhere = CONTRACTS.new_event("gateway.org_unit.created", "jiayuan", {
            "org_unit_id": "jiayuan", "name": "家园社区", "level": "community", "parent_id": "huangqi",
            "path": "/chuanying/huangqi/jiayuan/"}, "/chuanying/huangqi/jiayuan/")
        platform.bus.publish("gateway.events", "jiayuan", elsewhere.to_json())
        platform.bus.flush()
        client = platform.create_app().test_client()
        admin = auth_headers(settings, "district_admin", "chuanying", "/chuanying/")
        wait_for(lambda: all(client.get(f"/api/v1/petition/org-units/{u}", headers=admin).status_code == 200
                             for u in ("yangchun", "jiayuan")), 30, message="the consumer goes on past the poison message")
        def ours():  # this run's letters: a shared broker's older ones fall before `from`
            page = client.get("/api/v1/petition/dead-letters", headers=admin,
                              query_string={"from": started, "page_size": 100}).get_json()
            return [d for d in page["items"] if d["event_id"] == poison_id]

        listed = wait_for(ours, 30, message="the dead letter is listed")
        assert len(listed) == 1
        letter = listed[0]
        assert (letter["reason"], letter["original_topic"]) == ("invalid_data", "gateway.events")
        assert "org_unit_id" in letter["error"] and letter["replayed_at"] is None
        worker_headers = auth_headers(settings, "community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/")
        assert client.get("/api/v1/petition/dead-letters", headers=worker_headers).status_code == 403
        # the list's org_unit is the events' subtree: the poison is yangchun's, not jiayuan's
        def of_unit(unit):
            return [d["event_id"] for d in client.get("/api/v1/petition/dead-letters", headers=admin, query_string={
                "from": started, "page_size": 100, "org_unit": unit}).get_json()["items"]]
        assert poison_id in of_unit("yangchun") and poison_id not in of_unit("jiayuan")
        refused = client.get("/api/v1/petition/dead-letters", headers=admin, query_string={"limit": 5})
        assert refused.status_code == 422 and "limit" in refused.get_json()["error"]["fields"]
        assert client.post("/api/v1/petition/dead-letters/replay", json={}, headers=worker_headers).status_code == 403
        assert client.post("/api/v1/petition/dead-letters/replay", json={"ids": "x"}, headers=admin).status_code == 422
        replay = {"ids": [letter["id"]]}
        assert client.post("/api/v1/petition/dead-letters/replay", json=replay, headers=admin).get_json() == {"replayed": 1}
        # still broken: it comes back as a second dead letter of the same group, the first is marked replayed
        letters = wait_for(lambda: (lambda d: d if len(d) == 2 else None)(ours()), 30,
                           message="the replayed poison is dead-lettered again")
        assert [d["id"] for d in letters if d["replayed_at"]] == [letter["id"]]
    finally:
        worker.stop.set()
        for t in worker.threads:
            t.join(timeout=10)
        if store == "mongo":
            platform.db.drop()
