"""One page of a list's records, and a record as the API names it. Only adapters build filters
(docs/service-shape.md), from the platform's pieces (`liandong.storage.filters`); use cases name what they
want (`repo.page(query, paths)`), and each repository says which of its fields answer it."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from liandong.listing import Page, page_of
from liandong.storage.filters import all_of


def as_record(document: dict) -> dict:
    """A stored document as the API names it: `id`, not the store's `_id`."""
    doc = dict(document)
    return {"id": doc.pop("_id"), **doc}


def paged(collection, query: dict, terms: Iterable[dict | None], sort: list, load: Callable[[dict], Any] | None = None,
          extra: dict | None = None) -> Page:
    """One page (`query`: a loaded `ListQuery`) of the documents matching every term."""
    page = page_of(collection, all_of(*terms), page=query["page"], page_size=query["page_size"], sort=sort,
                   load=load)
    page.extra.update(extra or {})
    return page
