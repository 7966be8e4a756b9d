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
