"""What is kept of an upload (liandong.attachments.process): the type read from the bytes, the size limit, a
photo re-encoded without its EXIF (the GPS position only when the uploader chose it), and its thumbnail."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from liandong import attachments
from liandong.attachments import LocalStore, clean_filename, process, sniff
from liandong.attachments_testing import WHERE, exif_of, gps_of, pdf, photo
from liandong.errors import ValidationFailed


def refusal(data: bytes, **kw) -> str:
    with pytest.raises(ValidationFailed) as caught:
        process(data, **kw)
    return caught.value.fields["file"][0]


def test_a_photo_loses_its_exif_and_with_it_where_it_was_taken():
    sent = photo()
    assert gps_of(sent) == WHERE and exif_of(sent)  # as the phone wrote it
    kept = process(sent)
    assert gps_of(kept.data) == {} and exif_of(kept.data) == {}  # no position, no camera, nothing
    assert (kept.kind, kept.content_type, kept.location_kept) == ("jpeg", "image/jpeg", False)


def test_the_position_stays_when_the_uploader_chose_to_attach_it_and_nothing_else_does():
    kept = process(photo(), keep_location=True)
    assert kept.location_kept and gps_of(kept.data) == WHERE
    assert set(exif_of(kept.data)) == {attachments.GPS_IFD}  # the camera's make and model are gone all the same


def test_the_cameras_rotation_is_applied_to_the_pixels_before_the_exif_goes():
    kept = process(photo(1600, 1200, orientation=6))  # a phone held upright: stored sideways, EXIF says turn it
    assert (kept.width, kept.height) == (1200, 1600)


def test_a_thumbnail_fits_320_pixels_and_a_large_photo_is_scaled_down():
    kept = process(photo(6000, 3000, gps=False))
    assert (kept.width, kept.height) == (4096, 2048)
    with Image.open(io.BytesIO(kept.thumbnail)) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (320, 160))
        assert not thumb.getexif()


def test_png_and_webp_stay_what_they_are():
    for fmt, kind in (("PNG", "png"), ("WEBP", "webp")):
        kept = process(photo(400, 300, fmt=fmt))
        assert kept.kind == kind and gps_of(kept.data) == {}
        with Image.open(io.BytesIO(kept.data)) as img:
            assert img.format == fmt


def test_the_type_is_read_from_the_bytes_not_the_name():
    assert "不支持这种文件" in refusal(b"MZ\x90\x00\x03" + b"\x00" * 100)  # a program, whatever it is called
    assert "不支持这种文件" in refusal(b"<html><script>alert(1)</script></html>")
    assert "照片无法打开" in refusal(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    assert sniff(pdf()) == "pdf"
    kept = process(pdf())
    assert (kept.kind, kept.thumbnail, kept.data) == ("pdf", None, pdf())


def test_word_and_excel_files_are_told_apart_from_any_zip():
    def zipped(*names):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name in names:
                z.writestr(name, "x")
        return out.getvalue()

    assert sniff(zipped("[Content_Types].xml", "word/document.xml")) == "docx"
    assert sniff(zipped("[Content_Types].xml", "xl/workbook.xml")) == "xlsx"
    assert sniff(zipped("payload.exe")) is None


def test_empty_and_too_large_files_are_refused_in_the_offices_words():
    assert "空" in refusal(b"")
    assert "文件太大" in refusal(pdf() + b"\x00" * 2048, max_bytes=1024)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 million pixels in a few kilobytes
    assert "照片太大" in refusal(out.getvalue())


def test_the_name_shown_has_no_path_and_the_extension_of_what_it_is():
    assert clean_filename("../../etc/身份证.exe", "jpg") == "身份证.jpg"
    assert clean_filename("C:\\Users\\a\\现场\x00.png", "png") == "现场.png"
    assert clean_filename("", "pdf") == "附件.pdf"


def test_a_store_key_never_leaves_its_directory(tmp_path):
    store = LocalStore(tmp_path / "files")
    for key in ("../outside", "/etc/passwd", "petitions/../../x", "a//b"):
        with pytest.raises(ValueError):
            store.put(key, b"x", "text/plain")
    assert not (tmp_path / "outside").exists()
