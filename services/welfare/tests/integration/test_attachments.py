"""An application's materials (申请材料): the programme's required documents and photos, kept by the welfare
service with the application, in its scope, each download recorded as a personal-data read."""
from __future__ import annotations

from liandong.attachments_testing import check_attachments, check_removal, pdf, upload
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


def test_a_material_added_by_mistake_is_removed_by_the_applicant_or_a_reviewer_until_the_application_is_decided(svc):
    """The applicant removes a wrong scan, the civil-affairs worker who reviews another; a grid worker (who reads
    applications, does not review them) may not (403); the bytes leave the store, each removal is audited; once
    decided (here: rejected at review) the application keeps its materials (409)."""
    from welfare.adapters.attachments import attachment_records

    resident = dict(role="resident", user_id="r-zhao")
    app = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                     "household": household(seq=710)}, **resident).get_json()

    def decide():
        assert svc.post(f"/applications/{app['id']}/community-review", {"decision": "fail", "note": "收入超标"},
                        **CIVIL).get_json()["status"] == "rejected"

    check_removal(svc.client, f"/api/v1/welfare/applications/{app['id']}/attachments", svc.headers(**resident),
                  svc.headers(**CIVIL), svc.headers(role="grid_worker"), svc.headers(**HUANGNILING),
                  attachment_records(svc.welfare.deps).store, svc.welfare.deps.db.collection("personal_data_reads"),
                  decide)
