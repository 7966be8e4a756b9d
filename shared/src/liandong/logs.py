"""Structured JSON logs that carry the correlation id from a request to its events and handlers."""
from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from contextlib import contextmanager

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = correlation_id.get()
        if cid:
            out["correlation_id"] = cid
        eid = event_id.get()
        if eid:
            out["event_id"] = eid
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if as_json else
                         logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kafka", "pymongo", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


@contextmanager
def bound(correlation: str | None = None, event: str | None = None):
    """Bind a correlation id (and event id) to everything logged or produced inside the block."""
    t1 = correlation_id.set(correlation) if correlation is not None else None
    t2 = event_id.set(event) if event is not None else None
    try:
        yield
    finally:
        if t2 is not None:
            event_id.reset(t2)
        if t1 is not None:
            correlation_id.reset(t1)
