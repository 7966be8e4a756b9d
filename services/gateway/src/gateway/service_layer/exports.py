"""The export use case (导出): any list of a service, as the caller filtered it, as one table.

The list is fetched page by page from the owning service with the caller's own token, so the
service's scope and masking apply exactly as on screen; the gateway masks again for roles without
personal_data:read, names codes in the owning service's words and writes the export to the audit trail.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from liandong.auth import Principal
from liandong.errors import NotFound, ValidationFailed

from ..adapters.audit_log import AuditLog, personal_fields
from ..adapters.proxy import ServiceProxy, Upstream
from ..domain import exports
from .access import mask_lists, require_service_permission


@dataclass
class Refused(Exception):
    """The service's own answer to a page (403 out of scope, 422 a bad filter, 404): passed on as it is."""

    upstream: Upstream


class Exports:
    def __init__(self, proxy: ServiceProxy, audit: AuditLog, org_name, services: tuple[str, ...],
                 vocabularies=None, max_rows: int = exports.MAX_ROWS, paging: exports.Paging | None = None):
        self.proxy = proxy
        self.audit = audit
        self.org_name = org_name  # unit id -> its name (or None)
        self.services = services
        self.vocabularies = vocabularies
        self.max_rows = max_rows
        self._paging = paging

    @property
    def paging(self) -> exports.Paging:
        return self._paging or exports.PAGING  # the one way every service pages (docs/api-style.md)

    def _items(self, service: str, path: str, filters: list[tuple[str, str]], headers: dict) -> list[dict]:
        """Every page of the list, in the one envelope (`items`, `total`), up to `max_rows`: by cursor where the
        list answers `next`, by number otherwise."""
        items: list[dict] = []
        after: str | None = None
        for index in range(self.max_rows // self.paging.size + 2):
            query = urlencode(filters + list(self.paging.params(index, after).items())).encode()
            upstream = self.proxy.forward(service, "GET", path, query, headers, b"")  # ServiceUnavailable: 503
            if upstream.status != 200:
                raise Refused(upstream)
            try:
                found = exports.items_of(json.loads(upstream.body))
            except ValueError:
                found = None
            if found is None:
                raise ValidationFailed("this address is not a list", {"path": [f"{path} does not return a list"]})
            page, total, following = found
            items.extend(page)
            if len(items) > self.max_rows or (total is not None and total > self.max_rows):
                raise ValidationFailed(f"more than {self.max_rows} rows; narrow the filters",
                                       {"format": [f"at most {self.max_rows} rows per export"]})
            if (after and not following) or len(page) < self.paging.size or (total is not None and len(items) >= total):
                break
            after = following
        return items

    def table(self, principal: Principal, service: str, rest: str, args: list[tuple[str, str]], headers: dict,
              correlation_id: str | None) -> tuple[list[tuple[str, str]], list[list]]:
        """Headers and rows of the list `/api/v1/<service>/<rest>?<args>` as the caller sees it."""
        if service not in self.services:
            raise NotFound(f"no service {service!r}")
        require_service_permission(principal, service)
        principal.require("reports:export")
        filters = [(k, v) for k, v in args if k not in ("format", *self.paging.reserved)]
        path = f"/api/v1/{service}/{rest}"
        items = self._items(service, path, filters, headers)
        if not principal.has("personal_data:read"):
            items = mask_lists(items)
        # the same entry as the pages' reads the service reports (one per request: see AuditLog.request_key)
        self.audit.record_export(user_id=principal.user_id, name=principal.name, roles=sorted(principal.roles),
                                 org_path=principal.grants[0].org_path if principal.grants else "/", path=path,
                                 query=urlencode(filters), service=service, fields=sorted(personal_fields(items)),
                                 correlation_id=correlation_id)
        words = self.vocabularies.by_field(headers.get("Authorization"), service) if self.vocabularies else {}
        return exports.table(items, functools.lru_cache(maxsize=None)(self.org_name), words)
