"""Invalid input gets a 4xx with field-level messages and changes nothing."""
import pytest


def _count(svc):
    return svc.repo.collection.count_documents({})


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_invalid_input_is_refused_and_changes_nothing(make_svc, store):
    svc = make_svc(store=store)
    good = svc.id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _count(svc)

    r = svc.file(expect=422, petitioners=[{"name": "刘女士", "id_number": bad}])
    assert "check digit" in r["error"]["fields"]["petitioners"]["0"]["id_number"][0]
    r = svc.file(expect=422, category="weather")
    assert "category" in r["error"]["fields"]
    r = svc.file(expect=422, org_unit="atlantis")
    assert "org_unit_id" in r["error"]["fields"]
    r = svc.file(expect=422, channel="pigeon", petitioners=[{"name": "刘女士", "mobile": "12345"}])
    assert set(r["error"]["fields"]) == {"channel", "petitioners"}
    r = svc.file(expect=422, anonymous=True, channel="visit", petitioners=[])
    assert "anonymous" in r["error"]["fields"]
    r = svc.file(expect=422, headcount=1, petitioners=[{"name": "刘女士"}, {"name": "张先生"}])
    assert "headcount" in r["error"]["fields"]
    r = svc.file(expect=422, representatives=[{"name": "刘女士", "id_number": bad}], headcount=40)
    assert "id_number" in r["error"]["fields"]["representatives"]["0"]
    assert svc.client.post("/api/v1/petition/petitions", data="x", headers=svc.staff()).status_code == 400
    assert _count(svc) == before

    case = svc.file()
    pid = case["id"]
    version = svc.get(f"/petitions/{pid}")["version"]
    body = svc.assignment()
    del body["deadline"]
    r = svc.post(f"/petitions/{pid}/assign", body, expect=422).get_json()
    assert r["error"]["fields"]["deadline"] == ["Missing data for required field."]
    r = svc.post(f"/petitions/{pid}/assign", svc.assignment(deadline="2001-01-01"), expect=422).get_json()
    assert "deadline" in r["error"]["fields"]
    r = svc.post(f"/petitions/{pid}/assign", svc.assignment(unit_id="weather_bureau"), expect=422).get_json()
    assert "unit_id" in r["error"]["fields"]
    r = svc.post(f"/petitions/{pid}/assign", svc.assignment(unit_kind="community", unit_id="huangqi"),
                 expect=422).get_json()
    assert "unit_id" in r["error"]["fields"]
    r = svc.post(f"/petitions/{pid}/close", {"satisfaction": "satisfied"}, expect=409).get_json()
    assert r["error"]["code"] == "invalid_transition" and "registered" in r["error"]["message"]
    svc.post(f"/petitions/{pid}/answer", {"text": "已处理"}, expect=409)
    svc.post(f"/petitions/{pid}/suspend", {"reason": "等待鉴定"}, expect=409)
    assert "reason" in svc.post(f"/petitions/{pid}/escalate", {"reason": ""}, expect=422).get_json()["error"]["fields"]
    svc.post(f"/petitions/{pid}/frobnicate", {}, expect=404)
    after = svc.get(f"/petitions/{pid}")
    assert after["version"] == version and after["state"] == "registered" and after["assignment"] is None
    assert len(svc.get(f"/petitions/{pid}/timeline")["entries"]) == 1

    # staff elsewhere cannot act on it; a resident cannot see another's case
    xihu = svc.staff(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")
    svc.post(f"/petitions/{pid}/assign", svc.assignment(), headers=xihu, expect=404)
    svc.get(f"/petitions/{pid}", headers=svc.resident("someone"), expect=404)
    svc.get("/petitions", headers=svc.staff(), expect=422, status="bogus")
    svc.get("/stats", headers=svc.staff(), expect=422)
