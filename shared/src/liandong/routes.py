"""The one shape of a route: parse the caller's input, call the use case as the caller, present (docs/api-style.md).

`Records` registers the routes of one kind of record on a blueprint: creating one (201), listing a page,
reading one, and taking a step on one (its body's named fields passed to the use case in order). Each is
documented for the OpenAPI document exactly as a hand-written route would be, under the same endpoint name.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint

from liandong.auth import current_principal as caller, requires
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query


def _as_stored(record):
    return record


class Records:
    """`view(record)` presents a record; with `per_caller`, `view(caller, record)` (what a record shows depends
    on who asks: masked personal data, say)."""

    def __init__(self, bp: Blueprint, tags: list[str], view: Callable = _as_stored, *, per_caller: bool = False):
        self.bp, self.tags, self.view, self.per_caller = bp, tags, view, per_caller

    def _shown(self, principal, record):
        return self.view(principal, record) if self.per_caller else self.view(record)

    def _route(self, method: str, rule: str, endpoint: str, handle: Callable, summary: str, **doc) -> None:
        handle.__name__ = endpoint
        self.bp.add_url_rule(rule, endpoint, api(summary, tags=self.tags, **doc)(handle), methods=[method])

    def create(self, rule: str, endpoint: str, summary: str, use_case: Callable, *, body, permission: str,
               response=None) -> None:
        def handle():
            principal = caller()
            return self._shown(principal, use_case(principal, load_json(body))), 201

        self._route("POST", rule, endpoint, handle, summary, body=body, response=response, status=201,
                    permission=permission)

    def listing(self, rule: str, endpoint: str, summary: str, search: Callable, *, query, response,
                permission: str) -> None:
        """A page of records; `view` presents each (a record as stored when the view is the identity)."""
        def handle():
            principal = caller()
            view = None if self.view is _as_stored else (lambda record: self._shown(principal, record))
            return search(principal, load_query(query)).body(view)

        self._route("GET", rule, endpoint, handle, summary, query=query, response=response, many=True,
                    permission=permission)

    def read(self, rule: str, endpoint: str, summary: str, get: Callable, *, response, permission: str) -> None:
        def handle(**record_id):
            load_query(NoQuery)
            principal = caller()
            return self._shown(principal, get(principal, *record_id.values()))

        self._route("GET", rule, endpoint, handle, summary, query=NoQuery, response=response,
                    permission=permission)

    def step(self, rule: str, endpoint: str, summary: str, use_case: Callable, *, response, permission: str,
             body=None, takes: tuple[str, ...] | None = ()) -> None:
        """A step on one record: with a `body`, the fields it `takes` are passed after the record's id (the
        whole body when `takes` is None)."""
        def handle(**record_id):
            data = load_json(body) if body is not None else {}
            given = (data,) if takes is None else tuple(data[name] for name in takes)
            principal = caller()
            return self._shown(principal, use_case(principal, *record_id.values(), *given))

        self._route("POST", rule, endpoint, handle, summary, body=body, response=response, permission=permission)


def guarded(summary: str, *, permission: str, **doc) -> Callable:
    """A route only a holder of `permission` (somewhere) reaches, documented as such: `requires` and `api` in one,
    so that the permission is named once (the use case still checks the scope)."""
    def decorate(fn):
        return requires(permission)(api(summary, permission=permission, **doc)(fn))

    return decorate
