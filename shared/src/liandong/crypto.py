"""Personal data encrypted at rest: ID numbers, phone numbers, addresses, incomes, health notes.

`FieldCipher.encrypt` gives "enc:v1:<nonce+ciphertext, base64>" with AES-256-GCM under a key
derived (HKDF-SHA256) from LIANDONG_ENCRYPTION_KEY; the field name is bound in as associated data,
so a value copied into another field does not decrypt. Values that are not text (an income in fen,
a whole household) are sealed as their JSON, "enc:j1:...". Records that must be found or kept unique
by such a value also store a blind index: an HMAC of the normalised value under a second derived key
(equality lookups and unique indexes work; the value itself never reaches the database).

Rotation: the cipher also holds the previous keys (LIANDONG_PREVIOUS_ENCRYPTION_KEYS); it reads with
any of them and writes with the current one, and lookups ask for the blind index under every key
until `python -m liandong.reencrypt` has rewritten the data. Keys are derived once per process
(`Platform.cipher` is cached): nothing is derived per request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc:v1:"  # text
JSON_PREFIX = "enc:j1:"  # any other JSON value
FILE_MAGIC = b"LDF1"  # a sealed file (an attachment): magic, nonce, AES-GCM ciphertext with its tag


class DecryptionFailed(InvalidTag):
    """No configured key opens this value (a key was dropped before the data was re-encrypted)."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"liandong", info=purpose).derive(secret.encode())


class FieldCipher:
    def __init__(self, secret: str, previous: Iterable[str] = ()):
        secrets = [secret, *(s for s in previous if s and s != secret)]
        self._aeads = [AESGCM(_derive(s, b"field-encryption")) for s in secrets]
        self._index_keys = [_derive(s, b"blind-index") for s in secrets]
        self._file_aeads = [AESGCM(_derive(s, b"file-encryption")) for s in secrets]
        self._aead = self._aeads[0]
        self._index_key = self._index_keys[0]

    @property
    def rotating(self) -> bool:
        return len(self._aeads) > 1

    # -- text
    def encrypt(self, value: str | None, field: str) -> str | None:
        if value is None or value == "":
            return value
        return PREFIX + self._seal(value.encode("utf-8"), field)

    def decrypt(self, token: str | None, field: str) -> str | None:
        if not token or not isinstance(token, str) or not token.startswith(PREFIX):
            return token
        return self._open(token[len(PREFIX):], field)[0].decode("utf-8")

    # -- any JSON value (numbers, lists, objects); text as `encrypt` gives it
    def seal(self, value, field: str):
        # what looks like a token is sealed too: text a user typed is never taken for ciphertext
        if value is None or value == "":
            return value
        if isinstance(value, str):
            return self.encrypt(value, field)
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return JSON_PREFIX + self._seal(data, field)

    def unseal(self, token, field: str):
        if not isinstance(token, str):
            return token
        if token.startswith(JSON_PREFIX):
            return json.loads(self._open(token[len(JSON_PREFIX):], field)[0])
        return self.decrypt(token, field)

    def is_current(self, token, field: str) -> bool:
        """Encrypted, and under the current key (nothing for the re-encryption to do)."""
        if not is_encrypted(token):
            return False
        body = token[len(PREFIX):] if token.startswith(PREFIX) else token[len(JSON_PREFIX):]
        return self._open(body, field)[1] == 0

    def _seal(self, data: bytes, field: str) -> str:
        nonce = os.urandom(12)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, data, field.encode())).decode()

    def _open(self, body: str, field: str) -> tuple[bytes, int]:
        raw = base64.urlsafe_b64decode(body)
        for n, aead in enumerate(self._aeads):
            try:
                return aead.decrypt(raw[:12], raw[12:], field.encode()), n
            except InvalidTag:
                continue
        raise DecryptionFailed(f"no configured key decrypts this {field}")

    # -- files (attachments): sealed before any store sees them, the file's key bound in as associated data, so
    # a file copied under another record's key does not open
    def seal_file(self, data: bytes, key: str) -> bytes:
        nonce = os.urandom(12)
        return FILE_MAGIC + nonce + self._file_aeads[0].encrypt(nonce, data, key.encode())

    def file_is_current(self, raw: bytes, key: str) -> bool:
        """Sealed, and under the current key (nothing for the re-encryption to do)."""
        if not raw.startswith(FILE_MAGIC):
            return False
        body = raw[len(FILE_MAGIC):]
        try:
            self._file_aeads[0].decrypt(body[:12], body[12:], key.encode())
            return True
        except InvalidTag:
            return False

    def open_file(self, raw: bytes, key: str) -> bytes:
        if not raw.startswith(FILE_MAGIC):
            # stored before files were sealed: never a sealed one, since an accepted file's type is read from its
            # first bytes (JPEG, PNG, WebP, PDF, ZIP) and none begins with the magic
            return raw
        body = raw[len(FILE_MAGIC):]
        for aead in self._file_aeads:
            try:
                return aead.decrypt(body[:12], body[12:], key.encode())
            except InvalidTag:
                continue
        raise DecryptionFailed(f"no configured key opens the file {key}")

    # -- blind indexes
    def blind_index(self, value: str, field: str) -> str:
        """Under the current key: what is stored."""
        return self._blind(self._index_key, value, field)

    def blind_indexes(self, value: str, field: str) -> list[str]:
        """Under every key, current first: what a lookup asks for while data is re-encrypted."""
        return [self._blind(k, value, field) for k in self._index_keys]

    def blind_match(self, value: str, field: str):
        """A filter value matching the stored index under any configured key."""
        found = self.blind_indexes(value, field)
        return found[0] if len(found) == 1 else {"$in": found}

    @staticmethod
    def _blind(key: bytes, value: str, field: str) -> str:
        normalised = value.strip().upper()
        return hmac.new(key, f"{field}:{normalised}".encode(), hashlib.sha256).hexdigest()


def is_encrypted(value) -> bool:
    return isinstance(value, str) and (value.startswith(PREFIX) or value.startswith(JSON_PREFIX))
