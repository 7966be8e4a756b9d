"""The gateway's own gate before a domain service: which service a caller may reach, and what it may see."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Forbidden
from liandong.idnumbers import mask, mask_mobile

_ID_KEYS = ("id_number", "id_no", "idcard")
_PHONE_KEYS = ("phone", "mobile")


def require_service_permission(principal: Principal, service: str) -> None:
    """At least one permission of the service (it checks the rest itself, from the same token)."""
    if not any(perm.startswith(f"{service}:") for grant in principal.grants for perm in grant.permissions()):
        raise Forbidden(f"your roles give no access to the {service} service")


def scope_paths(principal: Principal, permission: str, org_path: str | None = None) -> list[str]:
    """The subtrees a list shows: the caller's scopes for `permission`, or the one unit asked for in them."""
    paths = principal.scopes(permission)
    if not paths:
        raise Forbidden(f"{permission} is not granted")
    if org_path is not None:
        principal.require(permission, org_path)
        return [org_path]
    return paths


def mask_lists(value, in_list: bool = False):
    """Mask ID and phone numbers inside lists for callers without personal_data:read (the service should
    have done it already; this is the gateway's second line)."""
    if isinstance(value, list):
        return [mask_lists(v, True) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k.lower()
            if in_list and isinstance(v, str) and any(t in key for t in _ID_KEYS) and "*" not in v:
                out[k] = mask(v)
            elif in_list and isinstance(v, str) and any(t in key for t in _PHONE_KEYS) and "*" not in v:
                out[k] = mask_mobile(v)
            else:
                out[k] = mask_lists(v, in_list)
        return out
    return value
