"""The codes and labels each domain service defines (its vocabularies), read from the service itself.

A welfare programme, a petition category, a volunteer activity type: the owning service names them in
its configuration and answers them on its config endpoint. The gateway never keeps a copy: it asks
through its proxy (with the caller's own token, so nothing is read that the caller could not read on
screen) and keeps the answer `ttl` seconds. A service that is down or refuses leaves its codes
unlabelled (a report shows `dibao_urban` rather than nothing) and is asked again at the next request.

A vocabulary is `{code: label}`; `field` names the record field it labels in lists and exports.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from liandong.listing import MAX_PAGE_SIZE

from .proxy import ServiceProxy, ServiceUnavailable

log = logging.getLogger(__name__)


def _named(items, code_key: str) -> dict[str, str]:
    """`[{code, name}]` or `{code: {name}}` or `{code: name}` as `{code: name}`."""
    if isinstance(items, dict):
        return {str(k): (v.get("name") if isinstance(v, dict) else v) or str(k) for k, v in items.items()}
    if isinstance(items, list):
        return {str(i[code_key]): i.get("name") or str(i[code_key]) for i in items
                if isinstance(i, dict) and i.get(code_key)}
    return {}


def _listed(doc: dict, *keys: str):
    """A list answer in the one envelope (`items`) or in an older key (`programmes`)."""
    for key in ("items", *keys):
        if key in doc:
            return doc[key]
    return None


@dataclass(frozen=True)
class Source:
    service: str
    path: str
    # vocabulary name -> how to read it from the answer
    read: dict[str, Callable[[dict], dict[str, str]]]


# vocabulary -> the record fields it labels in its own service's lists (the export's columns)
FIELDS = {"programme": ("programme",), "category": ("category",), "channel": ("channel",),
          "satisfaction": ("satisfaction",), "handling_mode": ("handling_mode",),
          "activity_type": ("type", "activity_type"), "volunteer_kind": ("kind",),
          "incident_type": ("type",), "hall_office": ("office",)}

SOURCES = (
    Source("welfare", "/api/v1/welfare/programmes",
           {"programme": lambda d: _named(_listed(d, "programmes"), "code")}),
    Source("petition", "/api/v1/petition/config",
           {"category": lambda d: _named(d.get("categories"), "code"),
            "channel": lambda d: _named(d.get("channels"), "code"),
            "satisfaction": lambda d: _named(d.get("satisfaction"), "code"),
            "handling_mode": lambda d: _named(d.get("handling_modes"), "code"),
            "hall_office": lambda d: _named(d.get("hall_offices"), "code")}),  # the hall's offices (#20)
    Source("volunteer", "/api/v1/volunteer/types",
           {"activity_type": lambda d: _named(_listed(d, "types"), "type"),
            "volunteer_kind": lambda d: _named(d.get("kinds") or d.get("volunteer_kinds"), "kind")}),
    # security publishes no labels of its incident types yet (its codes are the contract's); when it
    # answers a config with `incident_types`, they are used from then on
    Source("security", "/api/v1/security/config",
           {"incident_type": lambda d: _named(d.get("incident_types"), "code")}),
)


class Vocabularies:
    def __init__(self, proxy: ServiceProxy, ttl: float = 60.0, clock=time.monotonic, sources=SOURCES):
        self.proxy = proxy
        self.ttl = ttl
        self.clock = clock
        self.sources = sources
        self._cache: dict[str, tuple[float, dict[str, dict[str, str]]]] = {}
        self._lock = threading.Lock()

    def _get(self, source: Source, headers: dict, query: bytes = b""):
        """The answer (status, document or None); None where the service cannot be asked now."""
        try:
            upstream = self.proxy.forward(source.service, "GET", source.path, query, headers, b"")
        except ServiceUnavailable:
            return None
        try:
            return upstream.status, json.loads(upstream.body) if upstream.status == 200 else None
        except ValueError:
            return upstream.status, None

    def _fetch(self, source: Source, authorization: str) -> dict[str, dict[str, str]] | None:
        headers = {"Authorization": authorization, "Accept": "application/json"}
        got = self._get(source, headers)
        if got is not None and got[0] == 404:  # the service has no such endpoint (yet): nothing to ask again soon
            return {name: {} for name in source.read}
        if got is None or got[1] is None:  # down, or 401/403: this caller may not read it; another caller may
            return None
        doc = got[1]
        if isinstance(doc, dict) and isinstance(doc.get("items"), list) \
                and isinstance(doc.get("total"), int) and doc["total"] > len(doc["items"]):
            # a list in the one envelope with more than its first page: every page of it, the largest
            # there are (a district may configure more programmes than a page holds)
            items: list = []
            for page in range(1, 50):
                more = self._get(source, headers, f"page={page}&page_size={MAX_PAGE_SIZE}".encode())
                if more is None or more[1] is None or not more[1].get("items"):
                    break
                items += more[1]["items"]
                if len(items) >= doc["total"]:
                    break
            doc = {**doc, "items": items or doc["items"]}
        out = {}
        for name, read in source.read.items():
            try:
                out[name] = read(doc if isinstance(doc, dict) else {})
            except (KeyError, TypeError, AttributeError) as exc:  # a shape this gateway does not know yet
                log.warning("%s vocabulary %s not read: %s", source.service, name, exc)
                out[name] = {}
        return out

    def labels(self, authorization: str | None, services: tuple[str, ...] | None = None) -> dict[str, dict[str, str]]:
        """vocabulary -> {code: label} of every service (or of `services`) that answers; cached `ttl` seconds."""
        out: dict[str, dict[str, str]] = {}
        now = self.clock()
        for source in self.sources:
            if services is not None and source.service not in services:
                continue
            with self._lock:
                cached = self._cache.get(source.service)
            if cached is None or now - cached[0] >= self.ttl:
                fetched = self._fetch(source, authorization or "") if authorization else None
                if fetched is not None:
                    cached = (now, fetched)
                    with self._lock:
                        self._cache[source.service] = cached
            out.update(cached[1] if cached else {})
        return out

    def by_field(self, authorization: str | None, service: str) -> dict[str, dict[str, str]]:
        """record field -> {code: label} for one service's records: how an export names their codes."""
        out: dict[str, dict[str, str]] = {}
        for vocabulary, labels in self.labels(authorization, (service,)).items():
            for field in FIELDS.get(vocabulary, ()):
                out.setdefault(field, {}).update(labels)
        return out
