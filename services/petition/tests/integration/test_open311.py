"""Open311 GeoReport v2: a standard client lists services, files a request and reads it back."""

DEMO_KEY = "liandong-demo-open311"  # seeded in demo mode (tests run in demo mode) for 家园社区's resident app


def test_open311_client_sequence(svc):
    c = svc.client
    services = c.get("/open311/v2/services.json")
    assert services.status_code == 200
    codes = {s["service_code"]: s for s in services.get_json()}
    assert codes["environment_noise"]["service_name"] == "环境噪音"
    assert set(codes["property"]) >= {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    definition = c.get("/open311/v2/services/property.json").get_json()
    assert definition["service_code"] == "property"
    assert {a["code"] for a in definition["attributes"]} >= {"frequency", "when"}

    form = {"service_code": "environment_noise", "address_string": "家园社区1号楼", "address_id": "jiayuan-b1",
            "lat": "43.84", "long": "126.53", "description": "夜间施工噪音扰民", "first_name": "女士",
            "last_name": "刘", "phone": "13904321234", "api_key": DEMO_KEY,
            "attribute[frequency]": "recurring"}
    resident = svc.resident("res-1")
    created = c.post("/open311/v2/requests.json", data=form, headers=resident)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert isinstance(body, list) and set(body[0]) >= {"service_request_id", "service_notice", "account_id"}
    rid = body[0]["service_request_id"]

    one = c.get(f"/open311/v2/requests/{rid}.json")
    assert one.status_code == 200
    req = one.get_json()[0]
    assert req["service_request_id"] == rid and req["status"] == "open" and req["service_code"] == "environment_noise"
    assert req["address"] == "家园社区1号楼" and req["lat"] == 43.84 and req["address_id"] == "jiayuan-b1"
    assert req["requested_datetime"].endswith("+08:00") and "刘" not in str(req)  # no personal data
    listed = c.get("/open311/v2/requests.json", query_string={"service_code": "environment_noise", "status": "open"})
    assert rid in [r["service_request_id"] for r in listed.get_json()]
    assert c.get("/open311/v2/requests.json", query_string={"status": "closed"}).get_json() == []

    # the petition behind it, as staff and as the resident see it
    staff_view = svc.get(f"/petitions/{rid}")
    assert staff_view["channel"] == "online" and staff_view["source"] == "open311"
    assert staff_view["petitioners"][0]["name"] == "刘女士"
    mine = svc.get(f"/petitions/{rid}", headers=resident)
    assert mine["status"] == "受理" and "state" not in mine
    assert svc.get("/petitions", headers=resident)["total"] == 1

    # the case is answered: the standard status becomes closed with the answer as notes
    svc.post(f"/petitions/{rid}/assign", svc.assignment(), expect=200)
    svc.post(f"/petitions/{rid}/start", {"mode": "on_site_check"}, expect=200)
    svc.post(f"/petitions/{rid}/answer", {"text": "已责令施工单位夜间停工"}, expect=200)
    req = c.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
    assert req["status"] == "closed" and "夜间停工" in req["status_notes"] and req["agency_responsible"] == "环保"
    closed = svc.post(f"/petitions/{rid}/close", {"satisfaction": "basically"}, headers=resident, expect=200)
    assert closed.get_json()["status"] == "办结"


def test_open311_errors_use_the_standard_shape(svc):
    c = svc.client
    form = {"service_code": "environment_noise", "address_string": "x", "description": "噪音",
            "attribute[frequency]": "once"}
    r = c.post("/open311/v2/requests.json", data=form)  # no api_key: no filing, anonymous or not
    assert r.status_code == 401 and r.get_json()[0]["code"] == 401
    r = c.post("/open311/v2/requests.json", data=form, headers=svc.resident("res-no-key"))
    assert r.status_code == 401 and "api_key" in r.get_json()[0]["description"]
    form["api_key"] = DEMO_KEY
    r = c.post("/open311/v2/requests.json", data=form, headers={"Authorization": "Bearer forged.token.value"})
    assert r.status_code == 401 and r.get_json()[0]["code"] == 401
    h = svc.resident("res-2")
    for bad, words in (({**form, "service_code": "weather"}, "service_code"),
                       ({"service_code": "property", "description": "x", "api_key": DEMO_KEY}, "location"),
                       ({**form, "description": ""}, "description"),
                       ({**form, "phone": "123"}, "mobile")):
        r = c.post("/open311/v2/requests.json", data=bad, headers=h)
        assert r.status_code == 400, r.get_json()
        err = r.get_json()
        assert isinstance(err, list) and err[0]["code"] == 400 and words in err[0]["description"], err
    r = c.get("/open311/v2/requests/nope.json")
    assert r.status_code == 404 and r.get_json() == [{"code": 404, "description": "no service request 'nope'"}]
    # JSON bodies work too
    r = c.post("/open311/v2/requests.json", json={**form, "address_id": "jiayuan-b2"}, headers=h)
    assert r.status_code == 201
    assert svc.get(f"/petitions/{r.get_json()[0]['service_request_id']}")["org_unit_id"] == "jiayuan-b2"
    # a resident of 家园 cannot file for another sub-district's unit
    r = c.post("/open311/v2/requests.json", json={**form, "address_id": "huangniling"}, headers=h)
    assert r.status_code == 403 and r.get_json()[0]["code"] == 403


import pytest  # noqa: E402


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_open311_refuses_mistyped_and_non_finite_fields_with_its_error_shape_and_stores_nothing(make_svc, store):
    """Every field through one schema: a list, an object, a number where text belongs or lat "nan" is a 400
    in the standard's shape naming the field (before: 500, and for "nan" a NaN stored or a crash)."""
    svc = make_svc(store=store)
    c, h = svc.client, svc.resident("res-typed")
    good = {"service_code": "environment_noise", "address_string": "家园社区1号楼", "description": "噪音",
            "api_key": DEMO_KEY, "attribute[frequency]": "once"}
    cases = [({**good, "lat": "nan", "long": "126.5"}, "lat"),
             ({**good, "lat": "inf", "long": "126.5"}, "lat"),
             ({**good, "lat": 43.8, "long": float("nan")}, "long"),
             ({**good, "lat": 91, "long": 126.5}, "lat"),
             ({**good, "lat": [1], "long": 126.5}, "lat"),
             ({**good, "description": ["噪音"]}, "description"),
             ({**good, "description": {"x": 1}}, "description"),
             ({**good, "service_code": 7}, "service_code"),
             ({**good, "address_id": ["jiayuan-b1"]}, "address_id"),
             ({**good, "first_name": {"a": 1}}, "first_name"),
             ({**good, "phone": 13904321234}, "phone"),
             ({**good, "media_url": ["x"]}, "media_url"),
             ({**good, "media_url": "javascript:alert(1)"}, "media_url"),
             ({**good, "lat": 43.8}, "lat"),
             ({**good, "jurisdiction_id": ["chuanying"]}, "jurisdiction_id"),
             ({**good, "jurisdiction_id": {"a": 1}}, "jurisdiction_id")]
    for body, field in cases:
        r = c.post("/open311/v2/requests.json", json=body, headers=h)
        assert r.status_code == 400, (body, r.status_code, r.get_data(as_text=True))
        err = r.get_json()
        assert isinstance(err, list) and err[0]["code"] == 400 and field in err[0]["description"], (body, err)
    r = c.post("/open311/v2/requests.json", data={**good, "lat": "nan", "long": "1"}, headers=h)  # a form post
    assert r.status_code == 400 and "lat" in r.get_json()[0]["description"]
    r = c.post("/open311/v2/requests.json", json=["not", "an", "object"], headers=h)
    assert r.status_code == 400 and r.get_json()[0]["code"] == 400
    assert svc.get("/petitions", headers=h)["total"] == 0  # nothing was stored
    ok = c.post("/open311/v2/requests.json", json={**good, "lat": "43.84", "long": 126.53}, headers=h)
    assert ok.status_code == 201
    req = c.get(f"/open311/v2/requests/{ok.get_json()[0]['service_request_id']}.json").get_json()[0]
    assert req["lat"] == 43.84 and req["long"] == 126.53


def test_open311_list_filters_go_through_a_schema_and_never_answer_500(svc):
    c = svc.client
    odd = [{"start_date": "nan"}, {"start_date": "2026-01-01"}, {"end_date": "9999-12-31T23:59:59-23:59"},
           {"start_date": "0001-01-01T00:00:00+14:00"}, {"status": "weird"}, {"status": ","},
           {"service_request_id": "," * 50}, {"service_code": "x" * 3000}, {"start_date": "2026-13-45T99:00:00Z"},
           {"jurisdiction_id": "chuanying", "api_key": "k"}, {"jurisdiction_id": "anything"}]
    for params in odd:
        r = c.get("/open311/v2/requests.json", query_string=params)
        assert r.status_code in (200, 400, 404), (params, r.status_code, r.get_data(as_text=True))
        body = r.get_json()
        assert isinstance(body, list), (params, body)
        if r.status_code != 200:
            assert body[0]["code"] == r.status_code and body[0]["description"], (params, body)


def test_open311_attributes_come_as_form_fields_or_in_json_and_are_kept_with_the_request(svc):
    c = svc.client
    base = {"service_code": "environment_noise", "description": "广场舞音响", "address_id": "jiayuan-b2",
            "api_key": DEMO_KEY}
    form = [*base.items(), ("attribute[frequency]", "recurring"), ("attribute[when][]", "night"),
            ("attribute[when][]", "weekend"), ("attribute[households]", "30")]
    from werkzeug.datastructures import MultiDict

    r = c.post("/open311/v2/requests.json", data=MultiDict(form))
    assert r.status_code == 201, r.get_json()
    doc = svc.repo.collection.find_one({"_id": r.get_json()[0]["service_request_id"]})
    assert doc["open311"]["attributes"] == {"frequency": "recurring", "when": ["night", "weekend"], "households": 30}
    r = c.post("/open311/v2/requests.json", json={**base, "attribute": {"frequency": "once", "when": ["day"]}})
    assert r.status_code == 201, r.get_json()
    r = c.post("/open311/v2/requests.json", json={**base, "attribute[frequency]": "ongoing"})
    assert r.status_code == 201, r.get_json()
    for bad in ({**base, "attribute": ["once"]}, {**base, "attribute": {"frequency": {"x": 1}}},
                {**base, "attribute": {"frequency": "once", "when": "midnight"}}):
        r = c.post("/open311/v2/requests.json", json=bad)
        assert r.status_code == 400 and "attribute" in r.get_json()[0]["description"], (bad, r.get_json())
    # the answers are the office's, not the public's: the public request does not show them
    assert "households" not in str(c.get("/open311/v2/requests.json").get_json())
