"""A petition's photos and documents (信访材料): kept by the petition service, in the petition's scope, each
download recorded as a personal-data read; the resident who filed the petition adds and reads their own."""
from __future__ import annotations

from liandong.attachments_testing import check_attachments, check_removal, photo, upload

CEGUAN = dict(org_unit="ceguan", org_path="/chuanying/ceguan/")


def test_a_petitions_attachments_are_kept_scoped_and_audited(svc):
    petition = svc.file()
    url = f"/api/v1/petition/petitions/{petition['id']}/attachments"
    reads = svc.platform.db.collection("personal_data_reads")
    check_attachments(svc.client, url, svc.staff(), svc.staff(**CEGUAN), reads)


def test_the_resident_who_filed_adds_photos_and_another_resident_cannot_see_them(svc):
    petition = svc.file(headers=svc.resident("r-liu"))
    url = f"/api/v1/petition/petitions/{petition['id']}/attachments"
    sent = upload(svc.client, url, svc.resident("r-liu"), photo(), "楼下油烟.jpg")
    assert sent.status_code == 201, sent.get_json()
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.resident("r-liu")).status_code == 200
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.resident("r-wang")).status_code == 404
    assert svc.client.get(f"{url}/{sent.get_json()['id']}", headers=svc.staff()).status_code == 200


def test_an_unknown_petition_or_attachment_is_a_404_and_a_document_has_no_thumbnail(svc):
    assert upload(svc.client, "/api/v1/petition/petitions/nope/attachments", svc.staff(), photo()).status_code == 404
    petition = svc.file()
    url = f"/api/v1/petition/petitions/{petition['id']}/attachments"
    assert svc.client.get(f"{url}/nope", headers=svc.staff()).status_code == 404
    from liandong.attachments_testing import pdf

    doc = upload(svc.client, url, svc.staff(), pdf(), "答复意见书.pdf").get_json()
    assert (doc["kind"], doc["has_thumbnail"]) == ("pdf", False)
    got = svc.client.get(f"{url}/{doc['id']}", headers=svc.staff())
    assert got.data == pdf() and got.headers["Content-Disposition"].startswith("attachment;")
    assert svc.client.get(f"{url}/{doc['id']}/thumbnail", headers=svc.staff()).status_code == 404
    missing = svc.client.post(url, data={"label": "x"}, headers=svc.staff(), content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["fields"]


def test_a_files_name_is_encrypted_at_rest_and_rotated_with_the_key(svc):
    """The name a resident gave a file (张三身份证.jpg) is personal data: sealed in the database, declared for
    `python -m liandong.reencrypt`, so a key rotation re-seals it and the API still answers it."""
    from liandong.crypto import FieldCipher, is_encrypted
    from liandong.reencrypt import reencrypt

    import petition.bootstrap

    url = f"/api/v1/petition/petitions/{svc.file()['id']}/attachments"
    sent = upload(svc.client, url, svc.staff(), photo(), "张三身份证.jpg").get_json()
    attachments = svc.platform.db.collection("attachments")
    stored = attachments.find_one({"_id": sent["id"]})
    assert is_encrypted(stored["filename"]) and "张三" not in repr(stored)
    declared = [s for s in petition.bootstrap.personal_stores(svc.platform) if s.collection.name == "attachments"]
    assert len(declared) == 1
    rotated = FieldCipher("a-new-key-for-the-test-0123456789", previous=[svc.settings.encryption_key])
    assert reencrypt(attachments, declared[0].personal, rotated)["rewritten"] == 1
    assert rotated.decrypt(attachments.find_one({"_id": sent["id"]})["filename"], "attachments.filename") == \
        "张三身份证.jpg"


def test_a_file_added_by_mistake_is_removed_by_its_sender_or_a_handler_until_the_petition_is_answered(svc):
    """The resident who filed removes their wrong photo, the community worker who handles the petition another;
    the community police (who reads petitions but does not handle them) may not (403), another community's
    worker does not see them (404); the bytes leave the store, each removal is audited; once answered (办结)
    the petition keeps its materials (409)."""
    from petition.adapters.attachments import attachment_records

    pid = svc.file(headers=svc.resident("r-liu"))["id"]

    def answer():
        svc.post(f"/petitions/{pid}/assign", svc.assignment(), expect=200)
        svc.post(f"/petitions/{pid}/start", {"mode": "joint_handling"}, expect=200)
        svc.post(f"/petitions/{pid}/answer", {"text": "已规劝业主搬迁"}, expect=200)

    check_removal(svc.client, f"/api/v1/petition/petitions/{pid}/attachments", svc.resident("r-liu"), svc.staff(),
                  svc.staff(role="community_police"), svc.staff(**CEGUAN), attachment_records(svc.platform.deps).store,
                  svc.platform.db.collection("personal_data_reads"), close=answer)
