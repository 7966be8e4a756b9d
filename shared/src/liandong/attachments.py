"""Attachments (附件): photos and documents on a service's records, kept by the service that owns the record.

A petition's photos, an incident's or a patrol finding's pictures, the materials a welfare programme requires
(身份证明、收入证明…) belong to that record: stored by its service, reached through its routes, in its scope and
audited like it (docs/attachments.md). This module is the mechanics every owning service shares:

- the limits: what is taken (the type read from the file's bytes, never from its name), how large;
- the images: decoded and re-encoded with Pillow, so nothing but pixels leaves the upload: the EXIF block is
  dropped — the camera's GPS position with it unless the uploader chose to attach the location — and a
  thumbnail is made;
- the port `FileStore` with two adapters: `LocalStore` (files under the data dir: the embedded default, nothing
  to install) and `S3Store` (liandong.attachments_s3: a district's S3-compatible object storage);
- `Attachments`: the metadata of each file in the service's own database beside its records (the file's name
  encrypted like other personal data), and the use cases' common steps (`RecordAttachments`) behind each
  service's own access check.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import Callable

from .attachments_store import FileStore, LocalStore, SealedStore, store_for  # noqa: F401 (the port, re-exported)
from .errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_BYTES = 10 * 1024 * 1024        # one file: a phone's photo or a scanned document (证明材料)
MAX_PIXELS = 40_000_000             # larger is refused before decoding (a "decompression bomb")
MAX_SIDE = 4096                     # a larger photo is scaled down on re-encoding: detail enough, a tenth the bytes
THUMBNAIL_SIDE = 320                # the longest side of a thumbnail (a list of photos on a phone)
MAX_PER_RECORD = 30                 # a record's materials, not a photo library
JPEG_QUALITY = 85
GPS_IFD = 0x8825                    # EXIF's GPSInfo: where the photo was taken

# kind -> (content type, extension); what the offices send: photos, PDFs, Word and Excel files
TYPES = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "webp": ("image/webp", "webp"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
IMAGES = ("jpeg", "png", "webp")
ACCEPTED = "照片（JPG、PNG、WebP）或文件（PDF、Word .docx、Excel .xlsx）"


def refused(message: str) -> ValidationFailed:
    return ValidationFailed("the file is not taken", {"file": [message]})


def sniff(data: bytes) -> str | None:
    """The file's kind read from its first bytes (and, for Office files, the parts the ZIP holds); None when it
    is none of `TYPES` — whatever its name says (a renamed .exe is not a .jpg)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


@dataclass(frozen=True)
class Processed:
    """An upload as it is kept: the bytes (re-encoded when an image), their type, and a thumbnail for an image."""

    kind: str
    data: bytes
    thumbnail: bytes | None
    width: int | None = None
    height: int | None = None
    location_kept: bool = False

    @property
    def content_type(self) -> str:
        return TYPES[self.kind][0]

    @property
    def extension(self) -> str:
        return TYPES[self.kind][1]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def process(data: bytes, keep_location: bool = False, max_bytes: int = MAX_BYTES) -> Processed:
    """Check an upload and make what is kept of it; a 422 (`file`: why, in the offices' words) when it is not taken."""
    if not data:
        raise refused("文件是空的，请重新选择")
    if len(data) > max_bytes:
        raise refused(f"文件太大：{len(data) / 1048576:.1f} MB，每个附件最大 {max_bytes // 1048576} MB")
    kind = sniff(data)
    if kind is None:
        raise refused(f"不支持这种文件，请上传{ACCEPTED}")
    if kind in IMAGES:
        return _image(data, kind, keep_location)
    return Processed(kind, data, None)


