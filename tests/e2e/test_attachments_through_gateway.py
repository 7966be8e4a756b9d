"""A petition's photo through the whole platform (#22, docs/attachments.md), on both backend pairs: a community
worker's phone photo with its GPS position goes through the gateway (multipart, the upload's read timeout) to the petition
service, which keeps it without the position; it comes back, with its thumbnail, to the community that reaches
the petition and to no other; the one who sent it removes it, and the removal is in the district's audit trail."""
import io

import pytest
import requests
from PIL import Image

from liandong.attachments_testing import WHERE, exif_of, gps_of, photo
from liandong.testing import wait_for


@pytest.mark.e2e
def test_a_petitions_photo_through_the_gateway_without_its_location_scoped_and_removed(platform, office):
    platform.start()
    gw = office(platform.gateway)
    petition = gw.post("jiayuan_worker", "/petition/petitions", {
        "org_unit_id": "jiayuan", "category": "property", "channel": "visit", "title": "楼道堆放杂物",
        "content": "3号楼楼道堆放纸箱，堵塞消防通道", "petitioners": [{"name": "孙丽", "mobile": "13943210001"}]})
    url = f"/petition/petitions/{petition['id']}/attachments"
    taken = photo(4000, 3000)  # a 12-megapixel phone photo, where it was taken in its EXIF
    assert gps_of(taken) == WHERE

    sent = gw.call("jiayuan_worker", "POST", url, 201, files={"file": ("楼道堆物.jpg", taken, "image/jpeg")},
                   data={"label": "现场照片"})
    assert (sent["filename"], sent["label"], sent["location_kept"], sent["has_thumbnail"]) == \
        ("楼道堆物.jpg", "现场照片", False, True)
    one = f"{url}/{sent['id']}"

    kept = gw.call("jiayuan_police", "GET", one)  # the community's police reads its petitions: another account
    assert gps_of(kept) == {} and exif_of(kept) == {}  # no position, no camera
    with Image.open(io.BytesIO(kept)) as img:
        assert img.size == (4000, 3000)
    with Image.open(io.BytesIO(gw.call("jiayuan_police", "GET", f"{one}/thumbnail"))) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    listed = gw.get("jiayuan_worker", url)
    assert [a["id"] for a in listed["items"]] == [sent["id"]]

    # another community's worker: the petition's own 404 on every route, the file untouched
    for method, path in (("GET", url), ("GET", one), ("GET", f"{one}/thumbnail"), ("DELETE", one)):
        gw.call("huangniling_worker", method, path, 404)

    gw.call("jiayuan_worker", "DELETE", one, 204)
    for path in (one, f"{one}/thumbnail"):
        gw.call("jiayuan_worker", "GET", path, 404)
    assert gw.get("jiayuan_worker", url)["total"] == 0

    def removal():
        items = gw.get("district_admin", "/audit", service="petition", page_size=100)["items"]
        return next((e for e in items if e.get("action") == "remove" and e["path"].endswith(sent["id"])), None)
    entry = wait_for(removal, 60, message="the removal in the gateway's audit trail")
    assert (entry["method"], entry["fields"]) == ("DELETE", ["attachment"])
    read = requests.get(f"{gw.base}/audit", params={"service": "petition", "page_size": 100}, timeout=20,
                        headers=gw.headers("district_admin")).json()["items"]
    assert any(e["path"].endswith(sent["id"]) and e.get("action") == "read" for e in read)  # the download, audited
