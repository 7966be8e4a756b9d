"""Photos on incidents (现场照片) and on patrol runs (what a patrol found), kept by the security service in the
record's scope; an incident's are personal data (each download recorded), a patrol run's are not."""
from __future__ import annotations

import pytest

from liandong.attachments_testing import check_attachments, check_removal, photo, s3_env, s3_endpoint, upload  # noqa: F401
from liandong.testing import STORES

from ..conftest import HUANGQI
from .test_patrols import CREW, route

API = "/api/v1/security"
HUANGNILING = dict(org_unit="huangniling", org_path="/chuanying/xihu/huangniling/")


def incident(svc, role="community_police", **kw) -> dict:
    made = svc.post("/incidents", {"org_unit_id": "jiayuan-b1", "type": "theft", "severity": "low",
                                   "description": "车棚电动车被盗"}, role=role, **kw)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_an_incidents_photos_are_kept_scoped_and_audited(svc):
    url = f"{API}/incidents/{incident(svc)['id']}/attachments"
    reads = svc.platform.db.collection("personal_data_reads")
    check_attachments(svc.client, url, svc.headers(), svc.headers(where=HUANGNILING), reads)


def test_a_patrol_runs_photos_are_added_by_its_patrol_and_read_in_scope_unaudited(svc):
    run = svc.post("/patrol-runs", {"route_id": route(svc)["id"], "participants": CREW}).get_json()
    url = f"{API}/patrol-runs/{run['id']}/attachments"
    check_attachments(svc.client, url, svc.headers("grid_worker"), svc.headers("grid_worker", HUANGNILING))
    sent = upload(svc.client, url, svc.headers("grid_worker"), photo(), "车棚消防通道堵塞.jpg", label="cp-3")
    assert sent.status_code == 201
    got = svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.headers("subdistrict_officer", HUANGQI))
    assert got.status_code == 200  # the sub-district reads its communities' patrols
    reads = svc.platform.db.collection("personal_data_reads")
    assert not [r for r in reads.find({}) if "/patrol-runs/" in r["path"]]  # places, not people: no personal read


def test_the_resident_who_reported_an_incident_adds_photos_to_it(svc):
    mine = incident(svc, role="resident", user_id="r-sun")
    url = f"{API}/incidents/{mine['id']}/attachments"
    sent = upload(svc.client, url, svc.headers("resident", user_id="r-sun"), photo(), "被盗现场.jpg")
    assert sent.status_code == 201, sent.get_json()
    other = svc.headers("resident", user_id="r-zhou")
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=other).status_code == 404
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.headers()).status_code == 200


def test_an_incidents_photos_in_the_districts_s3_store(make_svc, s3_env, monkeypatch):
    """The same service on the S3-compatible store (the real server `make test` starts): the file is in the
    bucket, under the service's prefix, sealed by the service, and comes back through the API as kept (no GPS)."""
    import boto3

    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    svc = make_svc()
    url = f"{API}/incidents/{incident(svc)['id']}/attachments"
    sent = upload(svc.client, url, svc.headers(), photo(), "现场.jpg")
    assert sent.status_code == 201, sent.get_json()
    s3 = boto3.client("s3", endpoint_url=s3_env["LIANDONG_S3_ENDPOINT"],
                      aws_access_key_id=s3_env["LIANDONG_S3_ACCESS_KEY"],
                      aws_secret_access_key=s3_env["LIANDONG_S3_SECRET_KEY"], region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_env["LIANDONG_S3_BUCKET"])["Contents"]]
    aid = sent.get_json()["id"]
    assert sorted(keys) == sorted(f"security/incidents/{url.split('/')[-2]}/{aid}{s}" for s in ("", ".thumb"))
    got = svc.client.get(f"{url}/{aid}", headers=svc.headers())
    in_bucket = s3.get_object(Bucket=s3_env["LIANDONG_S3_BUCKET"],
                              Key=f"security/incidents/{url.split('/')[-2]}/{aid}")["Body"].read()
    # the bucket holds what the service sealed (liandong.attachments_store.SealedStore), the API gives the photo
    assert got.status_code == 200 and got.data.startswith(b"\xff\xd8") and got.data not in in_bucket
    assert in_bucket.startswith(b"LDF1") and len(in_bucket) == len(got.data) + 4 + 12 + 16
    assert not (svc.settings.data_dir / "attachments").exists()  # nothing on the local disk


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_photo_added_by_mistake_is_removed_by_its_sender_or_a_handler_until_the_incident_is_closed(svc):
    """The grid worker who sent a wrong photo removes it, the community police who handle the incident another; a
    second grid worker (who reads incidents, does not handle them) may not (403); the bytes leave the store, each
    removal is audited; a closed incident keeps its photos (409)."""
    from security.adapters.attachments import attachment_records

    iid = incident(svc)["id"]

    def close():
        for step, body in (("dispatch", {"assignee": "刘警官"}), ("on-scene", None), ("resolve", {"resolution": "已处置"}),
                           ("close", None)):
            assert svc.post(f"/incidents/{iid}/{step}", body).status_code == 200, step

    check_removal(svc.client, f"{API}/incidents/{iid}/attachments", svc.headers("grid_worker", user_id="gw-1"),
                  svc.headers(), svc.headers("grid_worker", user_id="gw-2"), svc.headers(where=HUANGNILING),
                  attachment_records(svc.platform.deps).store, svc.platform.db.collection("personal_data_reads"), close)


def test_a_patrol_runs_photo_is_removed_by_who_patrols_it_and_audited(svc):
    from security.adapters.attachments import attachment_records

    run = svc.post("/patrol-runs", {"route_id": route(svc)["id"], "participants": CREW}).get_json()
    check_removal(svc.client, f"{API}/patrol-runs/{run['id']}/attachments", svc.headers("grid_worker", user_id="gw-1"),
                  svc.headers("grid_worker", user_id="gw-2"), svc.headers("subdistrict_officer", HUANGQI),
                  svc.headers("grid_worker", HUANGNILING), attachment_records(svc.platform.deps).store,
                  svc.platform.db.collection("personal_data_reads"))
