"""marshmallow fields for the values every service takes in or answers: ID numbers, mobiles, org units, money,
times, dates and rates. Each documents its OpenAPI format here, once (docs/api-style.md § Values), so a
schema that uses it is documented right without repeating it."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from . import idnumbers

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class IdNumber(fields.String):
    """A resident ID number (身份证号), checked with its GB 11643 check digit; stored upper-case."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        why = idnumbers.problem(text)
        if why:
            raise ValidationError(why)
        return text


class Mobile(fields.String):
    """A mainland mobile number (11 digits starting with 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().replace(" ", "").replace("-", "")
        if not _MOBILE.match(text):
            raise ValidationError("a mobile number has 11 digits and starts with 1")
        return text


class OrgUnitId(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$",
                                                  error="not an org unit id"), **kwargs)


class Fen(fields.Integer):
    """Money as an exact integer number of fen (分); never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=0, max=10**12))
        super().__init__(**kwargs)


class Text(fields.String):
    """Free text with a length limit (control characters other than newlines refused)."""

    def __init__(self, max_length: int = 5000, min_length: int = 0, **kwargs):
        super().__init__(validate=validate.Length(min=min_length, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
            raise ValidationError("control characters are not allowed")
        return text


def _documented(kwargs: dict, **openapi) -> dict:
    """`kwargs` with `openapi` properties under the field's metadata (the caller's own metadata wins)."""
    return {**kwargs, "metadata": {**openapi, **(kwargs.get("metadata") or {})}}


class IsoTime(fields.String):
    """An ISO-8601 time, normalised to UTC with microseconds and Z (so stored times sort); documented as
    `format: date-time`. Answers keep the stored string as it is (already UTC with Z)."""

    def __init__(self, **kwargs):
        super().__init__(**_documented(kwargs, format="date-time"))

    def _deserialize(self, value, attr, data, **kwargs):
        from .clock import from_iso, to_iso

        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return to_iso(from_iso(text))
        except ValueError:
            raise ValidationError("not an ISO-8601 time") from None


class IsoDate(fields.String):
    """A calendar date YYYY-MM-DD, kept as that string; documented as `format: date`."""

    def __init__(self, **kwargs):
        super().__init__(**_documented(kwargs, format="date"))

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import date

        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(text) != 10:
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError("a date YYYY-MM-DD") from None
        return text


class Rate(fields.Float):
    """A rate (`…_rate`): a fraction 0–1, `null` when there is nothing to divide by (docs/api-style.md § Figures)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("validate", validate.Range(min=0, max=1))
        super().__init__(**kwargs)
