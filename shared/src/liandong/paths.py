"""Paths that travel on: no segment may be, or become after any number of decodings, `.` or `..`, and no
segment may carry an encoded `/` or `\\`.

A path is decoded once by each HTTP server it passes: `%252e%252e` is `%2e%2e` to the gateway and `..`
to the service behind it, which resolves it past the prefix whose permission the gateway checked.
So a segment is decoded until it stops changing, and refused if what comes out could move the path.
"""
from __future__ import annotations

from urllib.parse import unquote

from .errors import DomainError

_MAX_DECODINGS = 8


class UnsafePath(DomainError):
    status = 400
    code = "bad_path"


def unsafe_segment(path: str) -> str | None:
    """The first segment of `path` that is or decodes to a dot segment or hides a separator; None if none."""
    for segment in path.split("/"):
        current = segment
        for _ in range(_MAX_DECODINGS):
            decoded = unquote(current)
            if decoded == current:
                break
            current = decoded
        else:
            return segment  # still decoding after many rounds: nobody means that
        if current in (".", "..") or "\\" in current or (current != segment and "/" in current):
            return segment
    return None


def check_path(path: str) -> None:
    if unsafe_segment(path) is not None:
        raise UnsafePath("the path may not contain . or .. segments or encoded slashes")
