"""The port where a service's attachment files live (`FileStore`), its local adapter (the embedded default) and
the choice of adapter from the environment; the S3-compatible adapter is liandong.attachments_s3."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol


class FileStore(Protocol):
    """Where a service's files live; keys are the service's own (`<records>/<record id>/<attachment id>`)."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...  # raises KeyError when there is no such file

    def delete(self, key: str) -> None: ...  # no such file is not an error


_KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")


def check_key(key: str) -> str:
    """Keys are made of ids the service generated; anything else (a `..`, a leading `/`) never reaches a store."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"not a file key: {key!r}")
    return key


class LocalStore:
    """Files under a directory (the embedded default: `<data dir>/attachments/<service>`), each written whole
    to a temporary name and renamed, so a reader never sees half a file."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class SealedStore:
    """Any store, with the files encrypted by the service before they reach it (AES-256-GCM under a key derived
    from LIANDONG_ENCRYPTION_KEY, the file's key bound in; previous keys still open what they sealed): the disk
    or the bucket holds ciphertext only, whatever the deployment switched on. Files stored before are read as
    they are."""

    def __init__(self, inner: FileStore, cipher):
        self.inner = inner
        self.cipher = cipher

    def put(self, key: str, data: bytes, content_type: str) -> None:
        # the type is the record's to keep (the download names it); the store holds opaque bytes
        self.inner.put(key, self.cipher.seal_file(data, check_key(key)), "application/octet-stream")

    def get(self, key: str) -> bytes:
        return self.cipher.open_file(self.inner.get(key), key)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def reseal(self, key: str) -> bool:
        """Seal a file stored plain or under a previous key with the current one (`python -m liandong.reencrypt`);
        False when there was nothing to do (or no such file)."""
        try:
            raw = self.inner.get(key)
        except KeyError:
            return False
        if self.cipher.file_is_current(raw, key):
            return False
        self.inner.put(key, self.cipher.seal_file(self.cipher.open_file(raw, key), check_key(key)),
                      "application/octet-stream")
        return True


def store_for(service: str, data_dir: Path | str, env: dict | None = None) -> FileStore:
    """The store the environment names: `LIANDONG_ATTACHMENTS_STORE=local` (default: under the data dir) or
    `s3` (LIANDONG_S3_ENDPOINT, LIANDONG_S3_BUCKET, LIANDONG_S3_ACCESS_KEY, LIANDONG_S3_SECRET_KEY,
    LIANDONG_S3_REGION; each service's files under its own prefix)."""
    env = os.environ if env is None else env
    kind = env.get("LIANDONG_ATTACHMENTS_STORE", "local")
    if kind == "local":
        return LocalStore(Path(env.get("LIANDONG_ATTACHMENTS_DIR") or Path(data_dir) / "attachments") / service)
    if kind == "s3":
        from .attachments_s3 import S3Store

        return S3Store.from_env(env, prefix=f"{service}/")
    raise ValueError(f"LIANDONG_ATTACHMENTS_STORE must be local or s3, not {kind!r}")


