"""Test helpers of attachments: photos as phones make them (EXIF with a GPS position), and the real S3-compatible
server `make test` starts (deploy/local/s3.sh) named by `S3_ENDPOINT`, as MONGO_URI names FerretDB.
A test module imports the fixtures it uses (`from liandong.attachments_testing import s3_env  # noqa: F401`)."""
from __future__ import annotations

import io
import os
import socket
from urllib.parse import urlparse

import pytest

from .testing import unique

# deploy/local/s3.sh's test identity (the server listens on 127.0.0.1 only)
TEST_ACCESS_KEY = "liandong-test"
TEST_SECRET_KEY = "liandong-test-secret"
WHERE = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 10.25)}  # 上海, as a phone's GPS writes it


def photo(width: int = 1600, height: int = 1200, gps: bool = True, fmt: str = "JPEG", orientation: int = 1) -> bytes:
    """A photo as a phone sends it: the camera's make and model, its orientation and (with `gps`) where it was taken."""
    from PIL import Image

    img = Image.new("RGB", (width, height), (180, 40, 40))
    img.paste((20, 120, 200), (0, 0, width // 2, height // 2))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "HUAWEI", "Mate 60", orientation
    if gps:
        exif[0x8825] = dict(WHERE)
    out = io.BytesIO()
    img.save(out, fmt, exif=exif)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    """The GPS position an image's EXIF carries ({} when none), read with Pillow as any reader would."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif().get_ifd(0x8825))


def exif_of(data: bytes) -> dict:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif())


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """The S3-compatible server of `make test` (S3_ENDPOINT); unset or unreachable is a failure, never a skip."""
    endpoint = os.environ.get("S3_ENDPOINT")
    if not endpoint:
        pytest.fail("S3_ENDPOINT is not set: tests against an S3-compatible server need it (make test starts "
                    "one with deploy/local/s3.sh and sets it)", pytrace=False)
    url = urlparse(endpoint)
    try:
        socket.create_connection((url.hostname, url.port or 80), timeout=5).close()
    except OSError as exc:
        pytest.fail(f"the S3-compatible server at {endpoint} is not reachable: {exc}", pytrace=False)
    return endpoint


@pytest.fixture
def s3_env(s3_endpoint) -> dict:
    """The environment that puts a service's attachments in a fresh bucket of the test server."""
    return {"LIANDONG_ATTACHMENTS_STORE": "s3", "LIANDONG_S3_ENDPOINT": s3_endpoint,
            "LIANDONG_S3_BUCKET": unique("att-"), "LIANDONG_S3_CREATE_BUCKET": "1",
            "LIANDONG_S3_ACCESS_KEY": os.environ.get("S3_ACCESS_KEY", TEST_ACCESS_KEY),
            "LIANDONG_S3_SECRET_KEY": os.environ.get("S3_SECRET_KEY", TEST_SECRET_KEY)}


def upload(client, url: str, headers: dict, data: bytes, filename: str = "现场照片.jpg", **form):
    """POST one file as the console sends it (multipart/form-data, the file in `file`)."""
    fields = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in form.items()}
    return client.post(url, data={**fields, "file": (io.BytesIO(data), filename)}, headers=headers,
                       content_type="multipart/form-data")


def check_attachments(client, url: str, staff: dict, other_community: dict, reads=None) -> dict:
    """What every record that takes attachments does (`url`: …/<records>/<id>/attachments), as `staff` who reach
    the record and a worker of `other_community` who does not; `reads`: the service's personal_data_reads
    collection when the record's files are personal data (each download recorded). Returns the photo's view."""
    sent = upload(client, url, staff, photo(), "../现场照片.jpg", label="现场照片")
    assert sent.status_code == 201, sent.get_json()
    shown = sent.get_json()
    assert (shown["filename"], shown["kind"], shown["label"], shown["location_kept"]) == \
        ("现场照片.jpg", "jpeg", "现场照片", False)
    got = client.get(f"{url}/{shown['id']}", headers=staff)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert gps_of(got.data) == {} and exif_of(got.data) == {}  # the position and the camera removed
    thumb = client.get(f"{url}/{shown['id']}/thumbnail", headers=staff)
    from PIL import Image

    with Image.open(io.BytesIO(thumb.data)) as img:
        assert thumb.status_code == 200 and max(img.size) == 320

    kept = upload(client, url, staff, photo(), "位置.jpg", keep_location=True)
    assert kept.status_code == 201 and kept.get_json()["location_kept"] is True
    assert gps_of(client.get(f"{url}/{kept.get_json()['id']}", headers=staff).data) == WHERE

    listed = client.get(url, headers=staff).get_json()
    assert [a["id"] for a in listed["items"]] == [shown["id"], kept.get_json()["id"]] and listed["total"] == 2
    # a list like any other: from/to bound the upload time, org_unit the record's unit
    assert client.get(f"{url}?from=2999-01-01", headers=staff).get_json()["total"] == 0
    assert client.get(f"{url}?org_unit=huangniling", headers=staff).get_json()["total"] == 0
    assert client.get(f"{url}?page_size=1&page=2", headers=staff).get_json()["items"][0]["id"] == kept.get_json()["id"]

    renamed = upload(client, url, staff, b"MZ\x90\x00" + b"\x00" * 64, "照片.jpg")  # a program named like a photo
    assert renamed.status_code == 422 and "不支持这种文件" in renamed.get_json()["error"]["fields"]["file"][0]
    large = upload(client, url, staff, pdf() + b"\x00" * (10 * 1024 * 1024), "扫描件.pdf")
    assert large.status_code == 422 and "文件太大" in large.get_json()["error"]["fields"]["file"][0]

    for path in (url, f"{url}/{shown['id']}", f"{url}/{shown['id']}/thumbnail"):
        assert client.get(path, headers=other_community).status_code == 404, path
    assert upload(client, url, other_community, photo()).status_code == 404

    if reads is not None:
        audited = [r for r in reads.find({}) if r["path"].endswith(f"/attachments/{shown['id']}")]
        assert [r["fields"] for r in audited] == [["attachment"]]  # the download, by the worker who reached it
    return shown


def check_removal(client, url: str, uploader: dict, editor: dict, bystander: dict | None, other_community: dict,
                  store, reads, close=None) -> None:
    """Taking off a file added by mistake (`DELETE …/attachments/{id}`), the same on every record: `uploader` sends
    two photos; a worker of `other_community` gets the record's 404, a `bystander` who reaches the record but
    neither sent the file nor may change the record a 403; the uploader removes one, `editor` (who may change the
    record) the other: each a 204, a 404 afterwards, its bytes and thumbnail gone from `store` (the service's
    FileStore), each removal in `reads` (personal_data_reads, action remove). `close()` closes the record: then
    a file is kept (409)."""
    sent = [upload(client, url, uploader, photo(), name) for name in ("拍错了.jpg", "别人家的证明.jpg", "留下.jpg")]
    assert all(s.status_code == 201 for s in sent), [s.get_json() for s in sent]
    mine, theirs, kept = (s.get_json() for s in sent)
    record_id = url.rstrip("/").split("/")[-2]
    records = url.rstrip("/").split("/")[-3]
    assert client.delete(f"{url}/{mine['id']}", headers=other_community).status_code == 404
    if bystander is not None:
        refused = client.delete(f"{url}/{mine['id']}", headers=bystander)
        assert refused.status_code == 403, refused.get_json()
    for who, gone in ((uploader, mine), (editor, theirs)):
        key = f"{records}/{record_id}/{gone['id']}"
        assert store.get(key) and store.get(f"{key}.thumb")
        removed = client.delete(f"{url}/{gone['id']}", headers=who)
        assert removed.status_code == 204, removed.get_json()
        for path in (f"{url}/{gone['id']}", f"{url}/{gone['id']}/thumbnail"):
            assert client.get(path, headers=uploader).status_code == 404, path
        assert client.delete(f"{url}/{gone['id']}", headers=who).status_code == 404
        for k in (key, f"{key}.thumb"):
            with pytest.raises(KeyError):
                store.get(k)
    assert [a["id"] for a in client.get(url, headers=uploader).get_json()["items"]] == [kept["id"]]
    removals = [r for r in reads.find({"action": "remove"})]
    assert sorted(r["path"].rsplit("/", 1)[-1] for r in removals) == sorted([mine["id"], theirs["id"]])
    assert all(r["method"] == "DELETE" and r["fields"] == ["attachment"] for r in removals)
    if close is not None:
        close()
        held = client.delete(f"{url}/{kept['id']}", headers=editor)
        assert held.status_code == 409 and "办结" in held.get_json()["error"]["message"], held.get_json()
        assert client.get(f"{url}/{kept['id']}", headers=uploader).status_code == 200