def _image(data: bytes, kind: str, keep_location: bool) -> Processed:
    from PIL import Image, ImageOps  # a wheel, imported when a photo arrives (make run needs nothing else)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise refused(f"照片太大：{probe.width}×{probe.height} 像素，最多 {MAX_PIXELS // 1_000_000} 百万像素")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                gps = img.getexif().get_ifd(GPS_IFD) if keep_location else {}
                icc = img.info.get("icc_profile")
                # the camera's rotation applied to the pixels, as the EXIF that said it is dropped
                img = ImageOps.exif_transpose(img)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own limit, met on opening
        raise refused(f"照片太大：最多 {MAX_PIXELS // 1_000_000} 百万像素") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise refused(f"照片无法打开，可能已损坏（{type(exc).__name__}），请重新拍摄或选择") from None
    if max(img.size) > MAX_SIDE:
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = dict(gps)  # only the position, and only when the uploader chose it
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if gps:
        options["exif"] = exif.tobytes()
    if kind == "jpeg":
        _rgb(img).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **options)
    elif kind == "png":
        img.save(out, "PNG", optimize=True, **options)
    else:
        img.save(out, "WEBP", quality=JPEG_QUALITY, **options)
    return Processed(kind, out.getvalue(), thumbnail(img), img.width, img.height, bool(gps))


def _rgb(img):
    if img.mode in ("RGB", "L"):
        return img
    if img.mode in ("RGBA", "LA", "P", "PA"):
        from PIL import Image

        rgba = img.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))  # a transparent photo on white, as it is printed
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return img.convert("RGB")


def thumbnail(img) -> bytes:
    """A JPEG at most THUMBNAIL_SIDE on its longest side, without any metadata."""
    from PIL import Image

    small = _rgb(img).copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


# --- the metadata and the use cases' common steps ---------------------------------------------------------

FILENAME_FIELD = "attachments.filename"
UPLOADER_FIELD = "attachments.uploaded_by_name"  # who sent it, as the next reader knows them (a resident's name too)


def personal_fields():
    """The file's name as `liandong.personal` declares personal data, for `python -m liandong.reencrypt`
    (a service's `personal_stores`): sealed under the name it is bound to."""
    from .personal import PersonalFields

    return PersonalFields.of("filename", "uploaded_by_name",
                             names={"filename": FILENAME_FIELD, "uploaded_by_name": UPLOADER_FIELD})


