"""An application's materials (申请材料): the programme's required documents and photos, kept by the welfare
service with the application, in its scope, each download recorded as a personal-data read."""
from __future__ import annotations

from liandong.attachments_testing import check_attachments, pdf, upload
from welfare_testkit import CIVIL, household

HUANGNILING = dict(role="community_worker", org_unit="huangniling", path="/chuanying/xihu/huangniling/",
                   duties=("civil_affairs",))


def test_an_applications_materials_are_kept_scoped_and_audited(svc):
    app = svc.apply()
    url = f"/api/v1/welfare/applications/{app['id']}/attachments"
    reads = svc.welfare.deps.db.collection("personal_data_reads")
    check_attachments(svc.client, url, svc.headers(**CIVIL), svc.headers(**HUANGNILING), reads)


def test_the_applicant_adds_a_certificate_and_it_comes_back_as_sent(svc):
    resident = dict(role="resident", user_id="r-zhao")
    app = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                     "household": household(seq=700)}, **resident)
    assert app.status_code == 201, app.get_json()
    url = f"/api/v1/welfare/applications/{app.get_json()['id']}/attachments"
    sent = upload(svc.client, url, svc.headers(**resident), pdf(), "收入证明.pdf", label="收入证明")
    assert sent.status_code == 201, sent.get_json()
    got = svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.headers(**CIVIL))
    assert got.status_code == 200 and got.data == pdf() and got.mimetype == "application/pdf"
    other = dict(resident, user_id="r-qian")
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.headers(**other)).status_code == 404
