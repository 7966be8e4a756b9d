"""Attachments are encrypted by the owning service before any store sees them (liandong.attachments_store.SealedStore):
the disk or the S3 bucket holds ciphertext whatever the deployment switched on; a file copied under another record's
key does not open; files stored before sealing are still read; previous keys still open what they sealed."""
from __future__ import annotations

import pytest

from liandong.attachments_store import LocalStore, SealedStore
from liandong.attachments_testing import photo, upload
from liandong.crypto import FieldCipher, DecryptionFailed
from liandong.testing import auth_headers

from .test_attachment_removal import JIAYUAN, URL, service  # noqa: F401 (the fixture: a toy record's routes)


def test_the_store_holds_only_ciphertext_and_the_download_is_the_photo(service):  # noqa: F811
    client, settings, platform, store = service
    sender = auth_headers(settings, "grid_worker", "jiayuan", JIAYUAN, user_id="gw-1")
    sent = upload(client, URL, sender, photo()).get_json()
    key = f"notes/n-1/{sent['id']}"
    for k in (key, f"{key}.thumb"):
        raw = store.get(k)  # what lies on the disk
        assert raw.startswith(b"LDF1") and b"\xff\xd8\xff" not in raw[:64] and b"JFIF" not in raw
    body = client.get(f"{URL}/{sent['id']}", headers=sender)  # the file, opened by the service
    assert body.status_code == 200 and body.data.startswith(b"\xff\xd8")
    thumb = client.get(f"{URL}/{sent['id']}/thumbnail", headers=sender)
    assert thumb.status_code == 200 and thumb.data.startswith(b"\xff\xd8")
    assert len(body.data) == sent["size"]


def test_a_file_under_another_key_does_not_open_and_old_plain_files_still_read(tmp_path):
    inner = LocalStore(tmp_path)
    sealed = SealedStore(inner, FieldCipher("k" * 32))
    sealed.put("petitions/p-1/a-1", b"%PDF-1.7 secret", "application/pdf")
    inner.put("petitions/p-2/a-9", inner.get("petitions/p-1/a-1"), "application/octet-stream")
    with pytest.raises(DecryptionFailed):
        sealed.get("petitions/p-2/a-9")
    inner.put("petitions/p-3/a-2", b"%PDF-1.4 stored before sealing", "application/pdf")
    assert sealed.get("petitions/p-3/a-2") == b"%PDF-1.4 stored before sealing"
    # after a key rotation the previous key still opens what it sealed; new files are sealed under the new one
    rotated = SealedStore(inner, FieldCipher("n" * 32, previous=["k" * 32]))
    assert rotated.get("petitions/p-1/a-1") == b"%PDF-1.7 secret"
    with pytest.raises(DecryptionFailed):
        SealedStore(inner, FieldCipher("n" * 32)).get("petitions/p-1/a-1")


def test_the_re_encryption_reseals_every_file_under_the_new_key(service):  # noqa: F811
    """`python -m liandong.reencrypt` runs `AttachmentRecords.reseal` after the records: once it has, the previous key
    may be dropped and every file still opens; run again, it has nothing to do."""
    from dataclasses import replace

    from liandong.attachments import AttachmentRecords

    client, settings, platform, store = service
    sender = auth_headers(settings, "grid_worker", "jiayuan", JIAYUAN, user_id="gw-1")
    sent = upload(client, URL, sender, photo()).get_json()
    key = f"notes/n-1/{sent['id']}"
    store.put("notes/n-1/plain", b"%PDF-1.4 from before", "application/pdf")  # a file nobody names: left alone
    new_key = "n" * 43
    rotated = AttachmentRecords(replace(platform.deps, cipher=FieldCipher(new_key, [settings.encryption_key])), store)
    assert rotated.reseal() == 2  # the photo and its thumbnail
    only_new = SealedStore(store, FieldCipher(new_key))
    assert only_new.get(key).startswith(b"\xff\xd8") and only_new.get(f"{key}.thumb").startswith(b"\xff\xd8")
    assert rotated.reseal() == 0
