"""Identifiers: time-ordered, unique across processes, safe in URLs and as Kafka keys."""
from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    """A UUIDv7-style id (48-bit millisecond time + randomness), so ids sort by creation time."""
    ms = int(time.time() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | rand
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))
