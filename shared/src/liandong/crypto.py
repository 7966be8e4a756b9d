"""Personal data encrypted at rest: ID numbers, phone numbers, addresses, incomes, health notes.

`FieldCipher.encrypt` gives "enc:v1:<nonce+ciphertext, base64>" with AES-256-GCM under a key
derived (HKDF-SHA256) from LIANDONG_ENCRYPTION_KEY; the field name is bound in as associated data,
so a value copied into another field does not decrypt. Records that must be found or kept unique by
such a value also store a blind index: an HMAC of the normalised value under a second derived key
(equality lookups and unique indexes work; the value itself never reaches the database).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc:v1:"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"liandong", info=purpose).derive(secret.encode())


class FieldCipher:
    def __init__(self, secret: str):
        self._aead = AESGCM(_derive(secret, b"field-encryption"))
        self._index_key = _derive(secret, b"blind-index")

    def encrypt(self, value: str | None, field: str) -> str | None:
        if value is None or value == "":
            return value
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), field.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str | None, field: str) -> str | None:
        if not token or not token.startswith(PREFIX):
            return token
        raw = base64.urlsafe_b64decode(token[len(PREFIX):])
        return self._aead.decrypt(raw[:12], raw[12:], field.encode()).decode("utf-8")

    def blind_index(self, value: str, field: str) -> str:
        normalised = value.strip().upper()
        return hmac.new(self._index_key, f"{field}:{normalised}".encode(), hashlib.sha256).hexdigest()


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)
