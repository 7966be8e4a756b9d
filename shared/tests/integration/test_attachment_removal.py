"""Taking off an attachment added by mistake (`DELETE …/attachments/{id}`, liandong.attachments_routes): the same in
every owning service. The record here is a toy (a note with an owner unit and an open/closed state) behind the
shared routes on a real service app; the services' own records are tested in each service's test_attachments.py."""
from __future__ import annotations

import pytest
from flask import Blueprint

from liandong.attachments import AttachmentRecords, LocalStore, RecordAttachments, RecordKind
from liandong.attachments_routes import install
from liandong.attachments_testing import photo, upload
from liandong.errors import NotFound
from liandong.platform import Platform
from liandong.testing import auth_headers

JIAYUAN, CEGUAN = "/chuanying/huangqi/jiayuan/", "/chuanying/ceguan/"
NOTES = {"n-1": {"org_path": JIAYUAN, "closed": False}}
URL = "/api/v1/petition/notes/n-1/attachments"


@pytest.fixture(params=["sqlite", "mongo"])
def service(request, make_settings, tmp_path):
    settings = make_settings(service="petition", store=request.param)
    platform = Platform.create("petition", settings)

    def reach(principal, note_id):
        note = NOTES.get(note_id)
        if note is None or not principal.sees(note["org_path"], "petition:read"):
            raise NotFound(f"note {note_id} not found")
        return note["org_path"]

    def handles(principal, note_id):
        principal.authorize("petition:handle", reach(principal, note_id), read="petition:read", what="note",
                            record_id=note_id)

    store = LocalStore(tmp_path / "files")
    repo = AttachmentRecords(platform.deps, store)
    repo.prepare()
    cases = RecordAttachments(repo, [RecordKind("notes", reach, edit_reach=handles,
                                                closed=lambda p, note_id: NOTES[note_id]["closed"])])
    bp = Blueprint("notes", __name__, url_prefix="/api/v1/petition")
    install(bp, cases, "notes", "note_id", what="a note", permission="petition:read", tags=["attachments"])
    app = platform.create_app()
    app.register_blueprint(bp)
    NOTES["n-1"]["closed"] = False
    yield app.test_client(), settings, platform, store
    if request.param == "mongo":
        platform.db.drop()


def test_the_sender_or_a_handler_removes_a_file_and_its_bytes_and_the_removal_is_audited(service):
    client, settings, platform, store = service
    sender = auth_headers(settings, "grid_worker", "jiayuan", JIAYUAN, user_id="gw-1")
    handler = auth_headers(settings, "community_worker", "jiayuan", JIAYUAN, user_id="cw-1")
    reader = auth_headers(settings, "community_police", "jiayuan", JIAYUAN, user_id="cp-1")  # reads, does not handle
    elsewhere = auth_headers(settings, "community_worker", "ceguan", CEGUAN, user_id="cw-9")
    sent = [upload(client, URL, sender, photo()).get_json() for _ in range(2)]
    # who sent it, by name for the next reader (the console's list), sealed at rest like the file's name
    assert sent[0]["uploaded_by"] == "gw-1" and sent[0]["uploaded_by_name"] == "测试用户"
    from liandong.crypto import is_encrypted

    assert is_encrypted(platform.db.collection("attachments").find_one({"_id": sent[0]["id"]})["uploaded_by_name"])
    key = f"notes/n-1/{sent[0]['id']}"
    assert store.get(key) and store.get(f"{key}.thumb")

    assert client.delete(f"{URL}/{sent[0]['id']}", headers=elsewhere).status_code == 404  # the record's own 404
    assert client.delete(f"{URL}/{sent[0]['id']}", headers=reader).status_code == 403
    assert client.delete(f"{URL}/{sent[0]['id']}", headers=sender).status_code == 204
    for k in (key, f"{key}.thumb"):
        with pytest.raises(KeyError):
            store.get(k)
    assert client.get(f"{URL}/{sent[0]['id']}", headers=sender).status_code == 404
    assert client.delete(f"{URL}/{sent[0]['id']}", headers=sender).status_code == 404
    assert client.delete(f"{URL}/{sent[1]['id']}", headers=handler).status_code == 204
    assert client.get(URL, headers=sender).get_json()["total"] == 0

    removals = list(platform.db.collection("personal_data_reads").find({"action": "remove"}))
    assert sorted((r["user_id"], r["method"], r["path"].rsplit("/", 1)[-1]) for r in removals) == sorted(
        [("gw-1", "DELETE", sent[0]["id"]), ("cw-1", "DELETE", sent[1]["id"])])
    assert all(r["fields"] == ["attachment"] for r in removals)


def test_a_closed_record_keeps_its_files(service):
    client, settings, _, store = service
    sender = auth_headers(settings, "grid_worker", "jiayuan", JIAYUAN, user_id="gw-1")
    sent = upload(client, URL, sender, photo()).get_json()
    NOTES["n-1"]["closed"] = True
    held = client.delete(f"{URL}/{sent['id']}", headers=sender)
    assert held.status_code == 409 and held.get_json()["error"]["message"] == "这条记录已办结，附件作为办理依据保留，不能删除"
    assert store.get(f"notes/n-1/{sent['id']}")
    assert client.get(f"{URL}/{sent['id']}", headers=sender).status_code == 200


def test_without_an_edit_check_only_the_sender_removes(make_settings, tmp_path):
    """A kind that names no `edit_reach`: nobody but who sent the file takes it off (403, in the offices' words)."""
    from liandong.auth import Grant, Principal
    from liandong.errors import Forbidden

    platform = Platform.create("petition", make_settings(service="petition"))
    repo = AttachmentRecords(platform.deps, LocalStore(tmp_path / "files"))
    cases = RecordAttachments(repo, [RecordKind("notes", lambda p, i: JIAYUAN)])
    one = Principal("gw-1", "网格员", (Grant("grid_worker", "jiayuan", JIAYUAN),))
    other = Principal("gw-2", "网格员", (Grant("grid_worker", "jiayuan", JIAYUAN),))
    added = cases.add(one, "notes", "n-1", lambda: {"data": photo(), "filename": "a.jpg"})
    with pytest.raises(Forbidden, match="只有上传人"):
        cases.remove(other, "notes", "n-1", added["id"])
    assert cases.remove(one, "notes", "n-1", added["id"])["id"] == added["id"]