def clean_filename(name: str | None, extension: str) -> str:
    """The name shown to the next reader: no path, no control characters, the extension of what it really is."""
    base = re.sub(r"[\x00-\x1f\x7f/\\]", "", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    stem = base.rsplit(".", 1)[0].strip()[:120] or "附件"
    return f"{stem}.{extension}"


@dataclass(frozen=True)
class RecordKind:
    """A kind of record that takes attachments: `records` as in its path (`petitions`), `reach(principal,
    record_id) -> org_path` the owning service's access check for reading (out of scope: NotFound), `add_reach`
    the one for adding a file when it differs (a patrol run: who patrols it), and whether a file of it is
    personal data (its download audited as a personal-data read).

    Removing a file (one added by mistake): its uploader may, and whoever `edit_reach(principal, record_id)`
    lets change the record (it raises Forbidden/NotFound otherwise; None: only the uploader); never while
    `closed(principal, record_id)` says the record is closed — see `RecordAttachments.remove`."""

    records: str
    reach: Callable
    sensitive: bool = True
    add_reach: Callable | None = None
    edit_reach: Callable | None = None
    closed: Callable | None = None


class AttachmentRecords:
    """The adapter of a service's attachments: one document per file in its `attachments` collection (what,
    on which record, in which unit, who sent it) and the file itself in the `FileStore`."""

    COLLECTION = "attachments"

    def __init__(self, deps, store: FileStore | None = None):
        self.collection = deps.db.collection(self.COLLECTION)
        self.cipher = deps.cipher
        self.clock = deps.clock
        self.org = deps.org
        self.store = SealedStore(store if store is not None else store_for(deps.service, deps.settings.data_dir),
                                 deps.cipher)

    def prepare(self) -> None:
        from . import idempotency

        idempotency.prepare(self.collection)
        self.collection.create_index([("records", 1), ("record_id", 1), ("uploaded_at", 1)], name="record_uploaded")

    @staticmethod
    def key(doc: dict, thumbnail: bool = False) -> str:
        return f"{doc['records']}/{doc['record_id']}/{doc['_id']}" + (".thumb" if thumbnail else "")

    def count(self, records: str, record_id: str) -> int:
        return self.collection.count_documents({"records": records, "record_id": record_id})

    def add(self, doc: dict, processed: Processed, filename: str, uploader_name: str = "") -> dict:
        """The file (and its thumbnail) first, then its document: a crash between leaves a file nobody names,
        never a document without its file. A retried request (same Idempotency-Key) answers the first."""
        from . import idempotency

        self.store.put(self.key(doc), processed.data, processed.content_type)
        if processed.thumbnail is not None:
            self.store.put(self.key(doc, True), processed.thumbnail, "image/jpeg")
        return idempotency.insert(self.collection, {**doc, "filename": self.cipher.encrypt(filename, FILENAME_FIELD),
                                                    "uploaded_by_name": self.cipher.encrypt(uploader_name, UPLOADER_FIELD)})

    def find(self, records: str, record_id: str, attachment_id: str) -> dict | None:
        return self.collection.find_one({"_id": attachment_id, "records": records, "record_id": record_id})

    def page(self, records: str, record_id: str, query: dict):
        """One record's files, oldest first; `query` a loaded list query (its from/to bound the upload time)."""
        from .listing import page_of

        filter: dict = {"records": records, "record_id": record_id}
        uploaded = {op: query[k] for op, k in (("$gte", "from_"), ("$lte", "to")) if query.get(k)}
        if uploaded:
            filter["uploaded_at"] = uploaded
        return page_of(self.collection, filter, page=query["page"], page_size=query["page_size"],
                       sort=[("uploaded_at", 1), ("_id", 1)], load=self.view)

    def remove(self, doc: dict) -> None:
        """The document first, then the file and its thumbnail: a crash between leaves a file nobody names (as
        on adding), never a document whose file is gone."""
        self.collection.delete_one({"_id": doc["_id"]})
        self.store.delete(self.key(doc))
        if doc.get("has_thumbnail"):
            self.store.delete(self.key(doc, True))

    def reseal(self) -> int:
        """Every file (and thumbnail) sealed under the current key: run by `python -m liandong.reencrypt` after the
        records' names (a key rotation must not leave files only a dropped key opens). Returns how many were."""
        done = 0
        for doc in self.collection.find({}, projection={"records": 1, "record_id": 1, "has_thumbnail": 1}):
            done += sum(self.store.reseal(self.key(doc, thumb)) for thumb in (False, True)
                        if not thumb or doc.get("has_thumbnail"))
        return done

    def content(self, doc: dict, thumbnail: bool = False) -> bytes:
        try:
            return self.store.get(self.key(doc, thumbnail))
        except KeyError:
            raise NotFound("the file of this attachment is missing from the store") from None

    def view(self, doc: dict) -> dict:
        return {"id": doc["_id"], "record_id": doc["record_id"],
                "filename": self.cipher.decrypt(doc["filename"], FILENAME_FIELD),
                "uploaded_by_name": (self.cipher.decrypt(doc["uploaded_by_name"], UPLOADER_FIELD)
                                     if doc.get("uploaded_by_name") else None),  # none on files sent before #22's
                **{k: doc.get(k) for k in ("kind", "content_type", "size", "sha256", "width", "height",
                                            "location_kept", "has_thumbnail", "label", "uploaded_by",
                                            "uploaded_at")}}


class RecordAttachments:
    """The use cases every owning service shares, each behind the record's own access check (`RecordKind.reach`):
    whoever reaches the record reaches its files, and only they (another community's worker: 404, in a missing
    record's words)."""

    def __init__(self, repo: AttachmentRecords, kinds: list[RecordKind]):
        self.repo = repo
        self.kinds = {k.records: k for k in kinds}

    def _reach(self, principal, records: str, record_id: str, adding: bool = False) -> tuple[RecordKind, str]:
        kind = self.kinds[records]
        return kind, ((kind.add_reach if adding else None) or kind.reach)(principal, record_id)

    def add(self, principal, records: str, record_id: str, upload: Callable[[], dict]) -> dict:
        """`upload()` reads the file and its form (`data`, `filename`, `keep_location`, `label`) once the record is
        reached: a caller out of scope learns nothing from a 422 about what they sent."""
        from .ids import new_id
        from .idempotency import derived_id

        _, org_path = self._reach(principal, records, record_id, adding=True)
        form = upload()
        label = form.get("label")
        if self.repo.count(records, record_id) >= MAX_PER_RECORD:
            raise refused(f"这条记录已有 {MAX_PER_RECORD} 个附件，不能再添加")
        processed = process(form["data"], form.get("keep_location", False))
        doc = {"_id": derived_id(f"attachment {records} {record_id}") or new_id(), "records": records,
               "record_id": record_id, "org_path": org_path, "kind": processed.kind,
               "content_type": processed.content_type, "size": len(processed.data), "sha256": processed.sha256,
               "width": processed.width, "height": processed.height, "location_kept": processed.location_kept,
               "has_thumbnail": processed.thumbnail is not None, "label": label or None,
               "uploaded_by": principal.user_id, "uploaded_at": self.repo.clock.now_iso()}
        return self.repo.view(self.repo.add(doc, processed, clean_filename(form.get("filename"), processed.extension),
                                            principal.name or ""))

    def page(self, principal, records: str, record_id: str, query: dict):
        """The record's files (a list like any other: `org_unit` keeps them only if the record lies in that unit's
        subtree; `from`/`to` bound the upload time)."""
        from .listing import Page

        _, org_path = self._reach(principal, records, record_id)
        if query.get("org_unit") and not org_path.startswith(self.repo.org.path_of(query["org_unit"], "org_unit")):
            return Page([], 0, query["page"], query["page_size"])
        return self.repo.page(records, record_id, query)

    def _one(self, principal, records: str, record_id: str, attachment_id: str) -> tuple[RecordKind, dict]:
        kind, _ = self._reach(principal, records, record_id)
        doc = self.repo.find(records, record_id, attachment_id)
        if doc is None:
            raise NotFound(f"attachment {attachment_id} not found")
        return kind, doc

    def get(self, principal, records: str, record_id: str, attachment_id: str) -> dict:
        return self.repo.view(self._one(principal, records, record_id, attachment_id)[1])

    def download(self, principal, records: str, record_id: str, attachment_id: str,
                 thumbnail: bool = False) -> "Download":
        kind, doc = self._one(principal, records, record_id, attachment_id)
        if thumbnail and not doc.get("has_thumbnail"):
            raise NotFound("a document has no thumbnail (only photos have one)")
        view = self.repo.view(doc)
        return Download(self.repo.content(doc, thumbnail), "image/jpeg" if thumbnail else doc["content_type"],
                        view["filename"], kind.sensitive)


    def remove(self, principal, records: str, record_id: str, attachment_id: str) -> dict:
        """Take off a file added by mistake (the wrong photo, another family's certificate): by who sent it, or by
        who may change the record; the file's bytes leave the store, and the attachment is a 404 afterwards. The
        route records the removal in the service's audit (liandong.audit, action `remove`)."""
        kind, doc = self._one(principal, records, record_id, attachment_id)
        if doc.get("uploaded_by") != principal.user_id:
            if kind.edit_reach is None:
                raise Forbidden("只有上传人可以删除这个附件")
            kind.edit_reach(principal, record_id)
        # A closed record keeps its files: they are what the record was decided on (the answer to a petition, a
        # programme's approval, a closed incident), and an audit or a review after the fact must find them
        # as they were; a mistake is corrected by reopening the record, which its own rules allow or not.
        if kind.closed is not None and kind.closed(principal, record_id):
            raise Conflict("这条记录已办结，附件作为办理依据保留，不能删除")
        view = self.repo.view(doc)
        self.repo.remove(doc)
        return view


@dataclass(frozen=True)
class Download:
    data: bytes
    content_type: str
    filename: str
    sensitive: bool  # a personal-data read: the route says so and the app's audit records it
