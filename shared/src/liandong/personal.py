"""Which stored fields are personal data: declared once per kind of document, encrypted on write.

A service declares, for each aggregate or store, the paths of its personal fields
(`PersonalFields("household", "petitioners[].id_number", "attendance{}.note")`); the repository
layer (`liandong.repository.OutboxRepository.personal`) and the stores that keep copies encrypt
them with `Platform.cipher` when they write and decrypt them when they read, so the domain only
ever sees plain values and the database only ever sees ciphertext. `python -m liandong.reencrypt`
walks the same declarations to encrypt data written before, or re-encrypt it under a new key.

Path syntax: `a.b` a field of a sub-document, `a[].b` that field of each element of list `a`,
`a{}.b` of each value of mapping `a`. A path that ends at a sub-document or a number encrypts it
whole (as JSON). Where a record must be found or kept unique by a personal value, `blind` names a
stored field holding its blind index (a list when the path goes through a list).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator

from .crypto import FieldCipher, is_encrypted


def _parts(path: str) -> tuple[str, ...]:
    out: list[str] = []
    for piece in path.split("."):
        for marker in ("[]", "{}"):
            if piece.endswith(marker):
                out.extend([piece[:-2], marker])
                break
        else:
            out.append(piece)
    return tuple(out)


def _map(obj: Any, parts: tuple[str, ...], fn: Callable[[Any], Any]) -> Any:
    """`obj` with the values at `parts` replaced by fn(value); containers copied only where they change."""
    if not parts:
        return fn(obj)
    head, rest = parts[0], parts[1:]
    if head == "[]":
        return [_map(x, rest, fn) for x in obj] if isinstance(obj, list) else obj
    if head == "{}":
        return {k: _map(v, rest, fn) for k, v in obj.items()} if isinstance(obj, dict) else obj
    if not isinstance(obj, dict) or head not in obj:
        return obj
    return {**obj, head: _map(obj[head], rest, fn)}


def _values(obj: Any, parts: tuple[str, ...]) -> Iterator[Any]:
    if not parts:
        yield obj
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        for x in obj if isinstance(obj, list) else ():
            yield from _values(x, rest)
    elif head == "{}":
        for x in obj.values() if isinstance(obj, dict) else ():
            yield from _values(x, rest)
    elif isinstance(obj, dict) and head in obj:
        yield from _values(obj[head], rest)


@dataclass(frozen=True)
class BlindIndex:
    """`field` holds the blind index of the value at `path` (sorted distinct list if the path has a list)."""

    field: str
    path: str
    name: str  # what the index is keyed with (an ID number in petitions and in migrants differ)


@dataclass(frozen=True)
class PersonalFields:
    paths: tuple[str, ...]
    # the associated data bound to a path's ciphertext; the path itself unless given (kept for old data)
    names: dict = field(default_factory=dict)
    blind: tuple[BlindIndex, ...] = ()

    @classmethod
    def of(cls, *paths: str, names: dict | None = None, blind: tuple[BlindIndex, ...] = ()) -> "PersonalFields":
        return cls(tuple(paths), dict(names or {}), tuple(blind))

    @cached_property
    def _parsed(self) -> tuple:
        """(path, its parts, the name bound in): parsed once per declaration, not per document."""
        return tuple((path, _parts(path), self.names.get(path, path)) for path in self.paths)

    def _each(self):
        return self._parsed

    def encrypt(self, doc: dict, cipher: FieldCipher) -> dict:
        """The document as stored: personal values sealed, blind indexes (from the plain values) set."""
        out = dict(doc)  # copied once; below it only what changes is copied
        for b in self.blind:
            if self._blind_parts[b.field][0] in doc:  # a partial write without the value leaves its index
                out[b.field] = self.index_of(doc, b, cipher)
        for _, parts, name in self._each():
            if parts[0] in out:
                out[parts[0]] = _map(out[parts[0]], parts[1:], lambda v, n=name: cipher.seal(v, n))
        return out

    def decrypt(self, doc: dict | None, cipher: FieldCipher) -> dict | None:
        """The document as the domain sees it (plain values stay as they are: data from before)."""
        if doc is None:
            return None
        out = dict(doc)
        for _, parts, name in self._each():
            if parts[0] in out:
                out[parts[0]] = _map(out[parts[0]], parts[1:], lambda v, n=name: cipher.unseal(v, n))
        return out

    @cached_property
    def _blind_parts(self) -> dict:
        return {b.field: _parts(b.path) for b in self.blind}

    def index_of(self, plain: dict, b: BlindIndex, cipher: FieldCipher):
        parts = self._blind_parts[b.field]
        values = [v for v in _values(plain, parts) if isinstance(v, str) and v]
        if "[]" in parts or "{}" in parts:
            return sorted({cipher.blind_index(v, b.name) for v in values})
        return cipher.blind_index(values[0], b.name) if values else None

    def stale(self, doc: dict, cipher: FieldCipher) -> bool:
        """Some personal value is plain or under an old key, or a blind index is missing or old."""
        for _, parts, name in self._each():
            for v in _values(doc, parts):
                if v is None or v == "":
                    continue
                if not cipher.is_current(v, name):
                    return True
        if self.blind:
            plain = self.decrypt(doc, cipher)
            return any(doc.get(b.field) != self.index_of(plain, b, cipher) for b in self.blind)
        return False


PERSON_KEY = "person"  # the blind-index name every service uses for a person's key on the wire


def person_key(cipher: FieldCipher, id_number: str | None) -> str | None:
    """The platform's pseudonym of a resident: the blind index of their ID number under one name shared by
    every service, so events can say "this grant / petition / volunteer is that person" without an ID
    number on the wire (only a holder of the encryption key can compute it), and the household register
    (security) can link them to a household (一户一档). None without an ID number."""
    if not id_number:
        return None
    return cipher.blind_index(id_number, PERSON_KEY)


def sealed_fields(personal: PersonalFields) -> list[str]:
    """The top-level fields a declaration touches (what a re-encryption rewrites)."""
    return sorted({_parts(p)[0] for p in personal.paths} | {b.field for b in personal.blind})


__all__ = ["PersonalFields", "BlindIndex", "is_encrypted", "sealed_fields", "person_key", "PERSON_KEY"]
